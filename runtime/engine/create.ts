import { randomBytes } from 'node:crypto'
import { BackupError, isBackupError } from '../errors.js'
import { TOOL } from '../version.js'
import type { EngineContext, EntityHandle } from './context.js'
import { join } from 'node:path'
import { writeBackupFile, writeDataFile } from './data-file.js'
import { modelDir, vectorFileBytes, type VectorCounts } from './vectors/io.js'
import { crashPoint, renameRetrying, writeAtomic } from './fs.js'
import { EntityPaths, FILES } from './layout.js'
import { upsertEntry, updateManifest } from './manifest.js'
import { FORMAT_VERSION, type BackupMetadata } from './metadata.js'
import { adoptUnregistered, restoreLatest, sha256Text, sweepStaging, writeLatest } from './catalog.js'
import { filesMatch } from './verify.js'
import { ProgressMeter, type ProgressListener } from './progress.js'

/** Options of one entity's backup. */
export interface CreateOptions {
  compress: boolean
  /** Back up the entity's vectors when it has a recipe and a vector store is configured. */
  vectors: boolean
  /** Progress of the `backup` and `vectors` phases. */
  onProgress?: ProgressListener
  /** A safety backup (taken before an overwriting restore): marked `kind: "safety"` with this reason, and never made `latest`. */
  safety?: { reason: string }
}

/** What a backup of one entity produced. */
export interface BackupResult {
  entity: string
  timestamp: string
  entityCount: number
  vectorCount: number
  durationMs: number
  sizeBytes: number
  status: 'Completed'
  encrypted: boolean
  /** Present on a safety backup. */
  kind?: 'safety'
}

function ioError(error: unknown, what: string): BackupError {
  if (isBackupError(error)) return error
  const errno = (error as NodeJS.ErrnoException).code
  if (errno) return new BackupError('IO_FAILED', `${what}: ${errno} (${(error as Error).message})`, { errno }, { cause: error })
  return new BackupError('STORE_FAILED', `${what}: ${(error as Error).message ?? String(error)}`, {}, { cause: error })
}

/** The JSON text line of each row the store streams, checking it has an id. */
function serializer(h: EntityHandle, counter: { seen: number }, meter: ProgressMeter): (row: unknown) => string {
  return (row) => {
    const id = (row as { id?: unknown } | null)?.id
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new BackupError('ROW_UNSERIALIZABLE', `${h.entity.fullName} row ${counter.seen} has no id (found ${JSON.stringify(id)}); every entity needs a string or number \`id\``, { row: counter.seen })
    }
    counter.seen++
    meter.row()
    return h.codec.serialize(row)
  }
}

/**
 * Backs up one entity into `<root>/<entity>/<timestamp>/`, the caller holding the entity's lock.
 * Written into a staging folder (data fsynced, metadata fsynced, folder fsynced), renamed into place,
 * then `latest` and the manifest are updated: the referencing object is written after what it
 * references. Any failure leaves a `Failed` record, never `latest`, and the staging folder removed.
 */
export async function createEntityBackup(ctx: EngineContext, h: EntityHandle, timestamp: string, options: CreateOptions): Promise<BackupResult> {
  const { fs } = ctx
  const paths = new EntityPaths(ctx.root, h.entity.fullName)
  const started = ctx.now()
  const startedMs = performance.now()
  const encrypt = h.entity.policy?.encrypt === true
  const keyId = encrypt ? ctx.encryption.currentKeyId() : null
  const staging = paths.staging(timestamp, randomBytes(4).toString('hex'))
  const binding = { entity: h.entity.fullName, timestamp, role: 'data' }
  try {
    if (encrypt && !keyId) {
      throw new BackupError('MISSING_KEY', `${h.entity.fullName} has encrypt: true but no encryption key is configured; set KOAN_BACKUP_KEY or encryption.keys in defineBackupConfig (backups are never written in plaintext)`, { entity: h.entity.fullName })
    }
    await fs.mkdir(paths.dir, { recursive: true })
    await sweepStaging(ctx, paths)
    await adoptUnregistered(ctx, paths, (entry) => filesMatch(ctx, h.entity.fullName, entry))
    await fs.mkdir(staging)
    const collection = await h.collection()
    const expected = await collection.count()
    const counter = { seen: 0 }
    const name = FILES.data(options.compress)
    const meter = new ProgressMeter(options.onProgress, { entity: h.entity.fullName, phase: 'backup', totalRows: expected })
    meter.start()
    const data = await writeDataFile(fs, `${staging}/${name}`, collection.stream(), serializer(h, counter, meter), {
      compress: options.compress,
      encrypt: encrypt ? () => ctx.encryption.encrypt(binding) : undefined,
      onBytes: meter.tap,
    })
    meter.finish()
    crashPoint('after-data')
    if (data.rows === 0 && expected > 0) {
      throw new BackupError('STORE_FAILED', `${h.entity.fullName}: the store reports ${expected} rows but streamed none; the backup is marked Failed rather than kept as an empty dataset`, { expected })
    }
    const vectors = options.vectors ? await backupVectors(ctx, h, staging, timestamp, encrypt, options.onProgress) : null
    const metadata: BackupMetadata = {
      formatVersion: FORMAT_VERSION,
      tool: TOOL,
      status: 'Completed',
      ...safetyFields(options),
      entity: { fullName: h.entity.fullName, name: h.entity.name },
      timestamp,
      startedAt: started.toISOString(),
      finishedAt: ctx.now().toISOString(),
      consistency: collection.capabilities.snapshot ? 'snapshot' : 'per-row',
      counts: { rows: data.rows, vectors: vectors?.counts.vectors ?? 0 },
      sizeBytes: data.size + (vectors?.file.size ?? 0),
      files: [{ name, role: 'data', size: data.size, sha256: data.sha256, compressed: options.compress, encrypted: encrypt }, ...(vectors ? [vectors.file] : [])],
      ...(vectors ? { vectors: vectors.info } : {}),
      policy: { encrypt, includeSchema: h.entity.policy?.includeSchema ?? true, compress: options.compress, source: h.entity.source },
      schema: { fingerprint: h.codec.fingerprint, model: h.model, ...(h.entity.policy?.includeSchema && h.codec.jsonSchema ? { jsonSchema: h.codec.jsonSchema } : {}) },
      ...(keyId ? { encryption: { keyId, format: 'KBE1' as const, algorithm: 'AES-256-GCM, 64 KiB chunks' as const } } : {}),
    }
    const metadataText = `${JSON.stringify(metadata, null, 2)}\n`
    await writeAtomic(fs, `${staging}/${FILES.metadata}`, metadataText)
    crashPoint('after-metadata')
    await fs.fsyncDir(staging)
    crashPoint('before-rename')
    await renameRetrying(fs, staging, paths.backup(timestamp))
    await fs.fsyncDir(paths.dir)
    crashPoint('after-rename')
    const metadataSha256 = sha256Text(metadataText)
    await updateManifest(fs, ctx.root, upsertEntry({
      entity: h.entity.fullName, timestamp, status: 'Completed', rows: data.rows, sizeBytes: data.size, metadataSha256, finishedAt: metadata.finishedAt, ...safetyFields(options),
    }))
    crashPoint('after-manifest')
    // `latest` keeps naming the user's last regular backup
    if (!options.safety) await writeLatest(ctx, paths, timestamp, metadataSha256)
    return {
      entity: h.entity.fullName, timestamp, entityCount: data.rows, vectorCount: vectors?.counts.vectors ?? 0, durationMs: Math.round(performance.now() - startedMs),
      sizeBytes: metadata.sizeBytes, status: 'Completed', encrypted: encrypt, ...(options.safety ? { kind: 'safety' as const } : {}),
    }
  } catch (error) {
    const failure = ioError(error, `backup of ${h.entity.fullName} at ${timestamp} failed`)
    await fs.rm(staging, { recursive: true, force: true }).catch(() => {})
    await recordFailure(ctx, paths, h, timestamp, started, failure, options).catch((e) => ctx.logger.warn(`[koan-backup] could not record the failed backup ${h.entity.fullName}/${timestamp}: ${(e as Error).message}`))
    // a failure after `latest` was replaced (its folder fsync) must not leave it naming this backup
    await restoreLatest(ctx, paths, timestamp).catch((e) => ctx.logger.warn(`[koan-backup] could not reset the latest pointer of ${h.entity.fullName}: ${(e as Error).message}`))
    throw failure
  }
}

/** Writes `vectors/<model>/vectors.kbv` when the entity has a recipe and a vector store holds its vectors. */
async function backupVectors(ctx: EngineContext, h: EntityHandle, staging: string, timestamp: string, encrypt: boolean, onProgress?: ProgressListener) {
  const recipe = h.entity.embedding
  const collection = await h.vectorCollection()
  if (!recipe || !collection) return null
  const counts: VectorCounts = { vectors: 0, missing: 0, orphans: 0 }
  const dimension = collection.dimension
  if (dimension === null) return null
  const header = { model: recipe.model, dimension, metric: collection.metric, recipe: recipe.recipe }
  const role = `vectors/${recipe.model}`
  const name = `vectors/${modelDir(recipe.model)}/vectors.kbv`
  await ctx.fs.mkdir(join(staging, 'vectors', modelDir(recipe.model)), { recursive: true })
  const meter = new ProgressMeter(onProgress, { entity: h.entity.fullName, phase: 'vectors' })
  meter.start()
  const written = await writeBackupFile(ctx.fs, join(staging, name), meteredChunks(vectorFileBytes(h.codec, await h.collection(), collection, header, counts), counts, meter), {
    compress: false, encrypt: encrypt ? () => ctx.encryption.encrypt({ entity: h.entity.fullName, timestamp, role }) : undefined,
    onBytes: meter.tap,
  })
  // the folders made for the file must be durable too before the staging folder is renamed into place
  await ctx.fs.fsyncDir(join(staging, 'vectors', modelDir(recipe.model)))
  await ctx.fs.fsyncDir(join(staging, 'vectors'))
  meter.finish(counts.vectors)
  if (counts.missing) ctx.logger.warn(`[koan-backup] ${h.entity.fullName}: ${counts.missing} entities have no vector in the vector store`)
  return {
    counts,
    file: { name, role, size: written.size, sha256: written.sha256, compressed: false, encrypted: encrypt },
    info: { model: recipe.model, dimension, metric: collection.metric, recipe: recipe.recipe, count: counts.vectors, missing: counts.missing, orphans: counts.orphans },
  }
}

/** Passes the vector file's chunks through, reporting the vectors encoded so far once per chunk (about 1 MiB). */
async function* meteredChunks(source: AsyncIterable<Buffer>, counts: VectorCounts, meter: ProgressMeter): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    meter.set(counts.vectors)
    yield chunk
  }
}

/** Error codes whose messages never quote row data (ids, field values): safe to store in plaintext. */
const DATA_FREE_CODES = new Set(['MISSING_KEY', 'BAD_KEY', 'IO_FAILED', 'BUSY', 'BAD_OPTION'])

/**
 * The error message written to the (plaintext) metadata and manifest of a Failed backup. For an
 * encrypted entity, a message that may quote a row (an id, a field value) is withheld there: the
 * caller still gets the whole error.
 */
function storedMessage(h: EntityHandle, failure: BackupError): string {
  if (!h.entity.policy?.encrypt || DATA_FREE_CODES.has(failure.code)) return failure.message
  return `[koan-backup] ${h.entity.fullName}: backup failed (${failure.code}); the message is not stored because the entity is encrypted and it may quote row data (the caller received it in full)`
}

/** The `kind` and `reason` fields of a safety backup's metadata and manifest entry (none for a regular one). */
function safetyFields(options: Pick<CreateOptions, 'safety'>): { kind?: 'safety'; reason?: string } {
  return options.safety ? { kind: 'safety', reason: options.safety.reason } : {}
}

/** Leaves a `Failed` backup folder (metadata only) and manifest entry; never touches `latest`. */
async function recordFailure(ctx: EngineContext, paths: EntityPaths, h: EntityHandle, timestamp: string, started: Date, failure: BackupError, options: Pick<CreateOptions, 'safety'>): Promise<void> {
  const errorMessage = storedMessage(h, failure)
  const metadata: Partial<BackupMetadata> = {
    formatVersion: FORMAT_VERSION, tool: TOOL, status: 'Failed', errorMessage, ...safetyFields(options),
    entity: { fullName: h.entity.fullName, name: h.entity.name }, timestamp, startedAt: started.toISOString(), finishedAt: ctx.now().toISOString(),
    counts: { rows: 0, vectors: 0 }, sizeBytes: 0, files: [],
  }
  const dir = paths.backup(timestamp)
  await ctx.fs.mkdir(dir, { recursive: true })
  const text = `${JSON.stringify(metadata, null, 2)}\n`
  await writeAtomic(ctx.fs, `${dir}/${FILES.metadata}`, text)
  await updateManifest(ctx.fs, ctx.root, upsertEntry({
    entity: h.entity.fullName, timestamp, status: 'Failed', rows: 0, sizeBytes: 0, metadataSha256: sha256Text(text), finishedAt: metadata.finishedAt!, errorMessage, ...safetyFields(options),
  }))
}
