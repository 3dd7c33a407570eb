import type BetterSqlite3 from 'better-sqlite3'
import type { ColumnKind, TableModel } from './columns.js'
import { chunks, quoteIdentifier, storeFailure, type StoreSite } from './sql.js'
import type { SqliteSession } from './sqlite-session.js'
import type { Collection, CollectionCapabilities, EntityId } from './types.js'

type Database = BetterSqlite3.Database

const SQL_TYPE: Record<ColumnKind, string> = { text: 'TEXT', number: 'REAL', boolean: 'INTEGER', bigint: 'TEXT', json: 'TEXT' }
/** Ids per `IN (…)` lookup (well under SQLite's bound-parameter limit). */
const IDS_PER_QUERY = 500
/** The lookup sizes prepared: a shorter list is padded with its last id, so few statements are cached. */
const LOOKUP_SIZES = [1, 8, 64, IDS_PER_QUERY]
/** Rows per page when a stream reads on the main connection. */
const PAGE = 1000

/** The SQL of one entity's table. */
class SqliteStatements {
  readonly table: string
  readonly create: string
  readonly select: string
  readonly ordered: string
  readonly get: string
  readonly page: string
  readonly firstPage: string
  readonly count: string
  readonly upsert: string
  readonly insertNew: string
  readonly info: string

  constructor(name: string, model: TableModel) {
    const table = (this.table = quoteIdentifier(name))
    const cols = model.columns.map((c) => quoteIdentifier(c.name))
    const id = quoteIdentifier('id')
    const defs = model.columns.map((c, i) => `${cols[i]} ${SQL_TYPE[c.kind]}${c.name === 'id' ? ' PRIMARY KEY NOT NULL' : ''}`)
    const updates = model.columns.filter((c) => c.name !== 'id').map((c) => `${quoteIdentifier(c.name)} = excluded.${quoteIdentifier(c.name)}`)
    this.create = `CREATE TABLE IF NOT EXISTS ${table} (${defs.join(', ')})`
    this.select = `SELECT ${cols.join(', ')} FROM ${table}`
    this.ordered = `${this.select} ORDER BY ${id}`
    this.get = `${this.select} WHERE ${id} = ?`
    this.firstPage = `${this.select} ORDER BY ${id} LIMIT ${PAGE}`
    this.page = `${this.select} WHERE ${id} > ? ORDER BY ${id} LIMIT ${PAGE}`
    this.count = `SELECT count(*) FROM ${table}`
    this.upsert = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT(${id}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`
    this.insertNew = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT(${id}) DO NOTHING`
    this.info = `SELECT name FROM pragma_table_info(${quoteLiteral(name)})`
  }

  /** The lookup of `n` ids. */
  existing(n: number): string {
    return `SELECT ${quoteIdentifier('id')} FROM ${this.table} WHERE ${quoteIdentifier('id')} IN (${Array(n).fill('?').join(', ')})`
  }
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}

/** One entity's table in a SQLite database (see `sqliteStore`). */
export class SqliteCollection implements Collection {
  readonly capabilities: CollectionCapabilities
  private readonly sql: SqliteStatements
  private readonly site: StoreSite

  constructor(private readonly session: SqliteSession, private readonly model: TableModel, name: string) {
    this.sql = new SqliteStatements(name, model)
    this.site = { store: 'sqlite', entity: model.entity.fullName, table: this.sql.table }
    this.capabilities = { transactions: true, constraints: false, snapshot: session.snapshots }
  }

  /** Creates the table if it is missing and checks it has a column per stored field. */
  async prepare(): Promise<void> {
    // a table that is there already needs no writer (which may be busy with a long transaction)
    if (this.missing(await this.session.readerConnection()).length === 0) return
    const db = await this.session.writer()
    this.attempt('creating the table', () => db.exec(this.sql.create))
    const missing = this.missing(db)
    if (missing.length > 0) {
      throw storeFailure(this.site, 'opening the table', new Error(`the table has no column ${missing.join(', ')} (the entity has more stored fields than when the table was created); add ${missing.length === 1 ? 'it' : 'them'} with ALTER TABLE ${this.sql.table} ADD COLUMN …`))
    }
  }

  /** The stored fields the table has no column for (all of them when there is no table). */
  private missing(db: Database): string[] {
    const have = new Set(this.attempt('reading the table', () => db.prepare(this.sql.info).pluck().all() as string[]))
    return this.model.columns.filter((c) => !have.has(c.name)).map((c) => c.name)
  }

  async *stream(): AsyncGenerator<unknown> {
    const own = this.session.streamConnection()
    if (!own) {
      yield* this.pages()
      return
    }
    let rows: IterableIterator<unknown[]> | undefined
    try {
      // one statement is one read transaction: the rows of one snapshot, read as they are iterated
      rows = this.attempt('streaming', () => this.session.statement(own, this.sql.ordered).raw(true).iterate() as IterableIterator<unknown[]>)
      this.session.reading(own, rows)
      for (let index = 0; ; index++) {
        const next = this.attempt('streaming', () => rows!.next())
        if (next.done) return
        yield this.model.entity.fromStored(this.model.toStored(next.value), index)
      }
    } finally {
      rows?.return?.()
      this.session.release(own)
    }
  }

  /** Pages by id on the main connection: inside a transaction (its own writes), or for an in-memory database. */
  private async *pages(): AsyncGenerator<unknown> {
    let last: unknown
    let index = 0
    for (;;) {
      const db = await this.session.readerConnection()
      const rows = this.attempt('streaming', () => (last === undefined ? this.session.statement(db, this.sql.firstPage).raw(true).all() : this.session.statement(db, this.sql.page).raw(true).all(last)) as unknown[][])
      for (const row of rows) yield this.model.entity.fromStored(this.model.toStored(row), index++)
      if (rows.length < PAGE) return
      last = rows[rows.length - 1]![this.model.idIndex]
    }
  }

  async get(id: EntityId): Promise<unknown | undefined> {
    const db = await this.session.readerConnection()
    const row = this.attempt('reading a row', () => this.session.statement(db, this.sql.get).raw(true).get(this.model.idCell(id)) as unknown[] | undefined)
    return row === undefined ? undefined : this.model.entity.fromStored(this.model.toStored(row))
  }

  async upsert(entities: unknown[]): Promise<void> {
    // every row is converted before the first is written
    await this.write(entities.map((e) => this.model.toRow(e)))
  }

  async upsertStored(stored: Array<Record<string, unknown>>): Promise<void> {
    await this.write(stored.map((s) => this.model.cellsOf(s)))
  }

  async insertNewStored(stored: Array<Record<string, unknown>>): Promise<EntityId[]> {
    // every row converted before the first is written
    const rows = stored.map((s) => this.model.cellsOf(s))
    const skipped: EntityId[] = []
    if (rows.length === 0) return skipped
    const db = await this.session.writer()
    this.attempt('writing rows', () => {
      const stmt = this.session.statement(db, this.sql.insertNew)
      // all or nothing, like `write`; a conflict on the id inserts nothing and changes no row
      db.transaction(() => {
        for (const row of rows) if (stmt.run(row).changes === 0) skipped.push(this.model.idOf(row[this.model.idIndex]))
      })()
    })
    return skipped
  }

  private async write(rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return
    const db = await this.session.writer()
    this.attempt('writing rows', () => {
      const stmt = this.session.statement(db, this.sql.upsert)
      // a transaction of its own, or a savepoint inside the caller's: the batch is all or nothing
      db.transaction(() => {
        for (const row of rows) stmt.run(row)
      })()
    })
  }

  async existing(ids: EntityId[]): Promise<Set<EntityId>> {
    const found = new Set<EntityId>()
    if (ids.length === 0) return found
    const db = await this.session.readerConnection()
    this.attempt('looking up ids', () => {
      for (const part of chunks(ids, IDS_PER_QUERY)) {
        const size = LOOKUP_SIZES.find((n) => n >= part.length)!
        const cells = part.map((id) => this.model.idCell(id))
        while (cells.length < size) cells.push(cells[cells.length - 1])
        for (const cell of this.session.statement(db, this.sql.existing(size)).pluck().all(...cells)) found.add(this.model.idOf(cell))
      }
    })
    return found
  }

  async count(): Promise<number> {
    const db = await this.session.readerConnection()
    return this.attempt('counting rows', () => Number(this.session.statement(db, this.sql.count).pluck().get()))
  }

  transaction<R>(fn: () => Promise<R>): Promise<R> {
    return this.session.transaction(fn)
  }

  private attempt<R>(operation: string, fn: () => R): R {
    this.session.live()
    try {
      return fn()
    } catch (error) {
      throw storeFailure(this.site, operation, error)
    }
  }
}
