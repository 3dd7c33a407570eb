import { BackupError } from '../errors.js'
import type { CanonicalField } from '../schema/canonical.js'
import type { PolicySource } from '../types.js'

/** The on-disk format version this runtime writes and reads. */
export const FORMAT_VERSION = 1

/** A file of a backup, with what verifies it. */
export interface BackupFileInfo {
  /** File name inside the backup folder (`data.json.gz`); never a path. */
  name: string
  /** What it holds: `data`, or `vectors/<model>`. */
  role: string
  size: number
  sha256: string
  compressed: boolean
  encrypted: boolean
}

/** `metadata.json` of a backup: everything needed to verify and restore it, and to audit it. */
export interface BackupMetadata {
  formatVersion: number
  tool: string
  status: 'Completed' | 'Failed'
  errorMessage?: string
  /**
   * `safety`: taken by a restore with `overwriteExisting` just before it wrote (never `latest`, not
   * counted by `maxBackupsPerEntity`). Absent on a regular backup (older readers ignore it).
   */
  kind?: 'safety'
  /** Why a safety backup was taken (`before restoring <timestamp>`). */
  reason?: string
  entity: { fullName: string; name: string }
  timestamp: string
  startedAt: string
  finishedAt: string
  /** `snapshot` when the store read one consistent snapshot; else each row is consistent on its own. */
  consistency: 'snapshot' | 'per-row'
  counts: { rows: number; vectors: number }
  sizeBytes: number
  files: BackupFileInfo[]
  policy: { encrypt: boolean; includeSchema: boolean; compress: boolean; source: PolicySource }
  schema: { fingerprint: string; model: CanonicalField[]; jsonSchema?: Record<string, unknown> }
  encryption?: { keyId: string; format: 'KBE1'; algorithm: 'AES-256-GCM, 64 KiB chunks' }
  /** The vectors file's model, dimension, metric and recipe hash, and how many entities had none. */
  vectors?: { model: string; dimension: number; metric: string | null; recipe: string; count: number; missing: number; orphans: number }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Parses and checks the shape of a metadata file; anything off is `CORRUPT`. */
export function parseMetadata(text: string, where: string): BackupMetadata {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new BackupError('CORRUPT', `${where}: metadata.json is not valid JSON (${(error as Error).message}); the backup cannot be trusted`, { file: 'metadata.json' })
  }
  const m = value as BackupMetadata
  const ok = isObject(value) && typeof m.formatVersion === 'number' && (m.status === 'Completed' || m.status === 'Failed') &&
    isObject(m.entity) && typeof m.entity.fullName === 'string' && typeof m.timestamp === 'string' && isObject(m.counts) &&
    typeof m.counts.rows === 'number' && Array.isArray(m.files) && m.files.every((f) => isObject(f) && typeof f.name === 'string' &&
      typeof f.size === 'number' && typeof f.sha256 === 'string' && /^[0-9a-f]{64}$/.test(f.sha256)) &&
    (m.status === 'Failed' || (isObject(m.policy) && isObject(m.schema)))
  if (!ok) throw new BackupError('CORRUPT', `${where}: metadata.json does not have the expected fields; the backup cannot be trusted`, { file: 'metadata.json' })
  return m
}

/** A safety backup (taken before an overwriting restore): never `latest`, not counted by `maxBackupsPerEntity`. */
export function isSafety(m: { kind?: unknown } | null | undefined): boolean {
  return m?.kind === 'safety'
}
