import { memoryStore } from '../adapters/data/memory.js'
import type { DataStore } from '../adapters/data/types.js'
import { resolveConfig, type BackupConfig, type ResolvedConfig } from '../config.js'
import { BackupError, isBackupError } from '../errors.js'
import { formatReport } from '../report.js'
import type { EntityCodec } from '../schema/codec.js'
import type { BackupRegistry } from '../types.js'
import { listBackups, resolveBackup } from './catalog.js'
import type { EngineContext, EntityHandle } from './context.js'
import { createEntityBackup, type BackupResult } from './create.js'
import { makeEncryption } from './encryption.js'
import { openBackup, type OpenedBackup } from './export.js'
import { realFs, type BackupFs } from './fs.js'
import type { ProgressListener } from './progress.js'
import { EntityHandles } from './handles.js'
import { EntityPaths, nextTimestamp } from './layout.js'
import { isSafety } from './metadata.js'
import { acquireLock, type Lock } from './lock.js'
import { deleteEntityBackup, pruneEntity, type PrunedBackup, type RetentionPolicy } from './retention.js'
import { restoreEntityBackup, type RestoreResult } from './restore.js'
import { takeSafetyBackup } from './safety.js'
import { verifyStructure, backupRowBatches, rowSample, startRowChecker, type VerifyReport } from './verify.js'

/** Options of `create` / `createFor`. */
export interface BackupOptions {
  /**
   * What to back up: `['data']` skips the vectors. Rows are always part of a backup (a restore
   * matches each vector to its row's text), so `include` must contain `'data'`. @default ['data', 'vectors']
   */
  include?: Array<'data' | 'vectors'>
  /** Entities by class, class name or full name. @default every included entity */
  entities?: unknown[]
  /** Backup root for this call. @default the configured path */
  path?: string
  /** gzip the data files. @default the configured `compress` (true) */
  compress?: boolean
  /** Progress of each entity's `backup` and `vectors` phases, every 1000 rows and at each phase's end. @default none */
  onProgress?: ProgressListener
}

/** Options of `restore`. */
export interface RestoreOptions {
  /** Which backup: a timestamp or `'latest'`. @default 'latest' */
  timestamp?: string
  entities?: unknown[]
  path?: string
  /** Replace rows whose id exists. @default false (they are skipped and counted) */
  overwriteExisting?: boolean
  /** Restore vectors where the backup has them. @default true */
  restoreVectors?: boolean
  /** Report what would be inserted, skipped and overwritten; write nothing. @default false */
  dryRun?: boolean
  /** Refuse (before writing) when some vectors cannot be reused and no embedder is configured. @default false */
  strict?: boolean
  /**
   * With `overwriteExisting` (not a dry run), first back up the entity's current rows when it has any,
   * under the restore's lock: a safety backup (`kind: 'safety'`), never `latest`, not counted by
   * `maxBackupsPerEntity`, restorable by its timestamp (`RestoreResult.safetyBackup`). If it fails,
   * the restore is refused before writing. @default true
   */
  safetyBackup?: boolean
  /** Progress of each entity's `verify`, `restore` and `vectors` phases, every 1000 rows and at each phase's end. @default none */
  onProgress?: ProgressListener
}

/** Options of `verify`. */
export interface VerifyOptions {
  /** Decode and validate the rows, not only the files' sizes and checksums. @default false */
  readData?: boolean
  /**
   * With `readData`, validate only this percentage of the rows (0 < subset ≤ 100), chosen by a hash of
   * each row's id, so the same rows are sampled every time. Every row is still read and counted. @default 100
   */
  subset?: number
}

/** The result of a backup of several entities (one timestamp). */
export interface BackupSetResult {
  timestamp: string
  entities: BackupResult[]
  entityCount: number
  vectorCount: number
  durationMs: number
  sizeBytes: number
}

/** The result of a restore of several entities: the per-entity results and their sums. */
export interface RestoreSetResult extends Pick<RestoreResult, 'entityCount' | 'inserted' | 'skipped' | 'overwritten' | 'vectorCount' | 'durationMs' | 'dryRun'> {
  entities: RestoreResult[]
}

/** One backup as listed. */
export interface BackupInfo {
  entity: string
  timestamp: string
  /** `Unregistered`: complete on disk but not yet in manifest.json (registered by the next backup after its files verify). */
  status: 'Completed' | 'Failed' | 'Unreadable' | 'Unregistered'
  entityCount: number
  vectorCount: number
  sizeBytes: number
  encrypted: boolean
  startedAt?: string
  finishedAt?: string
  errorMessage?: string
  latest: boolean
  /** `safety`: taken before an overwriting restore (never `latest`); absent for a regular backup. */
  kind?: 'safety'
  /** Why a safety backup was taken (`before restoring <timestamp>`). */
  reason?: string
}

/** What can be backed up (the spec's capabilities document). */
export interface Capabilities {
  availableSources: string[]
  /** By class name; a class name two included entities share is keyed by each full name instead. */
  entities: Record<string, { fullTypeName: string; availableSources: string[]; encrypt: boolean; includeSchema: boolean }>
  warnings: string[]
}

/** Per-entity operations (`backup.Media`). */
export interface EntityBackupApi {
  create(options?: Omit<BackupOptions, 'entities'>): Promise<BackupResult>
  restore(options?: Omit<RestoreOptions, 'entities'>): Promise<RestoreResult>
  list(): Promise<BackupInfo[]>
  info(timestamp?: string): Promise<BackupInfo & { metadata: unknown }>
  verify(timestamp?: string, options?: VerifyOptions): Promise<VerifyReport>
  delete(timestamp: string): Promise<void>
  /** Opens a Completed backup's files (metadata.json and those it lists; links refused) for reading, e.g. to stream an archive. */
  open(timestamp?: string): Promise<OpenedBackup>
}

/** The `backup` object of `koan-backup/registry`. */
export interface BackupApi {
  create(options?: BackupOptions): Promise<BackupSetResult>
  createFor(entities: unknown[], options?: Omit<BackupOptions, 'entities'>): Promise<BackupSetResult>
  restore(options?: RestoreOptions): Promise<RestoreSetResult>
  capabilities(): Capabilities
  list(): Promise<BackupInfo[]>
  prune(options?: RetentionPolicy & { dryRun?: boolean; entities?: unknown[] }): Promise<{ dryRun: boolean; removed: PrunedBackup[] }>
  /** Per-entity operations by class name or full name. */
  entity(ref: unknown): EntityBackupApi
  /** Replaces the run-time configuration (data store, path, keys, …). */
  configure(config: BackupConfig): void
  /** The boot report (inventory, sources, path) as text. */
  report(): string
  /** The data store in use. */
  readonly store: DataStore
  /** The backup root in use (absolute). */
  readonly path: string
}

/** What the generated module passes in. */
export interface BackupRuntimeInput {
  registry: BackupRegistry
  codecs: Record<string, EntityCodec>
  /** Entity classes by full name (for `createFor([Media])`). */
  classes: Record<string, unknown>
  config?: BackupConfig
  /** The file-system seam (tests inject faults here). */
  fs?: BackupFs
  now?: () => Date
}

function aggregate(kind: 'backup' | 'restore', failures: Array<{ entity: string; error: unknown }>, results: unknown[]): BackupError {
  const first = failures[0]!.error
  const code = isBackupError(first) ? first.code : 'STORE_FAILED'
  const lines = failures.map((f) => `${f.entity}: ${(f.error as Error).message.replace(/^\[koan-backup\] /, '')}`)
  return new BackupError(code, `${kind} failed for ${failures.length} entit${failures.length === 1 ? 'y' : 'ies'}: ${lines.join('; ')}`, { failures: failures.map((f) => ({ entity: f.entity, code: isBackupError(f.error) ? f.error.code : undefined, message: (f.error as Error).message })), results }, { cause: first })
}

/** Builds the run-time API over the registry, codecs and configuration. */
export function createBackup(input: BackupRuntimeInput): BackupApi {
  let config: BackupConfig = input.config ?? {}
  let resolved: ResolvedConfig = resolveConfig(config)
  let store: DataStore = config.data ?? memoryStore()
  let reported = false
  const handles = new EntityHandles(input.registry, input.codecs, input.classes, () => store, () => config.vectors ?? null)
  const fs = input.fs ?? realFs
  const context = (path?: string): EngineContext => {
    if (!reported) {
      reported = true
      resolved.logger.info(api.report())
    }
    return {
      fs, root: path ? resolveConfig({ ...config, path }).path : resolved.path, registry: input.registry, codecs: input.codecs, store,
      vectors: config.vectors ?? null, embedder: config.embedder ?? null,
      encryption: makeEncryption(resolved.encryption), logger: resolved.logger, now: input.now ?? (() => new Date()), batchSize: resolved.batchSize, rowWorkerMinRows: resolved.rowWorkerMinRows,
    }
  }
  const pick = (refs: unknown[] | undefined): EntityHandle[] => (refs === undefined ? handles.all() : refs.map((r) => handles.get(r, input.registry.entities)))
  const lockFor = (ctx: EngineContext, h: EntityHandle, purpose: string): Promise<Lock> =>
    ctx.fs.mkdir(new EntityPaths(ctx.root, h.entity.fullName).dir, { recursive: true }).then(() =>
      acquireLock(ctx.fs, new EntityPaths(ctx.root, h.entity.fullName).lock, purpose, {
        what: `${h.entity.fullName}`,
        onStale: (info) => ctx.logger.warn(`[koan-backup] ${h.entity.fullName}: removed a stale lock${info ? ` of pid ${info.pid} (${info.purpose})` : ''}`),
      }))
  const withLocks = async <R>(ctx: EngineContext, list: EntityHandle[], purpose: string, fn: () => Promise<R>): Promise<R> => {
    const held: Lock[] = []
    try {
      for (const h of [...list].sort((a, b) => (a.entity.fullName < b.entity.fullName ? -1 : 1))) held.push(await lockFor(ctx, h, purpose))
      return await fn()
    } finally {
      for (const l of held.reverse()) await l.release()
    }
  }

  const createSet = async (list: EntityHandle[], options: Omit<BackupOptions, 'entities'> = {}): Promise<BackupSetResult> => {
    if (options.include && !options.include.includes('data')) {
      throw new BackupError('BAD_OPTION', `create: \`include\` ${JSON.stringify(options.include)} leaves out 'data'; a backup always holds the rows (a restore matches each vector to its row's text). Use ['data', 'vectors'] (the default) or ['data'] to skip the vectors`, { key: 'include' })
    }
    const ctx = context(options.path)
    const started = performance.now()
    return withLocks(ctx, list, 'backup', async () => {
      // one timestamp for the whole set, unused by every entity in it (unique even within a second)
      const taken = new Set<string>()
      for (const h of list) for (const b of await listBackups(ctx, new EntityPaths(ctx.root, h.entity.fullName))) taken.add(b.timestamp)
      const timestamp = nextTimestamp(ctx.now(), (ts) => taken.has(ts))
      const results: BackupResult[] = []
      const failures: Array<{ entity: string; error: unknown }> = []
      for (const h of list) {
        try {
          results.push(await createEntityBackup(ctx, h, timestamp, { compress: options.compress ?? resolved.compress, vectors: options.include?.includes('vectors') ?? true, onProgress: options.onProgress }))
        } catch (error) {
          failures.push({ entity: h.entity.fullName, error })
        }
      }
      if (failures.length) throw aggregate('backup', failures, results)
      return {
        timestamp, entities: results, entityCount: results.reduce((n, r) => n + r.entityCount, 0), vectorCount: results.reduce((n, r) => n + r.vectorCount, 0),
        durationMs: Math.round(performance.now() - started), sizeBytes: results.reduce((n, r) => n + r.sizeBytes, 0),
      }
    })
  }

  const restoreSet = async (list: EntityHandle[], options: RestoreOptions = {}): Promise<RestoreSetResult> => {
    const ctx = context(options.path)
    const started = performance.now()
    return withLocks(ctx, list, options.dryRun ? 'restore (dry run)' : 'restore', async () => {
      const results: RestoreResult[] = []
      const failures: Array<{ entity: string; error: unknown }> = []
      for (const h of list) {
        try {
          const entry = await resolveBackup(ctx, new EntityPaths(ctx.root, h.entity.fullName), options.timestamp ?? 'latest')
          // the safety backup is taken under the lock this restore holds, after the backup verified
          const safety = options.overwriteExisting === true && options.safetyBackup !== false
          results.push(await restoreEntityBackup(ctx, h, entry, {
            overwriteExisting: options.overwriteExisting ?? false, dryRun: options.dryRun ?? false,
            restoreVectors: options.restoreVectors ?? true, strict: options.strict ?? false, onProgress: options.onProgress,
            ...(safety ? { beforeWrite: () => takeSafetyBackup(ctx, h, entry.timestamp, resolved.compress) } : {}),
          }))
        } catch (error) {
          failures.push({ entity: h.entity.fullName, error })
        }
      }
      if (failures.length) throw aggregate('restore', failures, results)
      const sum = (k: 'entityCount' | 'inserted' | 'skipped' | 'overwritten') => results.reduce((n, r) => n + r[k], 0)
      return {
        entities: results, entityCount: sum('entityCount'), inserted: sum('inserted'), skipped: sum('skipped'), overwritten: sum('overwritten'),
        vectorCount: results.reduce((n, r) => n + r.vectorCount, 0), durationMs: Math.round(performance.now() - started), dryRun: options.dryRun ?? false,
      }
    })
  }

  const info = async (ctx: EngineContext, h: EntityHandle, latest: string | null, timestamp: string): Promise<BackupInfo & { metadata: unknown }> => {
    const entry = await resolveBackup(ctx, new EntityPaths(ctx.root, h.entity.fullName), timestamp)
    return toInfo(h.entity.fullName, entry.timestamp, entry.metadata, latest === entry.timestamp, entry.problem)
  }

  const entityApi = (h: EntityHandle): EntityBackupApi => ({
    create: async (options) => (await createSet([h], options)).entities[0]!,
    restore: async (options) => (await restoreSet([h], options)).entities[0]!,
    list: async () => {
      const ctx = context()
      const paths = new EntityPaths(ctx.root, h.entity.fullName)
      const latest = await latestOf(ctx, paths)
      return (await listBackups(ctx, paths)).map((b) => {
        const info = toInfo(h.entity.fullName, b.timestamp, b.metadata, b.timestamp === latest, b.problem)
        return b.unregistered ? { ...info, status: 'Unregistered' as const } : info
      })
    },
    info: async (timestamp = 'latest') => {
      const ctx = context()
      return info(ctx, h, await latestOf(ctx, new EntityPaths(ctx.root, h.entity.fullName)), timestamp)
    },
    verify: async (timestamp = 'latest', options = {}) => {
      const subset = options.subset ?? 100
      if (typeof subset !== 'number' || !(subset > 0 && subset <= 100)) {
        throw new BackupError('BAD_OPTION', `verify \`subset\`: expected a percentage above 0 and at most 100, got ${JSON.stringify(options.subset)}`, { key: 'subset' })
      }
      const ctx = context()
      const entry = await resolveBackup(ctx, new EntityPaths(ctx.root, h.entity.fullName), timestamp)
      const m = await verifyStructure(ctx, h, entry)
      let rows = m.counts.rows
      let checked = 0
      if (options.readData) {
        rows = 0
        const sampled = rowSample(subset)
        // a row the worker vouched for is in the canonical form: valid, nothing left to check
        const checker = startRowChecker(ctx, h, m)
        try {
          for await (const batch of backupRowBatches(ctx, h, m, undefined, checker)) {
            for (const row of batch) {
              if (sampled(row)) {
                if (row.checkedId === undefined) h.codec.deserialize(row.value, row.index)
                checked++
              }
            }
            rows += batch.length
          }
        } finally {
          checker?.close()
        }
        if (rows !== m.counts.rows) throw new BackupError('CORRUPT', `${h.entity.fullName} backup ${m.timestamp}: ${rows} rows read, metadata says ${m.counts.rows}`)
      }
      return {
        entity: h.entity.fullName, timestamp: m.timestamp, rows, files: m.files.length, dataRead: options.readData === true,
        ...(options.readData && subset < 100 ? { sampled: { percent: subset, rows: checked } } : {}),
      }
    },
    delete: async (timestamp) => {
      const ctx = context()
      await withLocks(ctx, [h], 'delete', () => deleteEntityBackup(ctx, h.entity.fullName, timestamp))
    },
    open: async (timestamp = 'latest') => {
      const ctx = context()
      const paths = new EntityPaths(ctx.root, h.entity.fullName)
      return openBackup(ctx, paths, await resolveBackup(ctx, paths, timestamp))
    },
  })

  const api: BackupApi = {
    create: (options = {}) => createSet(pick(options.entities), options),
    createFor: (entities, options = {}) => createSet(pick(entities), options),
    restore: (options = {}) => restoreSet(pick(options.entities), options),
    capabilities: () => {
      const entities: Capabilities['entities'] = {}
      let vectors = false
      // keyed by class name; a class name two included entities share is keyed by full name instead
      const shared = new Set(handles.all().map((h) => h.entity.name).filter((n, i, all) => all.indexOf(n) !== i))
      for (const h of handles.all()) {
        const sources = config.vectors && h.entity.embedding ? ['data', 'vectors'] : ['data']
        vectors ||= sources.length > 1
        entities[shared.has(h.entity.name) ? h.entity.fullName : h.entity.name] = { fullTypeName: h.entity.fullName, availableSources: sources, encrypt: h.entity.policy!.encrypt, includeSchema: h.entity.policy!.includeSchema }
      }
      const warnings = input.registry.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`)
      return { availableSources: vectors ? ['data', 'vectors'] : ['data'], entities, warnings }
    },
    list: async () => {
      const out: BackupInfo[] = []
      for (const h of handles.all()) out.push(...(await entityApi(h).list()))
      return out
    },
    prune: async (options = {}) => {
      const ctx = context()
      const policy = {
        retentionDays: options.retentionDays ?? resolved.retention.retentionDays,
        maxBackupsPerEntity: options.maxBackupsPerEntity ?? resolved.retention.maxBackupsPerEntity,
        keepDaily: options.keepDaily ?? resolved.retention.keepDaily,
      }
      const removed: PrunedBackup[] = []
      for (const h of pick(options.entities)) {
        removed.push(...(await withLocks(ctx, [h], 'prune', () => pruneEntity(ctx, h.entity.fullName, policy, options.dryRun ?? false))))
      }
      return { dryRun: options.dryRun ?? false, removed }
    },
    entity: (ref) => entityApi(handles.get(ref, input.registry.entities)),
    configure: (next) => {
      config = next
      resolved = resolveConfig(config)
      store = config.data ?? memoryStore()
      handles.reset(() => store)
    },
    report: () => formatReport(input.registry, { path: resolved.path, sources: api.capabilities().availableSources }),
    get store() {
      return store
    },
    get path() {
      return resolved.path
    },
  }
  // `backup.Media`: per-entity operations under each unique class name
  for (const h of handles.all()) {
    const clash = handles.all().filter((x) => x.entity.name === h.entity.name).length > 1
    if (!clash && !(h.entity.name in api)) Object.defineProperty(api, h.entity.name, { enumerable: true, get: () => entityApi(h) })
  }
  return api
}

async function latestOf(ctx: EngineContext, paths: EntityPaths): Promise<string | null> {
  try {
    return (await resolveBackup(ctx, paths, 'latest')).timestamp
  } catch {
    return null
  }
}

function toInfo(entity: string, timestamp: string, m: import('./metadata.js').BackupMetadata | null, latest: boolean, problem?: string): BackupInfo & { metadata: unknown } {
  if (!m) return { entity, timestamp, status: 'Unreadable', entityCount: 0, vectorCount: 0, sizeBytes: 0, encrypted: false, latest, errorMessage: problem, metadata: null }
  return {
    entity, timestamp, status: m.status, entityCount: m.counts.rows, vectorCount: m.counts.vectors, sizeBytes: m.sizeBytes,
    encrypted: m.files.some((f) => f.encrypted), startedAt: m.startedAt, finishedAt: m.finishedAt, latest,
    ...(m.errorMessage ? { errorMessage: m.errorMessage } : {}),
    ...(isSafety(m) ? { kind: 'safety' as const, ...(typeof m.reason === 'string' ? { reason: m.reason } : {}) } : {}), metadata: m,
  }
}
