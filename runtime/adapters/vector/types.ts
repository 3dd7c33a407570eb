import type { EntityId } from '../data/types.js'

/** How vectors are compared. */
export type VectorMetric = 'cosine' | 'l2' | 'dot'

/** One entity's embedding. Values are float32 and carried exactly (no re-encoding through float64 text). */
export interface VectorRecord {
  id: EntityId
  vector: Float32Array
}

/** What a vector collection is created with (a target store needs both before the first write). */
export interface VectorCollectionOptions {
  dimension: number
  metric: VectorMetric
}

/** One entity's vectors in a vector store (a table, an index). */
export interface VectorCollection {
  /** Dimension and metric when known (an existing collection reports its own). */
  readonly dimension: number | null
  readonly metric: VectorMetric | null
  /** Every vector, in id order (numbers, then strings by code point), in constant memory. */
  stream(): AsyncIterable<VectorRecord>
  /** Inserts or replaces by id; all or nothing for the batch. */
  upsert(records: VectorRecord[]): Promise<void>
  count(): Promise<number>
  /** The `k` nearest ids to `vector` under the collection's metric, nearest first. */
  query(vector: Float32Array, k: number): Promise<Array<{ id: EntityId; distance: number }>>
}

/** An entity descriptor as vector stores need it. */
export interface VectorEntity {
  fullName: string
  name: string
}

/** A vector store: hands out one collection per entity. Embedded adapters need no server. */
export interface VectorStore {
  readonly kind: string
  /** The entity's collection; `options` create it when missing (an existing one keeps its own dimension and metric). */
  collection(entity: VectorEntity, options?: VectorCollectionOptions): Promise<VectorCollection>
  close(): Promise<void>
}
