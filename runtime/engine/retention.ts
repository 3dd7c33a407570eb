import { join } from 'node:path'
import { BackupError } from '../errors.js'
import { listBackups, readBackup, writeLatest } from './catalog.js'
import type { EngineContext } from './context.js'
import { crashPoint, readIfExists, renameRetrying } from './fs.js'
import { dateOfTimestamp, EntityPaths, TIMESTAMP } from './layout.js'
import { updateManifest } from './manifest.js'
import { isSafety } from './metadata.js'

/** Retention policy: keep Completed backups for `retentionDays` and at most `maxBackupsPerEntity` of them. */
export interface RetentionPolicy {
  retentionDays?: number
  maxBackupsPerEntity?: number
  /**
   * The newest Completed backup of each of the last `keepDaily` days that have one is kept whatever
   * the count, so a burst of backups (a loop, a flood of requests) cannot evict the backups of
   * earlier days; the age rule still applies. `0` turns it off.
   */
  keepDaily?: number
}

/** One backup a prune removed (or would remove). */
export interface PrunedBackup {
  entity: string
  timestamp: string
  status: string
  reason: string
}

const DAY_MS = 86_400_000

/**
 * Which backups of one entity a policy removes. Only Completed regular backups count toward the
 * limits (a safety backup, `kind: 'safety'`, expires by age only);
 * the newest Completed one and the `latest` target are always kept; a backup dated in the future
 * (clock skew) is never removed for its age; Failed records are removed once older than the
 * retention period; folders whose metadata cannot be read are left alone.
 */
export function planPrune(
  backups: Array<{ timestamp: string; status: string | null; kind?: string }>, policy: RetentionPolicy, now: Date, latest: string | null,
): Array<{ timestamp: string; status: string; reason: string }> {
  // safety backups (taken before an overwriting restore) expire by age only: they are not counted
  const completed = backups.filter((b) => b.status === 'Completed' && b.kind !== 'safety')
  const newest = completed.at(-1)?.timestamp
  const keep = new Set([newest, latest].filter((x): x is string => !!x))
  const out: Array<{ timestamp: string; status: string; reason: string }> = []
  const age = (ts: string) => now.getTime() - dateOfTimestamp(ts).getTime()
  const maxAge = policy.retentionDays === undefined ? Infinity : policy.retentionDays * DAY_MS
  // the newest `max` Completed backups survive the count rule, and so does the newest of each of the
  // last `keepDaily` days that have one (time-aware: a burst today cannot evict yesterday)
  const max = policy.maxBackupsPerEntity ?? Infinity
  const overCount = new Set(completed.slice(0, Math.max(0, completed.length - max)).map((b) => b.timestamp))
  const days = new Set<string>()
  for (let i = completed.length - 1; i >= 0 && days.size < (policy.keepDaily ?? 0); i--) {
    const day = completed[i]!.timestamp.slice(0, 10)
    if (days.has(day)) continue
    days.add(day)
    overCount.delete(completed[i]!.timestamp)
  }
  for (const b of backups) {
    if (keep.has(b.timestamp) || b.status === null) continue
    if (b.status === 'Failed') {
      if (age(b.timestamp) > maxAge) out.push({ timestamp: b.timestamp, status: b.status, reason: `failed backup older than ${policy.retentionDays} days` })
      continue
    }
    if (age(b.timestamp) > maxAge) out.push({ timestamp: b.timestamp, status: b.status, reason: `older than ${policy.retentionDays} days` })
    else if (overCount.has(b.timestamp)) out.push({ timestamp: b.timestamp, status: b.status, reason: `more than ${max} backups` })
  }
  return out
}

/** Removes one backup folder: renamed aside first, so it disappears at once, then deleted. */
export async function removeBackup(ctx: EngineContext, paths: EntityPaths, timestamp: string): Promise<void> {
  const dir = paths.backup(timestamp)
  const aside = join(paths.dir, `.staging-deleting-${timestamp}`)
  await renameRetrying(ctx.fs, dir, aside)
  await ctx.fs.fsyncDir(paths.dir)
  crashPoint('mid-retention')
  await ctx.fs.rm(aside, { recursive: true, force: true })
  await updateManifest(ctx.fs, ctx.root, (entries) => entries.filter((e) => !(e.entity === paths.fullName && e.timestamp === timestamp)))
  // keep `latest` pointing at a Completed backup
  const pointer = await readIfExists(ctx.fs, paths.latest)
  if (pointer?.includes(`"${timestamp}"`)) {
    const rest = (await listBackups(ctx, paths)).filter((b) => b.metadata?.status === 'Completed' && !isSafety(b.metadata))
    const newest = rest.at(-1)
    if (newest) await writeLatest(ctx, paths, newest.timestamp, newest.metadataSha256!)
    else await ctx.fs.rm(paths.latest, { force: true })
  }
}

/** Applies the policy to one entity (the caller holds its lock). */
export async function pruneEntity(ctx: EngineContext, fullName: string, policy: RetentionPolicy, dryRun: boolean): Promise<PrunedBackup[]> {
  const paths = new EntityPaths(ctx.root, fullName)
  const backups = await listBackups(ctx, paths)
  const pointer = await readIfExists(ctx.fs, paths.latest)
  let latest: string | null = null
  try {
    latest = pointer ? (JSON.parse(pointer) as { timestamp: string }).timestamp : null
  } catch {
    latest = null
  }
  const plan = planPrune(backups.map((b) => ({ timestamp: b.timestamp, status: b.metadata?.status ?? null, ...(isSafety(b.metadata) ? { kind: 'safety' } : {}) })), policy, ctx.now(), latest)
  if (!dryRun) for (const p of plan) await removeBackup(ctx, paths, p.timestamp)
  return plan.map((p) => ({ entity: fullName, ...p }))
}

/** Deletes one backup by timestamp (the caller holds the entity's lock). */
export async function deleteEntityBackup(ctx: EngineContext, fullName: string, timestamp: string): Promise<void> {
  // the timestamp becomes a folder name: only the strict format is accepted (never `latest`, `..` or a path)
  if (!TIMESTAMP.test(timestamp)) throw new BackupError('BAD_OPTION', `timestamp ${JSON.stringify(timestamp)} is not a backup timestamp (expected e.g. 2025-10-02T15-30-45Z); deleting needs an explicit timestamp`, { timestamp })
  const paths = new EntityPaths(ctx.root, fullName)
  const entry = await readBackup(ctx, paths, timestamp)
  if (!entry.metadata && entry.problem === 'metadata.json is missing') {
    throw new BackupError('NOT_FOUND', `${fullName} has no backup ${timestamp}`, { entity: fullName, timestamp })
  }
  await removeBackup(ctx, paths, timestamp)
}
