import { BackupError } from '../errors.js'
import { diffSchemas } from '../schema/diff.js'
import type { EntityId } from '../adapters/data/types.js'
import type { BackupEntry } from './catalog.js'
import type { EngineContext, EntityHandle } from './context.js'
import type { BackupMetadata } from './metadata.js'
import type { RowAt } from './data-rows.js'
import { backupRowBatches, backupRows, idHash, IdSet, startRowChecker, verifyStructure } from './verify.js'
import { applyVectors, planVectors, type VectorRestoreReport } from './vectors/restore.js'
import { ProgressMeter, type ProgressListener } from './progress.js'

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
  /** Progress of the `verify`, `restore` and `vectors` phases. */
  onProgress?: ProgressListener
  /**
   * Runs once the backup has verified and just before the first write (never in a dry run), e.g. to
   * take a safety backup of the current rows; a throw refuses the restore with nothing written. The
   * timestamp it returns, if any, is reported as `safetyBackup`.
   */
  beforeWrite?: () => Promise<string | null>
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
  /** The timestamp of the safety backup of the entity's rows taken before this restore overwrote them. */
  safetyBackup?: string
}

/** A validated row: its id and what to write (the stored form, or the revived entity). */
interface DecodedRow {
  id: EntityId
  /** The row; `undefined` for a row a worker vouched for (then `text` is its canonical stored form). */
  row: unknown
  /** `row` is the canonical stored form (what `serialize` writes), not an entity. */
  stored: boolean
  /** The JSON text a stored `row` was parsed from, when known. */
  text?: string
}

/**
 * Validates one stored row (the error names the row, id and field). With `preferStored`, a row that
 * is exactly the canonical stored form is kept as it is (a store with `upsertStored` writes it without
 * reviving and re-serializing it), and a row a worker vouched for is kept as its text; any other valid
 * row is revived.
 */
function decodeRow(h: EntityHandle, at: RowAt, preferStored: boolean): DecodedRow {
  const { index, text } = at
  if (at.checkedId !== undefined) {
    if (preferStored) return { id: at.checkedId, row: undefined, stored: true, text }
    at = { ...at, value: JSON.parse(text!) }
  }
  const value = at.value
  let row: unknown
  let stored = false
  if (preferStored && h.codec.check(value)) {
    row = value
    stored = true
  } else {
    row = h.codec.deserialize(value, index)
  }
  const id = (row as { id?: unknown }).id
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new BackupError('ROW_INVALID', `${h.entity.fullName} row ${index}: no id (found ${JSON.stringify(id)}); every row needs a string or number id`, { row: index })
  }
  return stored && text !== undefined ? { id, row, stored, text } : { id, row, stored }
}

/** The checks every row goes through: an id, and at the end the count and no duplicate ids. */
class RowChecks {
  private ids = new IdSet()
  private rows = 0
  constructor(private ctx: EngineContext, private h: EntityHandle, private m: BackupMetadata) {}

  /** Validates one stored row and records its id. */
  row(at: RowAt, preferStored = false): DecodedRow {
    const decoded = decodeRow(this.h, at, preferStored)
    this.ids.add(decoded.id)
    this.rows++
    return decoded
  }

  /** After the last row: the count matches the metadata and no id repeats. */
  async finish(): Promise<void> {
    const { h, m } = this
    if (this.rows !== m.counts.rows) {
      throw new BackupError('CORRUPT', `${h.entity.fullName} backup ${m.timestamp}: ${this.rows} rows read, metadata says ${m.counts.rows}`, { rows: this.rows, expected: m.counts.rows })
    }
    const candidates = this.ids.duplicates()
    if (candidates.size > 0) await confirmDuplicates(this.ctx, h, m, candidates)
  }
}

/** Pass 1 (stores without transactions): decode and validate every row, count them, find duplicate ids. Writes nothing. */
async function validateAll(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, meter: ProgressMeter): Promise<void> {
  const checks = new RowChecks(ctx, h, m)
  const checker = startRowChecker(ctx, h, m)
  try {
    for await (const rows of backupRowBatches(ctx, h, m, meter.tap, checker)) {
      for (const row of rows) checks.row(row)
      meter.addRows(rows.length)
    }
  } finally {
    checker?.close()
  }
  await checks.finish()
}

/** Confirms the candidate ids against the rows; refuses with every repeat counted (`details.duplicates`) and the first few named. */
async function confirmDuplicates(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, candidates: Set<number>): Promise<void> {
  const seen = new Map<EntityId, number>()
  const examples: Array<{ id: EntityId; rows: [number, number] }> = []
  let duplicates = 0
  for await (const { value, index } of backupRows(ctx, h, m)) {
    const id = (value as { id: EntityId }).id
    if (!candidates.has(idHash(id))) continue
    const first = seen.get(id)
    if (first === undefined) seen.set(id, index)
    else if (duplicates++ < 5) examples.push({ id, rows: [first, index] })
  }
  if (duplicates === 0) return
  const named = examples.map((d) => `id ${JSON.stringify(d.id)} appears in rows ${d.rows[0]} and ${d.rows[1]}`).join(', ')
  const more = duplicates > examples.length ? ` and ${duplicates - examples.length} more` : ''
  throw new BackupError('DATA_CONFLICT', `${h.entity.fullName} backup ${m.timestamp}: ${named}${more} (${duplicates} repeated id${duplicates === 1 ? '' : 's'}); a restore would be ambiguous, so nothing was written`,
    { id: examples[0]!.id, rows: examples[0]!.rows, duplicates, examples })
}

/**
 * Applies the rows in batches (or, in a dry run, counts what would happen). With `checks`, each row
 * is validated as it is read and the count and duplicates are checked after the last one — used
 * inside a transaction, which a failure rolls back, so nothing is ever committed from a bad backup,
 * and in a dry run, which writes nothing.
 */
async function applyAll(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, options: RestoreEntityOptions, checks: RowChecks | null, trackSkipped: boolean, meter: ProgressMeter) {
  const collection = await h.collection()
  const counts = { inserted: 0, skipped: 0, overwritten: 0 }
  const skippedIds = new Set<EntityId>()
  // rows go to the store in their stored form when it takes them so (no revive → serialize → parse)
  const direct = typeof collection.upsertStored === 'function'
  // a store keeping rows as JSON text takes each row's id and text: rows need not be parsed on this thread
  const texts = direct && typeof collection.upsertTexts === 'function' && typeof collection.insertNewTexts === 'function'
  let batch: DecodedRow[] = []
  // rows that exist are kept: a store that finds the conflicts while it inserts needs no lookup first
  const insertNew = direct && !options.overwriteExisting && !options.dryRun && (texts || typeof collection.insertNewStored === 'function')
  /** The rows in their stored form, and each one's JSON text when every row has it (a store keeping text then writes nothing out again). */
  const storedOf = (rows: DecodedRow[]): [Array<Record<string, unknown>>, string[] | undefined] => [
    rows.map((b) => (b.stored ? b.row : JSON.parse(h.codec.serialize(b.row))) as Record<string, unknown>),
    rows.every((b) => b.text !== undefined) ? rows.map((b) => b.text!) : undefined,
  ]
  /** Each row's id and stored JSON text (for a store with `upsertTexts`). */
  const textsOf = (rows: DecodedRow[]): [EntityId[], string[]] => [
    rows.map((b) => b.id),
    rows.map((b) => b.text ?? (b.stored ? JSON.stringify(b.row) : h.codec.serialize(b.row))),
  ]
  const flush = async () => {
    if (batch.length === 0) return
    if (insertNew) {
      const skipped = texts ? await collection.insertNewTexts!(...textsOf(batch)) : await collection.insertNewStored!(...storedOf(batch))
      if (trackSkipped) for (const id of skipped) skippedIds.add(id)
      counts.skipped += skipped.length
      counts.inserted += batch.length - skipped.length
      batch = []
      return
    }
    const existing = await collection.existing(batch.map((b) => b.id))
    const write = options.overwriteExisting ? batch : batch.filter((b) => !existing.has(b.id))
    // kept only when vectors follow: a restore into a full store would otherwise hold every id
    if (trackSkipped && !options.overwriteExisting) for (const id of existing) skippedIds.add(id)
    if (options.overwriteExisting) counts.overwritten += existing.size
    else counts.skipped += existing.size
    counts.inserted += batch.length - existing.size
    if (!options.dryRun && write.length > 0) {
      if (texts) await collection.upsertTexts!(...textsOf(write))
      else if (direct) await collection.upsertStored!(...storedOf(write))
      else await collection.upsert(write.map((b) => b.row))
    }
    batch = []
  }
  const run = async () => {
    // a dry run keeps rows in their stored form too: it only counts them
    const preferStored = direct || options.dryRun
    // rows are checked in a worker only where nothing here needs them parsed
    const checker = texts || options.dryRun ? startRowChecker(ctx, h, m) : null
    try {
      for await (const rows of backupRowBatches(ctx, h, m, meter.tap, checker)) {
        for (const row of rows) {
          batch.push(checks ? checks.row(row, preferStored) : decodeRow(h, row, preferStored))
          if (batch.length >= ctx.batchSize) await flush()
        }
        meter.addRows(rows.length)
      }
    } finally {
      checker?.close()
    }
    await flush()
    if (checks) await checks.finish()
    meter.finish()
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
 * Restores one entity from a backup, the caller holding the entity's lock. First the structure and
 * every file's size and SHA-256 (nothing is decoded from a file that fails its checksum). Then the
 * rows: in a store with transactions they are decoded, validated and applied in one pass inside a
 * transaction that commits only after the last check (count, duplicate ids) passed — a failure rolls
 * it back, so nothing is written; a store without transactions gets a full validation pass before
 * the first write.
 */
export async function restoreEntityBackup(ctx: EngineContext, h: EntityHandle, entry: BackupEntry, options: RestoreEntityOptions): Promise<RestoreResult> {
  const startedMs = performance.now()
  const entity = h.entity.fullName
  const checked = (entry.metadata?.files ?? []).reduce((n, f) => n + f.size, 0)
  // the checksum pass, plus the validation pass of stores without transactions
  const verify = new ProgressMeter(options.onProgress, { entity, phase: 'verify', totalBytes: checked })
  verify.start()
  const m = await verifyStructure(ctx, h, entry, { checkKeys: true })
  verify.addBytes(checked)
  const dataSize = m.files.find((f) => f.role === 'data')!.size
  const schemaChanges = m.schema.fingerprint === h.codec.fingerprint ? [] : diffSchemas(m.schema.model, h.model).map((c) => c.text)
  if (schemaChanges.length) {
    ctx.logger.warn(`[koan-backup] ${h.entity.fullName} backup ${m.timestamp} was taken with another schema: ${schemaChanges.join('; ')}. Restoring only if every row fits the current schema.`)
  }
  const collection = await h.collection()
  const inTransaction = !options.dryRun && !!collection.transaction
  // a store with a constraint manager gets the full validation pass before its constraints are dropped;
  // a dry run writes nothing, so it validates in its one pass too
  const onePass = options.dryRun || (inTransaction && !(collection.disableConstraints && collection.enableConstraints))
  // vectors are planned (checked) before anything is written; that pass also validates every row
  const vectors = options.restoreVectors ? await planVectors(ctx, h, m, options.strict) : null
  if (!onePass && !vectors) {
    verify.expect({ totalRows: m.counts.rows, totalBytes: checked + dataSize })
    await validateAll(ctx, h, m, verify)
  }
  verify.finish()
  const safetyBackup = !options.dryRun && options.beforeWrite ? await options.beforeWrite() : null
  const restore = new ProgressMeter(options.onProgress, { entity, phase: 'restore', totalRows: m.counts.rows, totalBytes: dataSize })
  restore.start()
  const { counts, skippedIds } = await applyAll(ctx, h, m, options, inTransaction || options.dryRun ? new RowChecks(ctx, h, m) : null, vectors !== null, restore)
  let vectorCount = 0
  if (vectors && !options.dryRun) {
    const meter = new ProgressMeter(options.onProgress, { entity, phase: 'vectors' })
    meter.start()
    vectorCount = await applyVectors(ctx, h, m, vectors.plan, vectors.report, skippedIds)
    meter.finish(vectorCount)
  }
  return {
    entity: h.entity.fullName, timestamp: m.timestamp, entityCount: m.counts.rows, ...counts, vectorCount,
    durationMs: Math.round(performance.now() - startedMs), dryRun: options.dryRun, schemaChanges, ...(vectors ? { vectors: vectors.report } : {}),
    ...(safetyBackup ? { safetyBackup } : {}),
  }
}
