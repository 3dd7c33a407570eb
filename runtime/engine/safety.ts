import { BackupError, isBackupError } from '../errors.js'
import { listBackups } from './catalog.js'
import type { EngineContext, EntityHandle } from './context.js'
import { createEntityBackup } from './create.js'
import { EntityPaths, nextTimestamp } from './layout.js'

/**
 * Takes a safety backup of an entity's current rows before a restore with `overwriteExisting`
 * replaces them, the caller holding the entity's lock (the restore's own, not released in between).
 * Written like any backup (layout, checksums, encryption policy, Completed status) but marked
 * `kind: "safety"`: it never becomes `latest` and does not count toward `maxBackupsPerEntity`.
 * An empty store needs none (`null`). A failure refuses the restore: nothing has been written yet,
 * and the Failed record is left as for any failed backup.
 */
export async function takeSafetyBackup(ctx: EngineContext, h: EntityHandle, restoring: string, compress: boolean): Promise<string | null> {
  if ((await (await h.collection()).count()) === 0) return null
  const paths = new EntityPaths(ctx.root, h.entity.fullName)
  const taken = new Set((await listBackups(ctx, paths)).map((b) => b.timestamp))
  const timestamp = nextTimestamp(ctx.now(), (ts) => taken.has(ts))
  try {
    await createEntityBackup(ctx, h, timestamp, { compress, vectors: true, safety: { reason: `before restoring ${restoring}` } })
  } catch (error) {
    const code = isBackupError(error) ? error.code : 'STORE_FAILED'
    const why = (error as Error).message?.replace(/^\[koan-backup\] /, '') ?? String(error)
    throw new BackupError(code,
      `${h.entity.fullName}: the safety backup ${timestamp} of the current rows failed, so the restore of ${restoring} (overwriteExisting) was refused and nothing was written: ${why}. Fix the cause and retry, or pass safetyBackup: false (CLI: --no-safety-backup) to overwrite without one`,
      { safetyBackup: timestamp, restoring, ...(isBackupError(error) ? { failure: error.details } : {}) }, { cause: error })
  }
  ctx.logger.info(`[koan-backup] ${h.entity.fullName}: safety backup ${timestamp} taken before restoring ${restoring} with overwriteExisting`)
  return timestamp
}
