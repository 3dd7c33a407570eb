import { join } from 'node:path'

/** Backup timestamps: ISO UTC, filesystem-safe, with a `-N` suffix when a second already has one. */
export const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3])-[0-5]\d-[0-5]\dZ(?:-[1-9]\d{0,3})?$/

/** `2025-10-02T15-30-45Z` for a date (seconds precision). */
export function timestampOf(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/:/g, '-')}Z`
}

/** The instant a timestamp names (the suffix is ignored). */
export function dateOfTimestamp(ts: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z/.exec(ts)
  return m ? new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`) : new Date(Number.NaN)
}

/** The next unused timestamp at `date` given the ones taken: `…45Z`, then `…45Z-2`, `…45Z-3`. */
export function nextTimestamp(date: Date, taken: (ts: string) => boolean): string {
  const base = timestampOf(date)
  if (!taken(base)) return base
  for (let n = 2; n < 10_000; n++) if (!taken(`${base}-${n}`)) return `${base}-${n}`
  throw new Error(`[koan-backup] more than 9999 backups in one second (${base})`)
}

/** Sorts timestamps oldest first (lexical order is chronological, suffixes after their second). */
export function compareTimestamps(a: string, b: string): number {
  const [da, sa] = splitSuffix(a)
  const [db, sb] = splitSuffix(b)
  return da < db ? -1 : da > db ? 1 : sa - sb
}

function splitSuffix(ts: string): [string, number] {
  const i = ts.indexOf('Z')
  return [ts.slice(0, i + 1), i + 1 < ts.length ? Number(ts.slice(i + 2)) : 1]
}

/** File names inside a backup folder. */
export const FILES = {
  metadata: 'metadata.json',
  data: (compress: boolean) => (compress ? 'data.json.gz' : 'data.json'),
  latest: 'latest',
  manifest: 'manifest.json',
  lock: '.lock',
  manifestLock: '.manifest.lock',
} as const

/** Names of files a backup folder may list in its metadata (never a path built from input). */
export const DATA_FILE = /^data\.json(?:\.gz)?$/

/** Name of a vectors file: `vectors/<model>/vectors.kbv` (a model folder never `.` or `..`). */
export const VECTOR_FILE = /^vectors\/(?!\.\.?\/)[A-Za-z0-9._-]{1,100}\/vectors\.kbv$/

/** Paths of one entity's backups under the backup root. */
export class EntityPaths {
  constructor(readonly root: string, readonly fullName: string) {}

  get dir(): string {
    return join(this.root, this.fullName)
  }

  backup(ts: string): string {
    return join(this.dir, ts)
  }

  staging(ts: string, nonce: string): string {
    return join(this.dir, `.staging-${ts}-${nonce}`)
  }

  get latest(): string {
    return join(this.dir, FILES.latest)
  }

  get lock(): string {
    return join(this.dir, FILES.lock)
  }
}

/** Folder names that are staging leftovers (never visible as backups). */
export const STAGING = /^\.staging-/
