import type { PGliteInterface } from '@electric-sql/pglite'
import { chunks, storeFailure, type StoreSite } from '../data/sql.js'
import type { EntityId } from '../data/types.js'
import { checkQuery, checkRecords, type IdLimits } from './checks.js'
import { idFromKey, idKey } from './ids.js'
import type { VectorCollection, VectorEntity, VectorMetric, VectorRecord } from './types.js'

/** What the collections of one PGlite store share. */
export interface PgliteSession {
  db: PGliteInterface
  /** Throws when the store is closed. */
  live(): void
  /** Rows per page of a stream. */
  pageSize: number
}

const limits: IdLimits = { store: 'PostgreSQL', utf8: true, nul: true }
const operators: Record<VectorMetric, string> = { cosine: '<=>', l2: '<->', dot: '<#>' }
/** Rows per INSERT statement (two parameters each). */
const rowsPerInsert = 500

/**
 * A float32 vector as pgvector's text input. Nine significant digits identify every float32 and
 * pgvector reads them with `strtof` (correctly rounded), so the stored float4 is the same bits;
 * `-0` is written as such (toPrecision would drop its sign).
 */
export function pgvectorText(vector: Float32Array): string {
  let text = '['
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i]!
    text += (i === 0 ? '' : ',') + (Object.is(x, -0) ? '-0' : x.toPrecision(9))
  }
  return `${text}]`
}

/** A vector from pgvector's binary form (`vector_send`: int16 dimension, int16 unused, big-endian float4s). */
export function fromVectorSend(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(view.getInt16(0))
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 + 4 * i)
  return out
}

/**
 * One entity's vectors in a PostgreSQL table of PGlite: `id text COLLATE "C" PRIMARY KEY` (the
 * typed id key) and `vector vector(N)`. Upserts are `INSERT … ON CONFLICT (id) DO UPDATE` in one
 * transaction; streams read pages by keyset (`id > last ORDER BY id LIMIT n`), each page a
 * statement of its own (PGlite has one connection: a stream holds nothing between pages, so it
 * sees writes made meanwhile, each id once, in order); vectors are read in binary (`vector_send`).
 * Queries order by pgvector's `<=>` (1 − cos), `<->` (Euclidean) or `<#>` (−(a·b)) with index
 * scans off, so they are exact even if someone added an approximate index.
 */
export class PgliteCollection implements VectorCollection {
  private readonly site: StoreSite

  constructor(
    private readonly s: PgliteSession,
    private readonly entity: VectorEntity,
    /** The quoted, schema-qualified table. */
    private readonly table: string,
    readonly dimension: number,
    readonly metric: VectorMetric,
  ) {
    this.site = { store: 'pglite', entity: entity.fullName, table }
  }

  stream(): AsyncIterable<VectorRecord> {
    this.s.live()
    const { s, table, site } = this
    return (async function* () {
      let after: string | null = null
      for (;;) {
        s.live()
        const sql: string = `SELECT id, vector_send(vector) AS v FROM ${table}${after === null ? '' : ' WHERE id > $2'} ORDER BY id LIMIT $1`
        const params: unknown[] = after === null ? [s.pageSize] : [s.pageSize, after]
        const page: { rows: Array<{ id: string; v: Uint8Array }> } = await s.db.query<{ id: string; v: Uint8Array }>(sql, params).catch((error: unknown) => {
          s.live()
          throw storeFailure(site, 'reading a page of vectors', error)
        })
        for (const row of page.rows) {
          after = row.id
          yield { id: idFromKey(row.id), vector: fromVectorSend(row.v) }
        }
        if (page.rows.length < s.pageSize) return
      }
    })()
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    this.s.live()
    const checked = checkRecords(this.entity, records, this.dimension, limits)
    if (checked.length === 0) return
    try {
      await this.s.db.transaction(async (tx) => {
        for (const part of chunks(checked, rowsPerInsert)) {
          const values = part.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}::vector)`).join(', ')
          const params = part.flatMap((r) => [idKey(r.id), pgvectorText(r.vector)])
          await tx.query(`INSERT INTO ${this.table} (id, vector) VALUES ${values} ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector`, params)
        }
      })
    } catch (error) {
      this.s.live()
      throw storeFailure(this.site, `writing ${checked.length} vectors`, error)
    }
  }

  async count(): Promise<number> {
    this.s.live()
    try {
      return (await this.s.db.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${this.table}`)).rows[0]!.n
    } catch (error) {
      this.s.live()
      throw storeFailure(this.site, 'counting vectors', error)
    }
  }

  async query(vector: Float32Array, k: number): Promise<Array<{ id: EntityId; distance: number }>> {
    this.s.live()
    checkQuery(this.entity, vector, k, this.dimension, this.metric)
    if (k === 0) return []
    try {
      const rows = await this.s.db.transaction(async (tx) => {
        // exact: a sequential scan, whatever indexes exist
        await tx.exec('SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off')
        const sql = `SELECT id, vector ${operators[this.metric]} $1::vector AS distance FROM ${this.table} ORDER BY distance LIMIT $2`
        return (await tx.query<{ id: string; distance: number }>(sql, [pgvectorText(vector), k])).rows
      })
      // a zero vector has no cosine distance (NaN, sorted last): never a neighbour
      return rows.filter((r) => !Number.isNaN(r.distance)).map((r) => ({ id: idFromKey(r.id), distance: r.distance }))
    } catch (error) {
      this.s.live()
      throw storeFailure(this.site, 'searching vectors', error)
    }
  }
}
