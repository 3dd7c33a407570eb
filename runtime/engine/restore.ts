import { BackupError } from '../errors.js'
import { diffSchemas } from '../schema/diff.js'
import type { EntityId } from '../adapters/data/types.js'
import type { BackupEntry } from './catalog.js'
import type { EngineContext, EntityHandle } from './context.js'
import type { BackupMetadata } from './metadata.js'
import { backupRows, idHash, IdSet, verifyStructure } from './verify.js'
import { applyVectors, planVectors, type VectorRestoreReport } from './vectors/restore.js'

/** Options of one entity's restore. */
export interface RestoreEntityOptions {
  /** Replace rows whose id exists (`true`) or leave them untouched and count them as skipped (default). */
  overwriteExisting: boolean
  /** Report what would happen and write nothing. */
  dryRun: boolean
  /** Restore the backup's vectors into the configured vector store. */
  restoreVectors: boolean
  /** Refuse before writing when vectors cannot all be reused and no embedder is configured. */
  strict: boolean
}

/** What a restore did (or, with `dryRun`, would do). */
export interface RestoreResult {
  entity: string
  timestamp: string
  /** Rows in the backup. */
  entityCount: number
  inserted: number
  skipped: number
  overwritten: number
  vectorCount: number
  durationMs: number
  dryRun: boolean
  /** Schema drift between the backup and the current entity, in words (empty when none). */
  schemaChanges: string[]
  /** What happened to the vectors, when the backup has them and a vector store is configured. */
  vectors?: VectorRestoreReport
}

/** Pass 1: decode and validate every row, count them, find duplicate ids. Writes nothing. */
async function validateAll(ctx: EngineContext, h: EntityHandle, m: BackupMetadata): Promise<void> {
  const ids = new IdSet()
  let rows = 0
  for await (const { value, index } of backupRows(ctx, h, m)) {
    const entity = h.codec.deserialize(value, index) as { id?: EntityId }
    const id = entity.id
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new BackupError('ROW_INVALID', `${h.entity.fullName} row ${index}: no id (found ${JSON.stringify(id)}); every row needs a string or number id`, { row: index })
    }
    ids.add(id)
    rows++
  }
  if (rows !== m.counts.rows) {
    throw new BackupError('CORRUPT', `${h.entity.fullName} backup ${m.timestamp}: ${rows} rows read, metadata says ${m.counts.rows}`, { rows, expected: m.counts.rows })
  }
  const candidates = ids.duplicates()
  if (candidates.size > 0) await confirmDuplicates(ctx, h, m, candidates)
}

async function confirmDuplicates(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, candidates: Set<number>): Promise<void> {
  const seen = new Map<EntityId, number>()
  for await (const { value, index } of backupRows(ctx, h, m)) {
    const id = (value as { id: EntityId }).id
    if (!candidates.has(idHash(id))) continue
    const first = seen.get(id)
    if (first !== undefined) {
      throw new BackupError('DATA_CONFLICT', `${h.entity.fullName} backup ${m.timestamp}: id ${JSON.stringify(id)} appears in rows ${first} and ${index}; a restore would be ambiguous, so nothing was written`, { id, rows: [first, index] })
    }
    seen.set(id, index)
  }
}

/** Pass 2 (or the dry run): batches of revived rows, with which of their ids exist. */
async function applyAll(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, options: RestoreEntityOptions) {
  const collection = await h.collection()
  const counts = { inserted: 0, skipped: 0, overwritten: 0 }
  const skippedIds = new Set<EntityId>()
  let batch: Array<{ id: EntityId; row: unknown }> = []
  const flush = async () => {
    if (batch.length === 0) return
    const existing = await collection.existing(batch.map((b) => b.id))
    const write = options.overwriteExisting ? batch : batch.filter((b) => !existing.has(b.id))
    if (!options.overwriteExisting) for (const id of existing) skippedIds.add(id)
    if (options.overwriteExisting) counts.overwritten += existing.size
    else counts.skipped += existing.size
    counts.inserted += batch.length - existing.size
    if (!options.dryRun && write.length > 0) await collection.upsert(write.map((b) => b.row))
    batch = []
  }
  const run = async () => {
    for await (const { value, index } of backupRows(ctx, h, m)) {
      const row = h.codec.deserialize(value, index) as { id: EntityId }
      batch.push({ id: row.id, row })
      if (batch.length >= ctx.batchSize) await flush()
    }
    await flush()
  }
  if (options.dryRun) {
    await run()
    return { counts, skippedIds }
  }
  const constraints = collection.disableConstraints && collection.enableConstraints
  if (constraints) await collection.disableConstraints!()
  try {
    if (collection.transaction) await collection.transaction(run)
    else await run()
  } finally {
    // the constraint manager is always re-enabled, whatever happened
    if (constraints) await collection.enableConstraints!()
  }
  return { counts, skippedIds }
}

/**
 * Restores one entity from a backup, the caller holding the entity's lock: verify first (structure,
 * every file's size and SHA-256, every row decoded and validated against the current schema, the
 * count, duplicate ids), write second, in batches inside the store's transaction where it has one.
 * Anything off is refused before the first write.
 */
export async function restoreEntityBackup(ctx: EngineContext, h: EntityHandle, entry: BackupEntry, options: RestoreEntityOptions): Promise<RestoreResult> {
  const startedMs = performance.now()
  const m = await verifyStructure(ctx, h, entry)
  const schemaChanges = m.schema.fingerprint === h.codec.fingerprint ? [] : diffSchemas(m.schema.model, h.model).map((c) => c.text)
  if (schemaChanges.length) {
    ctx.logger.warn(`[koan-backup] ${h.entity.fullName} backup ${m.timestamp} was taken with another schema: ${schemaChanges.join('; ')}. Restoring only if every row fits the current schema.`)
  }
  await validateAll(ctx, h, m)
  const vectors = options.restoreVectors ? await planVectors(ctx, h, m, options.strict) : null
  const { counts, skippedIds } = await applyAll(ctx, h, m, options)
  const vectorCount = vectors && !options.dryRun ? await applyVectors(ctx, h, m, vectors.plan, vectors.report, skippedIds) : 0
  return {
    entity: h.entity.fullName, timestamp: m.timestamp, entityCount: m.counts.rows, ...counts, vectorCount,
    durationMs: Math.round(performance.now() - startedMs), dryRun: options.dryRun, schemaChanges, ...(vectors ? { vectors: vectors.report } : {}),
  }
}
