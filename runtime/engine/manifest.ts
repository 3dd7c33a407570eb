import { join } from 'node:path'
import { compareTimestamps, FILES } from './layout.js'
import type { BackupFs } from './fs.js'
import { readIfExists, writeAtomic } from './fs.js'
import { acquireLock } from './lock.js'

/** One backup in the global manifest. */
export interface ManifestEntry {
  entity: string
  timestamp: string
  status: 'Completed' | 'Failed'
  rows: number
  sizeBytes: number
  /** SHA-256 of the backup's metadata.json: the manifest vouches for it. */
  metadataSha256: string
  finishedAt: string
  errorMessage?: string
  /** `safety` for a backup taken before an overwriting restore (see `BackupMetadata.kind`); absent otherwise. */
  kind?: 'safety'
  reason?: string
}

/** `manifest.json`: the index of every backup under a root. Rebuilt from the folders if lost. */
export interface Manifest {
  formatVersion: 1
  updatedAt: string
  backups: ManifestEntry[]
}

/** Reads the manifest; `null` when missing or unreadable (the folders stay the source of truth). */
export async function readManifest(fs: BackupFs, root: string): Promise<Manifest | null> {
  const text = await readIfExists(fs, join(root, FILES.manifest))
  if (text === undefined) return null
  try {
    const m = JSON.parse(text) as Manifest
    return Array.isArray(m.backups) ? m : null
  } catch {
    return null
  }
}

/** Changes the manifest atomically under its lock (short critical sections: waits up to 30 s). */
export async function updateManifest(fs: BackupFs, root: string, change: (entries: ManifestEntry[]) => ManifestEntry[]): Promise<void> {
  await fs.mkdir(root, { recursive: true })
  const lock = await acquireLock(fs, join(root, FILES.manifestLock), 'manifest update', { waitMs: 30_000, what: 'manifest.json' })
  try {
    const current = (await readManifest(fs, root))?.backups ?? []
    const backups = change(current).sort((a, b) => (a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : compareTimestamps(a.timestamp, b.timestamp)))
    const manifest: Manifest = { formatVersion: 1, updatedAt: new Date().toISOString(), backups }
    await writeAtomic(fs, join(root, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`)
  } finally {
    await lock.release()
  }
}

/** Adds or replaces the entry of one backup. */
export function upsertEntry(entry: ManifestEntry): (entries: ManifestEntry[]) => ManifestEntry[] {
  return (entries) => [...entries.filter((e) => !(e.entity === entry.entity && e.timestamp === entry.timestamp)), entry]
}
