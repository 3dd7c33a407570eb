import { createHash } from 'node:crypto'
import type { Column, ColumnKind, TableModel } from './columns.js'
import type { PostgresSession, Statement } from './postgres-session.js'
import { chunks, quoteIdentifier, storeFailure, type StoreSite } from './sql.js'
import type { Collection, CollectionCapabilities, EntityId } from './types.js'

/** Rows per INSERT statement (one `unnest` array per column). */
const ROWS_PER_STATEMENT = 5000
/** PostgreSQL keeps the first 63 bytes of an identifier. */
const MAX_IDENTIFIER_BYTES = 63

/**
 * An identifier PostgreSQL keeps whole: a name longer than 63 bytes (which PostgreSQL would cut,
 * so two long names could become one table) keeps its start and ends with a hash of the full name.
 */
export function postgresName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12)
  let head = ''
  for (const ch of name) {
    if (Buffer.byteLength(head + ch) > MAX_IDENTIFIER_BYTES - hash.length - 1) break
    head += ch
  }
  return `${head}~${hash}`
}

/** How the table's columns are declared and cast. */
export interface PostgresTypes {
  json: 'jsonb' | 'json'
}

/** One entity's table in a PostgreSQL database (see `postgresStore`). */
export class PostgresCollection implements Collection {
  readonly capabilities: CollectionCapabilities = { transactions: true, constraints: false, snapshot: true }
  private readonly site: StoreSite
  private readonly table: string
  private readonly select: string
  private readonly id = quoteIdentifier('id')
  private readonly upsertSql: string
  private readonly insertNewSql: string

  constructor(private readonly session: PostgresSession, private readonly model: TableModel, table: string, private readonly types: PostgresTypes, private readonly fetchSize: number) {
    this.table = table
    this.site = { store: 'postgres', entity: model.entity.fullName, table }
    const cols = model.columns.map((c) => quoteIdentifier(postgresName(c.name)))
    this.select = `SELECT ${cols.join(', ')} FROM ${table}`
    const arrays = model.columns.map((c, i) => `$${i + 1}::${this.sqlType(c)}[]`)
    const updates = model.columns.flatMap((c, i) => (c.name === 'id' ? [] : [`${cols[i]} = EXCLUDED.${cols[i]}`]))
    this.upsertSql = `INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ON CONFLICT (${this.id}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`
    this.insertNewSql = `INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ON CONFLICT (${this.id}) DO NOTHING RETURNING ${this.id}`
  }

  /** Creates the table if it is missing and checks it has a column per stored field. */
  async prepare(): Promise<void> {
    const defs = this.model.columns.map((c) => `${quoteIdentifier(postgresName(c.name))} ${this.sqlType(c)}${c.name === 'id' ? `${this.model.id.kind === 'text' ? ' COLLATE "C"' : ''} PRIMARY KEY` : ''}`)
    const have = await this.run('creating the table', async () => {
      try {
        // on the pool, outside any transaction of the caller: the table exists from here on
        await this.session.query({ text: `CREATE TABLE IF NOT EXISTS ${this.table} (${defs.join(', ')})` }, this.session.pool)
      } catch (error) {
        // two creators at once: the other one won
        if (!['23505', '42P07'].includes((error as { code?: string }).code ?? '')) throw error
      }
      const r = await this.session.query({ text: 'SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped', values: [this.table] })
      return new Set(r.rows.map((row) => row[0] as string))
    })
    const missing = this.model.columns.filter((c) => !have.has(postgresName(c.name)))
    if (missing.length > 0) {
      throw storeFailure(this.site, 'opening the table', new Error(`the table has no column ${missing.map((c) => c.name).join(', ')} (the entity has more stored fields than when the table was created); add ${missing.length === 1 ? 'it' : 'them'} with ALTER TABLE ${this.table} ADD COLUMN …`))
    }
  }

  async *stream(): AsyncGenerator<unknown> {
    this.session.live()
    const inside = this.session.transactionClient()
    const client = inside ?? (await this.run('streaming', () => this.session.connect()))
    const cursor = this.session.cursorName()
    let open = false
    let finished = false
    let broken: Error | undefined
    try {
      await this.run('streaming', async () => {
        // a cursor reads the snapshot of its DECLARE, a page at a time; REPEATABLE READ says so outright
        if (!inside) await this.session.query({ text: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' }, client)
        open = true
        await this.session.query({ text: `DECLARE ${cursor} NO SCROLL CURSOR FOR ${this.select} ORDER BY ${this.id}` }, client)
      })
      let index = 0
      for (;;) {
        const page = await this.run('streaming', () => this.session.query({ text: `FETCH ${this.fetchSize} FROM ${cursor}` }, client))
        for (const row of page.rows) yield this.model.entity.fromStored(this.model.toStored(row), index++)
        if (page.rows.length < this.fetchSize) break
      }
      finished = true
    } catch (error) {
      // before the transaction began, the client may be the problem: it is not given back to the pool
      if (!open) broken = error as Error
      throw error
    } finally {
      // also when the reader stops early or a row fails: close the cursor (and the read transaction)
      if (open) broken = await this.session.quietly(client, inside ? `CLOSE ${cursor}` : finished ? 'COMMIT' : 'ROLLBACK')
      if (!inside) this.session.release(client, broken)
    }
  }

  async get(id: EntityId): Promise<unknown | undefined> {
    const r = await this.run('reading a row', () => this.session.query({ text: `${this.select} WHERE ${this.id} = $1`, values: [this.model.idCell(id)] }))
    const row = r.rows[0]
    return row === undefined ? undefined : this.model.entity.fromStored(this.model.toStored(row))
  }

  async upsert(entities: unknown[]): Promise<void> {
    // every row converted before any is written
    await this.write(entities.map((e) => this.model.toRow(e)))
  }

  async upsertStored(stored: Array<Record<string, unknown>>): Promise<void> {
    await this.write(stored.map((s) => this.model.cellsOf(s)))
  }

  async insertNewStored(stored: Array<Record<string, unknown>>): Promise<EntityId[]> {
    const rows = stored.map((s) => this.model.cellsOf(s))
    if (rows.length === 0) return []
    // the first row of an id is the one inserted (later ones are skipped, as existing rows are)
    const first = new Map<unknown, unknown[]>()
    for (const row of rows) if (!first.has(row[this.model.idIndex])) first.set(row[this.model.idIndex], row)
    const statements: Statement[] = chunks([...first.values()], ROWS_PER_STATEMENT).map((part) => ({
      text: this.insertNewSql,
      values: this.model.columns.map((_, i) => part.map((row) => row[i])),
    }))
    // the ids written come back from the same statements (RETURNING): no lookup before the insert
    const results = await this.run('writing rows', () => this.session.atomically(statements))
    const inserted = new Set<EntityId>()
    for (const r of results) for (const row of r.rows) inserted.add(this.model.idOf(row[0]))
    const skipped: EntityId[] = []
    const seen = new Set<EntityId>()
    for (const row of rows) {
      const id = this.model.idOf(row[this.model.idIndex])
      if (seen.has(id) || !inserted.has(id)) skipped.push(id)
      seen.add(id)
    }
    return skipped
  }

  private async write(rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return
    // one id twice in a statement is an error in PostgreSQL, so the last row of an id wins here,
    // as it would row by row
    const byId = new Map<unknown, unknown[]>()
    for (const row of rows) {
      const id = row[this.model.idIndex]
      byId.delete(id)
      byId.set(id, row)
    }
    const statements: Statement[] = chunks([...byId.values()], ROWS_PER_STATEMENT).map((rows) => ({
      text: this.upsertSql,
      values: this.model.columns.map((_, i) => rows.map((row) => row[i])),
    }))
    await this.run('writing rows', () => this.session.atomically(statements))
  }

  async existing(ids: EntityId[]): Promise<Set<EntityId>> {
    if (ids.length === 0) return new Set()
    const r = await this.run('looking up ids', () => this.session.query({ text: `SELECT ${this.id} FROM ${this.table} WHERE ${this.id} = ANY($1::${this.sqlType(this.model.id)}[])`, values: [ids.map((id) => this.model.idCell(id))] }))
    return new Set(r.rows.map((row) => this.model.idOf(row[0])))
  }

  async count(): Promise<number> {
    const r = await this.run('counting rows', () => this.session.query({ text: `SELECT count(*) FROM ${this.table}` }))
    return Number(r.rows[0]![0])
  }

  transaction<R>(fn: () => Promise<R>): Promise<R> {
    return this.session.transaction(fn)
  }

  private sqlType(c: Column): string {
    const types: Record<ColumnKind, string> = { text: 'text', number: 'double precision', boolean: 'boolean', bigint: 'numeric', json: this.types.json }
    return types[c.kind]
  }

  private async run<R>(operation: string, fn: () => Promise<R>): Promise<R> {
    this.session.live()
    try {
      return await fn()
    } catch (error) {
      throw storeFailure(this.site, operation, error)
    }
  }
}
