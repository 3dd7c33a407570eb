import { compareIds } from '../data/ids.js'
import type { EntityId } from '../data/types.js'
import { anyId, checkCollectionOptions, checkQuery, checkRecords } from './checks.js'
import { NearestK, vectorDistance } from './distance.js'
import { closedVectorStore, pendingCollection } from './pending.js'
import type { VectorCollection, VectorCollectionOptions, VectorEntity, VectorMetric, VectorStore } from './types.js'

/** The embedded vector store: vectors live in this process only. */
export interface MemoryVectorStore extends VectorStore {
  readonly kind: 'memory'
  /** Releases what the store holds; idempotent. Later use fails with a clear error. */
  close(): Promise<void>
}

/** One entity's vectors: id → its own copy, never changed once stored (a write replaces it). */
interface Table {
  dimension: number
  metric: VectorMetric
  rows: Map<EntityId, Float32Array>
  /** Ids in stream order, cached until an id is added. */
  sorted: EntityId[] | null
}

/**
 * The embedded default vector store: a map per entity from id to a copy of its float32 vector.
 * Vectors are copied on the way in (a caller may reuse the array it passed) and on the way out;
 * streams iterate the collection as it was when `stream()` was called (a snapshot), in id order.
 * `query` is brute force over every vector, with the distances of {@link vectorDistance} — the
 * reference the other stores are compared to. Refuses NaN/±Infinity and vectors of another
 * dimension, like every vector store.
 */
export function memoryVectorStore(): MemoryVectorStore {
  const tables = new Map<string, Table>()
  let closed = false
  const live = (): void => {
    if (closed) throw closedVectorStore('memory', 'memoryVectorStore')
  }

  const collectionOf = (entity: VectorEntity, table: Table): VectorCollection => ({
    dimension: table.dimension,
    metric: table.metric,
    stream() {
      live()
      const ids = (table.sorted ??= [...table.rows.keys()].sort(compareIds))
      const vectors = ids.map((id) => table.rows.get(id)!)
      return (async function* () {
        for (let i = 0; i < ids.length; i++) {
          live()
          yield { id: ids[i]!, vector: vectors[i]!.slice() }
        }
      })()
    },
    async upsert(records) {
      live()
      // every record is checked before any is written: a bad one leaves the batch unwritten
      for (const { id, vector } of checkRecords(entity, records, table.dimension, anyId)) {
        if (!table.rows.has(id)) table.sorted = null
        table.rows.set(id, vector.slice())
      }
    },
    async count() {
      live()
      return table.rows.size
    },
    async query(vector, k) {
      live()
      checkQuery(entity, vector, k, table.dimension, table.metric)
      const nearest = new NearestK(k)
      for (const [id, stored] of table.rows) nearest.offer(id, vectorDistance(table.metric, vector, stored))
      return nearest.sorted()
    },
  })

  const create = (entity: VectorEntity, options: VectorCollectionOptions): Table => {
    const { dimension, metric } = checkCollectionOptions(entity, options, 65_535)
    const table: Table = { dimension, metric, rows: new Map(), sorted: null }
    tables.set(entity.fullName, table)
    return table
  }

  return {
    kind: 'memory',
    async collection(entity, options) {
      live()
      const table = tables.get(entity.fullName) ?? (options ? create(entity, options) : null)
      if (table) return collectionOf(entity, table)
      return pendingCollection(entity, async () => {
        live()
        const t = tables.get(entity.fullName)
        return t ? collectionOf(entity, t) : null
      })
    },
    async close() {
      closed = true
      tables.clear()
    },
  }
}
