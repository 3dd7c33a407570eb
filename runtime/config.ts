import { resolve } from 'node:path'
import type { DataStore } from './adapters/data/types.js'
import type { VectorStore } from './adapters/vector/types.js'
import type { Logger } from './engine/context.js'
import type { RetentionPolicy } from './engine/retention.js'
import { BackupError } from './errors.js'

/** Encryption keys by id; each is 32 bytes (`base64:…`, `hex:…`) or `passphrase:…`. */
export interface EncryptionConfig {
  keys?: Record<string, string>
  /** Id of the key new backups are written with. @default the only key, or `KOAN_BACKUP_KEY` */
  current?: string
}

/** Run-time configuration (`export default defineBackupConfig({...})` in `koan-backup.config.ts`). */
export interface BackupConfig {
  /** Where entities live. @default an in-memory store (the embedded default) */
  data?: DataStore
  /** Where embeddings live; entities that declare an `embedding` recipe have their vectors backed up. */
  vectors?: VectorStore
  /** Computes embeddings for texts a restore cannot reuse a stored vector for (changed text, missing vector). */
  embedder?: Embedder
  /** Backup root. @default `.koan/backups`, or `/var/koan/backups` when `NODE_ENV=production` */
  path?: string
  /** Keys for entities with `encrypt: true`; `KOAN_BACKUP_KEY` adds one. */
  encryption?: EncryptionConfig
  /** What `prune()` keeps by default. @default { retentionDays: 30, maxBackupsPerEntity: 10, keepDaily: 7 } */
  retention?: RetentionPolicy
  /** gzip data files. @default true */
  compress?: boolean
  /** Rows per restore batch. @default 1000 */
  batchSize?: number
  /**
   * Backups with at least this many rows have their rows checked (parsed and validated) in worker
   * threads while the main thread writes: restores into stores that keep rows as JSON text (the memory
   * store), dry runs, the validation pass of stores without transactions, and `verify` with `readData`.
   * Rows no worker vouches for, and every row when no worker can start, are read on the main thread,
   * with the same checks and errors. `false` never starts a worker. @default 20000
   */
  rowWorkerMinRows?: number | false
  /** Where log lines and the boot report go; `false` silences them. @default console */
  logger?: Logger | false
}

/** Embeds texts with a model; returns one vector per text, in order. */
export type Embedder = (texts: string[], model: string) => Promise<Array<ArrayLike<number>>>

/** Declares the run-time configuration, typed. */
export function defineBackupConfig(config: BackupConfig): BackupConfig {
  return config
}

/** The configuration with defaults applied. */
export interface ResolvedConfig {
  path: string
  compress: boolean
  batchSize: number
  /** `Infinity` when `rowWorkerMinRows` is `false`. */
  rowWorkerMinRows: number
  retention: Required<RetentionPolicy>
  encryption: EncryptionConfig
  logger: Logger
}

const quiet: Logger = { info: () => {}, warn: () => {} }
const consoleLogger: Logger = { info: (m) => console.info(m), warn: (m) => console.warn(m) }

/** Applies the spec's defaults; a bad value is `BAD_OPTION` naming the key. */
export function resolveConfig(config: BackupConfig = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ResolvedConfig {
  const bad = (key: string, got: unknown, want: string) => new BackupError('BAD_OPTION', `config \`${key}\`: expected ${want}, got ${JSON.stringify(got)}`, { key })
  if (config.path !== undefined && (typeof config.path !== 'string' || config.path === '')) throw bad('path', config.path, 'a folder path')
  if (config.batchSize !== undefined && !(Number.isInteger(config.batchSize) && config.batchSize > 0)) throw bad('batchSize', config.batchSize, 'a positive integer')
  const minRows = config.rowWorkerMinRows
  if (minRows !== undefined && minRows !== false && !(Number.isInteger(minRows) && minRows >= 0)) throw bad('rowWorkerMinRows', minRows, 'an integer ≥ 0 or false')
  const r = config.retention ?? {}
  if (r.retentionDays !== undefined && !(typeof r.retentionDays === 'number' && r.retentionDays >= 0)) throw bad('retention.retentionDays', r.retentionDays, 'a number of days ≥ 0')
  if (r.maxBackupsPerEntity !== undefined && !(Number.isInteger(r.maxBackupsPerEntity) && r.maxBackupsPerEntity >= 1)) throw bad('retention.maxBackupsPerEntity', r.maxBackupsPerEntity, 'an integer ≥ 1')
  if (r.keepDaily !== undefined && !(Number.isInteger(r.keepDaily) && r.keepDaily >= 0)) throw bad('retention.keepDaily', r.keepDaily, 'an integer ≥ 0 (days)')
  const fallback = env.NODE_ENV === 'production' ? '/var/koan/backups' : '.koan/backups'
  return {
    path: resolve(cwd, config.path ?? fallback),
    compress: config.compress ?? true,
    batchSize: config.batchSize ?? 1000,
    rowWorkerMinRows: minRows === false ? Infinity : (minRows ?? 20_000),
    retention: { retentionDays: r.retentionDays ?? 30, maxBackupsPerEntity: r.maxBackupsPerEntity ?? 10, keepDaily: r.keepDaily ?? 7 },
    encryption: config.encryption ?? {},
    logger: config.logger === false ? quiet : (config.logger ?? consoleLogger),
  }
}
