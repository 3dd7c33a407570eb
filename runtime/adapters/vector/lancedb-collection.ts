import type * as Arrow from 'apache-arrow'
import type * as LanceDb from '@lancedb/lancedb'
import { storeFailure, type StoreSite } from '../data/sql.js'
import type { EntityId } from '../data/types.js'
import { checkQuery, checkRecords, type IdLimits } from './checks.js'
import { idFromKey } from './ids.js'
import { lanceBatch, lanceLiteral, lanceRows } from './lancedb-arrow.js'
import type { VectorCollection, VectorEntity, VectorMetric, VectorRecord } from './types.js'

/** What the collections of one LanceDB store share. */
export interface LanceSession {
  arrow: typeof Arrow
  connection: LanceDb.Connection
  /** Throws when the store is closed. */
  live(): void
  /** Rows per page of a stream. */
  pageSize: number
}

const limits: IdLimits = { store: 'LanceDB', utf8: true, nul: false }

/**
 * One entity's vectors in a LanceDB table. Upserts are one merge-insert on `id` (one commit: all or
 * nothing). Streams pin the table version current when they start (a snapshot) and read it in
 * pages of `pageSize` ordered by `id` (`id > last ORDER BY id LIMIT n`: memory bounded by a page).
 * Queries are exact flat searches (`bypassVectorIndex`, even if an ANN index exists), with
 * LanceDB's distances turned into koan-backup's: `l2` is squared there (square root taken) and
 * `dot` is 1 − a·b there (1 subtracted, giving −(a·b)); `cosine` is 1 − cos in both.
 */
export class LanceCollection implements VectorCollection {
  private readonly site: StoreSite

  constructor(
    private readonly s: LanceSession,
    private readonly entity: VectorEntity,
    private readonly table: LanceDb.Table,
    private readonly schema: Arrow.Schema,
    readonly dimension: number,
    readonly metric: VectorMetric,
  ) {
    this.site = { store: 'lancedb', entity: entity.fullName, table: table.name }
  }

  stream(): AsyncIterable<VectorRecord> {
    this.s.live()
    const { s, table, dimension, site } = this
    return (async function* () {
      let snapshot: LanceDb.Table | null = null
      try {
        const version = await table.version()
        snapshot = await s.connection.openTable(table.name)
        await snapshot.checkout(version)
      } catch (error) {
        snapshot?.close()
        s.live()
        throw storeFailure(site, 'opening a snapshot to stream', error)
      }
      try {
        let after: string | null = null
        for (;;) {
          s.live()
          let query = snapshot.query().select(['id', 'vector'])
          if (after !== null) query = query.where(`id > ${lanceLiteral(after)}`)
          const page = await query.orderBy({ columnName: 'id', ascending: true }).limit(s.pageSize).toArrow().catch((error: unknown) => {
            s.live()
            throw storeFailure(site, 'reading a page of vectors', error)
          })
          for (const [key, vector] of lanceRows(page, dimension)) {
            after = key
            yield { id: idFromKey(key), vector }
          }
          if (page.numRows < s.pageSize) return
        }
      } finally {
        snapshot.close()
      }
    })()
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    this.s.live()
    const checked = checkRecords(this.entity, records, this.dimension, limits)
    if (checked.length === 0) return
    const batch = lanceBatch(this.s.arrow, this.schema, checked, this.dimension)
    try {
      await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(batch)
    } catch (error) {
      this.s.live()
      throw storeFailure(this.site, `writing ${checked.length} vectors`, error)
    }
  }

  async count(): Promise<number> {
    this.s.live()
    try {
      return await this.table.countRows()
    } catch (error) {
      this.s.live()
      throw storeFailure(this.site, 'counting vectors', error)
    }
  }

  async query(vector: Float32Array, k: number): Promise<Array<{ id: EntityId; distance: number }>> {
    this.s.live()
    checkQuery(this.entity, vector, k, this.dimension, this.metric)
    if (k === 0) return []
    let rows: Array<{ id: string; _distance: number }>
    try {
      rows = await this.table.vectorSearch(vector.slice()).column('vector').distanceType(this.metric).bypassVectorIndex().select(['id', '_distance']).limit(k).toArray()
    } catch (error) {
      this.s.live()
      throw storeFailure(this.site, 'searching vectors', error)
    }
    const convert = this.metric === 'l2' ? Math.sqrt : this.metric === 'dot' ? (d: number) => d - 1 : (d: number) => d
    // a zero vector has no cosine distance (NaN): never a neighbour
    return rows.filter((r) => !Number.isNaN(r._distance)).map((r) => ({ id: idFromKey(r.id), distance: convert(r._distance) }))
  }
}
