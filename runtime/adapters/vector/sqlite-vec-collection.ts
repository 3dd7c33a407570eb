import type BetterSqlite3 from 'better-sqlite3'
import { quoteIdentifier, storeFailure, type StoreSite } from '../data/sql.js'
import type { EntityId } from '../data/types.js'
import { checkQuery, checkRecords, isZero, type IdLimits } from './checks.js'
import { NearestK, vectorDistance } from './distance.js'
import { idFromKey, idKey } from './ids.js'
import type { VectorCollection, VectorEntity, VectorMetric, VectorRecord } from './types.js'

/** What the collections of one sqlite-vec store share. */
export interface SqliteVecSession {
  db: BetterSqlite3.Database
  /** Throws when the store is closed. */
  live(): void
  /** Rows per page of a stream. */
  pageSize: number
}

/** The tables of one entity. */
export interface SqliteVecTables {
  /** The vec0 virtual table (rowid → vector). */
  vectors: string
  /** The id table (rid INTEGER PRIMARY KEY → id TEXT UNIQUE), whose index gives the stream order. */
  ids: string
}

const limits: IdLimits = { store: 'SQLite', utf8: true, nul: false }
/** The largest `k` of a vec0 KNN query; beyond it the store searches by brute force. */
const maxKnn = 4096

/** A Float32Array as a blob of its own bytes (bound by copy). */
const blob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength)
/** A blob of float32s as a Float32Array of its own (copied: blobs need not be aligned). */
const vectorOf = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))

/**
 * One entity's vectors in SQLite with sqlite-vec: a `vec0` virtual table of `float[N]` (blobs of
 * the float32 bytes, so values are kept bit for bit) keyed by an integer rowid, and a table that
 * maps each typed id key to its rowid, whose unique index streams in id order (keyset pages:
 * `id > last ORDER BY id LIMIT n`, a statement per page, so a stream holds no statement open and
 * sees writes made meanwhile, each id once, in order). Cosine tables also keep a `zero` metadata
 * column, so KNN leaves out zero vectors (whose cosine distance is undefined) exactly.
 *
 * `query` is vec0's exact KNN (`vector MATCH ? AND k = ?`) for `cosine` (1 − cos) and `l2`
 * (Euclidean). vec0 has no dot product: `dot` — and any `k` over vec0's limit of 4096 — is brute
 * force over every vector in pages, in memory bounded by `k` and a page.
 */
export class SqliteVecCollection implements VectorCollection {
  private readonly site: StoreSite
  private readonly vectors: string
  private readonly ids: string

  constructor(
    private readonly s: SqliteVecSession,
    private readonly entity: VectorEntity,
    tables: SqliteVecTables,
    readonly dimension: number,
    readonly metric: VectorMetric,
  ) {
    this.site = { store: 'sqlite-vec', entity: entity.fullName, table: tables.vectors }
    this.vectors = quoteIdentifier(tables.vectors)
    this.ids = quoteIdentifier(tables.ids)
  }

  stream(): AsyncIterable<VectorRecord> {
    this.s.live()
    const pages = this.pages()
    return (async function* () {
      for (const page of pages) {
        for (const row of page) yield { id: idFromKey(row.id), vector: vectorOf(row.vector) }
        // let the caller's other work run between pages
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    this.s.live()
    const checked = checkRecords(this.entity, records, this.dimension, limits)
    if (checked.length === 0) return
    const cosine = this.metric === 'cosine'
    this.run(`writing ${checked.length} vectors`, () => {
      const db = this.s.db
      const findRid = db.prepare(`SELECT rid FROM ${this.ids} WHERE id = ?`).pluck()
      const addId = db.prepare(`INSERT INTO ${this.ids} (id) VALUES (?)`)
      const update = db.prepare(cosine ? `UPDATE ${this.vectors} SET vector = ?, zero = ? WHERE rowid = ?` : `UPDATE ${this.vectors} SET vector = ? WHERE rowid = ?`)
      const insert = db.prepare(cosine ? `INSERT INTO ${this.vectors} (vector, zero, rowid) VALUES (?, ?, ?)` : `INSERT INTO ${this.vectors} (vector, rowid) VALUES (?, ?)`)
      db.transaction(() => {
        for (const { id, vector } of checked) {
          const key = idKey(id)
          const known = findRid.get(key) as number | undefined
          // vec0 wants integers bound as such (a JavaScript number binds as REAL)
          const rid = BigInt(known ?? addId.run(key).lastInsertRowid)
          const params = cosine ? [blob(vector), isZero(vector) ? 1n : 0n, rid] : [blob(vector), rid]
          ;(known === undefined ? insert : update).run(...params)
        }
      })()
    })
  }

  async count(): Promise<number> {
    this.s.live()
    return this.run('counting vectors', () => this.s.db.prepare(`SELECT count(*) FROM ${this.ids}`).pluck().get() as number)
  }

  async query(vector: Float32Array, k: number): Promise<Array<{ id: EntityId; distance: number }>> {
    this.s.live()
    checkQuery(this.entity, vector, k, this.dimension, this.metric)
    if (k === 0) return []
    if (this.metric === 'dot' || k > maxKnn) return this.bruteForce(vector, k)
    const zero = this.metric === 'cosine' ? ' AND zero = 0' : ''
    const sql = `SELECT m.id AS id, knn.distance AS distance FROM (SELECT rowid, distance FROM ${this.vectors} WHERE vector MATCH ? AND k = ?${zero}) knn CROSS JOIN ${this.ids} m ON m.rid = knn.rowid ORDER BY knn.distance`
    const rows = this.run('searching vectors', () => this.s.db.prepare(sql).all(blob(vector), k) as Array<{ id: string; distance: number | null }>)
    return rows.filter((r) => r.distance !== null).map((r) => ({ id: idFromKey(r.id), distance: r.distance! }))
  }

  /** Every vector compared with the distances of `vectorDistance`, a page at a time. */
  private bruteForce(vector: Float32Array, k: number): Array<{ id: EntityId; distance: number }> {
    const nearest = new NearestK(k)
    for (const page of this.pages()) {
      for (const row of page) nearest.offer(idFromKey(row.id), vectorDistance(this.metric, vector, vectorOf(row.vector)))
    }
    return nearest.sorted()
  }

  /** The rows in id order, a page per statement (the first read when iteration starts). */
  private *pages(): Generator<Array<{ id: string; vector: Buffer }>> {
    // the id table drives the join (CROSS JOIN keeps it outer): its index gives the order, vec0 is read by rowid
    const join = `FROM ${this.ids} m CROSS JOIN ${this.vectors} v ON v.rowid = m.rid`
    let after: string | null = null
    for (;;) {
      this.s.live()
      const last: string | null = after
      const page = this.run('reading a page of vectors', (): Array<{ id: string; vector: Buffer }> => {
        const sql: string = `SELECT m.id AS id, v.vector AS vector ${join}${last === null ? '' : ' WHERE m.id > ?'} ORDER BY m.id LIMIT ?`
        const params: unknown[] = last === null ? [this.s.pageSize] : [last, this.s.pageSize]
        return this.s.db.prepare(sql).all(...params) as Array<{ id: string; vector: Buffer }>
      })
      if (page.length > 0) yield page
      if (page.length < this.s.pageSize) return
      after = page[page.length - 1]!.id
    }
  }

  /** Runs a statement, reporting driver errors as STORE_FAILED with the entity and table. */
  private run<T>(operation: string, fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      this.s.live()
      throw storeFailure(this.site, operation, error)
    }
  }
}
