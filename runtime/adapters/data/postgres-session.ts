import { AsyncLocalStorage } from 'node:async_hooks'
import type pg from 'pg'
import { BackupError } from '../../errors.js'
import { closedStore } from './sql.js'

/** A statement and its parameters. */
export interface Statement {
  text: string
  values?: unknown[]
}

/** What the store reads: rows as arrays of cells, plus the command tag. */
export interface ArrayResult {
  rows: unknown[][]
  command: string
}

// the store's own type parsers, whatever an app set globally (say numeric → parseFloat, which would
// round bigints): booleans and float8 parsed, everything else (numeric, json, int8…) left as text
const PARSERS: Record<number, (text: string) => unknown> = { 16: (t) => t === 't', 701: Number }
const identity = (text: string): string => text
const TYPES = { getTypeParser: (oid: number) => PARSERS[oid] ?? identity } as unknown as pg.CustomTypesConfig

interface Frame {
  client: pg.PoolClient
  depth: number
}

/**
 * The pool of a PostgreSQL store and its transactions: `transaction(fn)` holds one client of the
 * pool for `fn`, and every statement of this store made inside `fn` (told apart with
 * AsyncLocalStorage) runs on that client; statements from elsewhere use the pool as usual.
 */
export class PostgresSession {
  private readonly tx = new AsyncLocalStorage<Frame>()
  private closed = false
  private cursors = 0
  /** Clients taken from the pool and not given back yet (streams, transactions). */
  private readonly taken = new Set<pg.PoolClient>()

  constructor(readonly pool: pg.Pool, private readonly owned: boolean) {}

  /** Throws once the store is closed. */
  live(): void {
    if (this.closed) throw closedStore('postgres')
  }

  /** The client of the transaction this call runs in, if any. */
  transactionClient(): pg.PoolClient | undefined {
    return this.tx.getStore()?.client
  }

  /** Runs a statement on the transaction's client, or the pool. */
  query(statement: Statement, on?: pg.Pool | pg.PoolClient): Promise<ArrayResult> {
    this.live()
    const target = on ?? this.transactionClient() ?? this.pool
    return target.query({ text: statement.text, values: statement.values, rowMode: 'array', types: TYPES }) as Promise<ArrayResult>
  }

  /** A client of the pool, given back with `release`. */
  async connect(): Promise<pg.PoolClient> {
    this.live()
    const client = await this.pool.connect()
    this.taken.add(client)
    return client
  }

  /** Gives a client back to the pool (once; `broken` ones are closed instead). */
  release(client: pg.PoolClient, broken?: Error): void {
    if (this.taken.delete(client)) client.release(broken)
  }

  /** A fresh cursor name (unique in this process). */
  cursorName(): string {
    return `koan_backup_cursor_${++this.cursors}`
  }

  /** Runs statements all or nothing: in a savepoint inside a transaction, else in one of their own. */
  async atomically(statements: Statement[]): Promise<ArrayResult[]> {
    const results: ArrayResult[] = []
    const client = this.transactionClient()
    if (client) {
      await this.savepoint(client, this.tx.getStore()!.depth + 1, async () => {
        for (const s of statements) results.push(await this.query(s, client))
      })
    } else if (statements.length === 1) {
      results.push(await this.query(statements[0]!))
    } else {
      await this.transaction(async () => {
        for (const s of statements) results.push(await this.query(s))
      })
    }
    return results
  }

  /** Runs `fn` in a transaction on one client; nested calls use savepoints. */
  async transaction<R>(fn: () => Promise<R>): Promise<R> {
    this.live()
    const frame = this.tx.getStore()
    if (frame) return this.savepoint(frame.client, frame.depth + 1, () => this.tx.run({ client: frame.client, depth: frame.depth + 1 }, fn))
    const client = await this.connect()
    let broken: Error | undefined
    try {
      await this.query({ text: 'BEGIN' }, client)
      let result: R
      try {
        result = await this.tx.run({ client, depth: 0 }, fn)
      } catch (error) {
        broken = await this.quietly(client, 'ROLLBACK')
        throw error
      }
      const end = await this.query({ text: 'COMMIT' }, client)
      // COMMIT of a transaction that a failed statement aborted rolls back instead
      if (end.command === 'ROLLBACK') throw new BackupError('STORE_FAILED', 'the PostgreSQL transaction was rolled back at COMMIT: a statement inside it failed (and was caught) earlier, which aborts the whole transaction; nothing of it was written', {})
      return result
    } finally {
      this.release(client, broken)
    }
  }

  private async savepoint<R>(client: pg.PoolClient, depth: number, fn: () => Promise<R>): Promise<R> {
    const name = `koan_backup_${depth}`
    await this.query({ text: `SAVEPOINT ${name}` }, client)
    try {
      const result = await fn()
      await this.query({ text: `RELEASE SAVEPOINT ${name}` }, client)
      return result
    } catch (error) {
      await this.quietly(client, `ROLLBACK TO SAVEPOINT ${name}`)
      await this.quietly(client, `RELEASE SAVEPOINT ${name}`)
      throw error
    }
  }

  /** Runs a clean-up statement; returns its error (the client is then not to be reused) instead of throwing. */
  async quietly(client: pg.PoolClient, text: string): Promise<Error | undefined> {
    try {
      await client.query(text)
      return undefined
    } catch (error) {
      return error as Error
    }
  }

  /**
   * Closes the connections of streams and transactions still open (their next statement fails), and
   * ends the pool when the store made it.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const client of [...this.taken]) this.release(client, closedStore('postgres'))
    if (this.owned) await this.pool.end()
  }
}
