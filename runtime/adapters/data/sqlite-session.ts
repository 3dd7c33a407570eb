import { AsyncLocalStorage } from 'node:async_hooks'
import type BetterSqlite3 from 'better-sqlite3'
import { BackupError } from '../../errors.js'
import { closedStore } from './sql.js'

type Database = BetterSqlite3.Database
type Statement = BetterSqlite3.Statement<unknown[], unknown>

/**
 * One SQLite database as the store uses it. better-sqlite3 is synchronous and has one transaction
 * per connection, so an async `transaction(fn)` is a manual `BEGIN IMMEDIATE` … `COMMIT` on the main
 * connection that stays open across `fn`'s awaits. While it is open, writes from outside `fn` (told
 * apart with AsyncLocalStorage) wait for it to end, so they never join it; reads from outside go to
 * a second, read-only connection (WAL lets it read the last commit while the writer works), or wait
 * too when the database is in memory. Snapshot streams read on a connection of their own.
 */
export class SqliteSession {
  private readonly tx = new AsyncLocalStorage<number>()
  private active: Promise<void> | null = null
  private reader: Database | null = null
  /** Stream connections, with the statement iterator each is reading (ended before the connection closes). */
  private readonly streams = new Map<Database, IterableIterator<unknown> | null>()
  private readonly statements = new Map<Database, Map<string, Statement>>()
  private closed = false

  /**
   * @param db the main connection
   * @param file the database file, when other connections can open it (WAL mode)
   * @param owned whether `close()` closes `db`
   */
  constructor(readonly db: Database, private readonly file: string | null, private readonly owned: boolean) {}

  /** Streams read one snapshot on their own connection (a WAL file database). */
  get snapshots(): boolean {
    return this.file !== null
  }

  /** True inside a `transaction()` callback of this session. */
  inTransaction(): boolean {
    return this.tx.getStore() !== undefined
  }

  /** Throws once the store is closed. */
  live(): void {
    if (this.closed) throw closedStore('sqlite')
  }

  /** The connection to write with: the main one, once no other caller's transaction is open. */
  async writer(): Promise<Database> {
    this.live()
    while (this.active && !this.inTransaction()) await this.active
    this.live()
    return this.db
  }

  /** The connection to read committed data with (or the transaction's own, inside one). */
  async readerConnection(): Promise<Database> {
    this.live()
    if (this.inTransaction() || !this.file) return this.writer()
    return (this.reader ??= this.open())
  }

  /** A connection of its own for one stream (closed with `release`), or null when the database cannot have one. */
  streamConnection(): Database | null {
    this.live()
    if (!this.file || this.inTransaction()) return null
    const db = this.open()
    this.streams.set(db, null)
    return db
  }

  /** Records the iterator a stream reads on its connection, so `close()` can end it first. */
  reading(db: Database, rows: IterableIterator<unknown>): void {
    if (this.streams.has(db)) this.streams.set(db, rows)
  }

  /** Closes a stream's connection. */
  release(db: Database): void {
    // a connection cannot close while a statement iterates on it
    this.streams.get(db)?.return?.()
    this.streams.delete(db)
    this.statements.delete(db)
    if (db.open) db.close()
  }

  /** A prepared statement of a connection, cached by its text. */
  statement(db: Database, sql: string): Statement {
    let cache = this.statements.get(db)
    if (!cache) this.statements.set(db, (cache = new Map()))
    let stmt = cache.get(sql)
    if (!stmt) cache.set(sql, (stmt = db.prepare(sql)))
    return stmt
  }

  /** Runs `fn` in a transaction of the main connection; nested calls use savepoints. */
  async transaction<R>(fn: () => Promise<R>): Promise<R> {
    this.live()
    const depth = this.tx.getStore()
    if (depth !== undefined) return this.savepoint(depth + 1, fn)
    while (this.active) await this.active
    this.live()
    let done!: () => void
    this.active = new Promise<void>((resolve) => (done = resolve))
    try {
      this.exec('BEGIN IMMEDIATE', 'begin')
      try {
        const result = await this.tx.run(0, fn)
        this.live()
        this.exec('COMMIT', 'commit')
        return result
      } catch (error) {
        if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK')
        throw error
      }
    } finally {
      this.active = null
      done()
    }
  }

  private exec(sql: string, what: string): void {
    try {
      this.db.exec(sql)
    } catch (error) {
      throw new BackupError('STORE_FAILED', `cannot ${what} a SQLite transaction on ${this.db.name}: ${(error as Error).message}`, { code: (error as { code?: unknown }).code }, { cause: error })
    }
  }

  private async savepoint<R>(depth: number, fn: () => Promise<R>): Promise<R> {
    const name = `koan_backup_${depth}`
    this.exec(`SAVEPOINT ${name}`, 'begin')
    try {
      const result = await this.tx.run(depth, fn)
      this.db.exec(`RELEASE ${name}`)
      return result
    } catch (error) {
      if (this.db.open && this.db.inTransaction) this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`)
      throw error
    }
  }

  /** Closes every connection the store opened (the main one only when the store opened it). */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const db of [...this.streams.keys()]) this.release(db)
    if (this.reader) this.release(this.reader)
    this.statements.clear()
    if (this.owned && this.db.open) this.db.close()
  }

  private open(): Database {
    const Database = this.db.constructor as new (file: string, options: BetterSqlite3.Options) => Database
    return new Database(this.file!, { readonly: true, fileMustExist: true })
  }
}
