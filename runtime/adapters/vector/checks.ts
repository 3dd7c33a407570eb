import { BackupError } from '../../errors.js'
import type { EntityId } from '../data/types.js'
import { showId } from './ids.js'
import type { VectorCollectionOptions, VectorEntity, VectorMetric, VectorRecord } from './types.js'

/** The metrics every vector store knows. */
export const vectorMetrics: readonly VectorMetric[] = ['cosine', 'l2', 'dot']

/** What a store's ids cannot hold (text columns encode UTF-8; PostgreSQL text has no U+0000). */
export interface IdLimits {
  /** Store name for messages (`LanceDB`, `PGlite`). */
  store: string
  /** Ids are UTF-8 text: a lone surrogate cannot be kept, so it is refused. */
  utf8: boolean
  /** U+0000 cannot be kept, so it is refused. */
  nul: boolean
}

/** The memory store keeps any string. */
export const anyId: IdLimits = { store: 'memory', utf8: false, nul: false }

/** Refuses bad collection options with a `BAD_OPTION` error naming the option. */
export function checkCollectionOptions(entity: VectorEntity, options: VectorCollectionOptions, maxDimension: number): VectorCollectionOptions {
  const { dimension, metric } = options
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > maxDimension) {
    throw new BackupError('BAD_OPTION', `${entity.fullName}: option \`dimension\`: expected an integer from 1 to ${maxDimension}, found ${String(dimension)}`, { entity: entity.fullName })
  }
  if (!vectorMetrics.includes(metric)) {
    throw new BackupError('BAD_OPTION', `${entity.fullName}: option \`metric\`: expected one of ${vectorMetrics.join(', ')}, found ${JSON.stringify(metric)}`, { entity: entity.fullName })
  }
  return { dimension, metric }
}

/**
 * Checks a batch before anything of it is written and returns it with one record per id, the last
 * of the batch winning (as repeated upserts would). Refuses, as `ROW_UNSERIALIZABLE` naming the
 * entity and id: an id that is not a string or a finite number (or that the store cannot hold), a
 * vector that is not a Float32Array, of another dimension, or holding NaN or ±Infinity (no store
 * compares them, and pgvector refuses them).
 */
export function checkRecords(entity: VectorEntity, records: readonly VectorRecord[], dimension: number, limits: IdLimits): VectorRecord[] {
  if (!Array.isArray(records)) throw new BackupError('BAD_OPTION', `${entity.fullName}: upsert expects an array of { id, vector } records`, { entity: entity.fullName })
  const byId = new Map<EntityId, VectorRecord>()
  for (const record of records) {
    const id = checkId(entity, record?.id, limits)
    checkVector(entity, `the vector of id ${showId(id)}`, record.vector, dimension, 'ROW_UNSERIALIZABLE', { id })
    // a later record of the same id replaces an earlier one (re-inserted so order stays first-seen)
    byId.set(id, { id, vector: record.vector })
  }
  return [...byId.values()]
}

/** Refuses an id a store cannot keep exactly; `-0` becomes `0` (one id, as Map keys treat it). */
export function checkId(entity: VectorEntity, id: unknown, limits: IdLimits): EntityId {
  const refuse = (why: string) => new BackupError('ROW_UNSERIALIZABLE', `${entity.fullName}: cannot store the vector of id ${showId(id)}: ${why}`, { entity: entity.fullName, id })
  if (typeof id === 'number') {
    if (!Number.isFinite(id)) throw refuse('a number id must be finite')
    return id === 0 ? 0 : id
  }
  if (typeof id !== 'string') throw refuse('an id must be a string or a number')
  if (limits.nul && id.includes('\u0000')) throw refuse(`${limits.store} text cannot hold U+0000`)
  // with the u flag a surrogate pair is one code point: only lone surrogates match
  if (limits.utf8 && /\p{Cs}/u.test(id)) throw refuse(`it contains a lone surrogate, which ${limits.store} (UTF-8 text) cannot keep`)
  return id
}

/** Refuses a query the collection cannot answer (`BAD_OPTION`). */
export function checkQuery(entity: VectorEntity, vector: Float32Array, k: number, dimension: number, metric: VectorMetric): void {
  if (!Number.isInteger(k) || k < 0) throw new BackupError('BAD_OPTION', `${entity.fullName}: query \`k\`: expected a non-negative integer, found ${String(k)}`, { entity: entity.fullName })
  checkVector(entity, 'the query vector', vector, dimension, 'BAD_OPTION', {})
  if (metric === 'cosine' && isZero(vector)) {
    throw new BackupError('BAD_OPTION', `${entity.fullName}: the query vector is all zeros, which has no cosine distance to anything; query with a non-zero vector`, { entity: entity.fullName })
  }
}

/** True when every component is ±0 (no direction: cosine distance is undefined). */
export function isZero(vector: Float32Array): boolean {
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) return false
  return true
}

function checkVector(entity: VectorEntity, what: string, vector: unknown, dimension: number, code: 'ROW_UNSERIALIZABLE' | 'BAD_OPTION', details: Record<string, unknown>): asserts vector is Float32Array {
  const fail = (why: string) => new BackupError(code, `${entity.fullName}: ${what} ${why}`, { entity: entity.fullName, ...details })
  if (!(vector instanceof Float32Array)) throw fail(`must be a Float32Array, found ${vector === null ? 'null' : typeof vector === 'object' ? (vector.constructor?.name ?? 'object') : typeof vector}`)
  if (vector.length !== dimension) {
    throw new BackupError(code, `${entity.fullName}: ${what} has the wrong dimension: expected ${dimension}, found ${vector.length}`, { entity: entity.fullName, ...details, expected: dimension, found: vector.length })
  }
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i]!
    if (!Number.isFinite(x)) throw fail(`holds ${x} at index ${i}; vectors must be finite (NaN and ±Infinity are refused)`)
  }
}
