import { BackupError } from '../../errors.js'
import type { VectorCollection, VectorEntity, VectorRecord } from './types.js'

/** The error of any use of a closed vector store. */
export function closedVectorStore(kind: string, factory: string): BackupError {
  return new BackupError('STORE_FAILED', `the ${kind} vector store is closed; create a new one (${factory}(…)) to use it again`, { store: kind })
}

/**
 * The collection of an entity that has none in the store yet, asked for without options: it
 * reports no dimension or metric, counts 0, streams and finds nothing, and refuses writes (which
 * need a dimension and metric) — until the collection exists (made by a `collection(entity,
 * options)` call or another process); from then on it is that collection. `find` opens the
 * existing collection, or gives null.
 */
export function pendingCollection(entity: VectorEntity, find: () => Promise<VectorCollection | null>): VectorCollection {
  let found: VectorCollection | null = null
  const resolve = async (): Promise<VectorCollection | null> => (found ??= await find())
  return {
    get dimension() {
      return found?.dimension ?? null
    },
    get metric() {
      return found?.metric ?? null
    },
    stream() {
      return (async function* () {
        const c = await resolve()
        if (c) yield* c.stream()
      })()
    },
    async upsert(records: VectorRecord[]) {
      const c = await resolve()
      if (c) return c.upsert(records)
      if (Array.isArray(records) && records.length === 0) return
      throw new BackupError('BAD_OPTION', `${entity.fullName}: the vector store has no collection for this entity yet; create it with store.collection(entity, { dimension, metric }) before writing`, { entity: entity.fullName })
    },
    async count() {
      const c = await resolve()
      return c ? c.count() : 0
    },
    async query(vector, k) {
      const c = await resolve()
      return c ? c.query(vector, k) : []
    },
  }
}
