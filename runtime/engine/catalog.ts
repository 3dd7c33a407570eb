import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { BackupError } from '../errors.js'
import type { EngineContext } from './context.js'
import { readIfExists, readRegularIfExists, renameRetrying, writeAtomic } from './fs.js'
import { compareTimestamps, EntityPaths, FILES, STAGING, TIMESTAMP } from './layout.js'
import { readManifest, updateManifest, upsertEntry } from './manifest.js'
import { isSafety, parseMetadata, type BackupMetadata } from './metadata.js'

/** SHA-256 (hex) of a text. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** Removes staging folders left by crashed backups (the caller holds the entity lock). */
export async function sweepStaging(ctx: EngineContext, paths: EntityPaths): Promise<number> {
  let names: string[]
  try {
    names = (await ctx.fs.readdir(paths.dir)) as string[]
  } catch {
    return 0
  }
  const orphans = names.filter((n) => STAGING.test(n))
  for (const n of orphans) await ctx.fs.rm(join(paths.dir, n), { recursive: true, force: true })
  if (orphans.length) ctx.logger.warn(`[koan-backup] ${paths.fullName}: removed ${orphans.length} incomplete backup folder(s) left by an interrupted backup`)
  return orphans.length
}

/** The `latest` pointer: a small file naming the newest Completed backup and its metadata hash. */
export async function writeLatest(ctx: EngineContext, paths: EntityPaths, timestamp: string, metadataSha256: string): Promise<void> {
  await writeAtomic(ctx.fs, paths.latest, `${JSON.stringify({ timestamp, metadataSha256 })}\n`)
}

/** When `latest` names `timestamp` (a backup that just failed), points it back at the newest Completed backup, or removes it. */
export async function restoreLatest(ctx: EngineContext, paths: EntityPaths, timestamp: string): Promise<void> {
  const pointer = await readIfExists(ctx.fs, paths.latest)
  if (!pointer?.includes(`"${timestamp}"`)) return
  const newest = (await listBackups(ctx, paths)).filter((b) => b.metadata?.status === 'Completed' && !isSafety(b.metadata) && !b.unregistered && b.timestamp !== timestamp).at(-1)
  if (newest) await writeLatest(ctx, paths, newest.timestamp, newest.metadataSha256!)
  else await ctx.fs.rm(paths.latest, { force: true })
}

/** One backup folder, with its metadata read and vouched for (or why not). */
export interface BackupEntry {
  timestamp: string
  metadata: BackupMetadata | null
  metadataSha256: string | null
  /** Why the metadata could not be read. */
  problem?: string
  /** A Completed folder that manifest.json does not vouch for (an interrupted backup between rename and manifest). */
  unregistered?: boolean
}

/** Reads one backup's metadata and its hash. */
export async function readBackup(ctx: EngineContext, paths: EntityPaths, timestamp: string): Promise<BackupEntry> {
  const where = `${paths.fullName} backup ${timestamp}`
  try {
    const text = await readRegularIfExists(ctx.fs, join(paths.backup(timestamp), FILES.metadata))
    if (text === undefined) return { timestamp, metadata: null, metadataSha256: null, problem: 'metadata.json is missing' }
    return { timestamp, metadata: parseMetadata(text, where), metadataSha256: sha256Text(text) }
  } catch (error) {
    return { timestamp, metadata: null, metadataSha256: null, problem: (error as Error).message }
  }
}

/** Every backup folder of an entity, oldest first (staging folders are never listed). */
export async function listBackups(ctx: EngineContext, paths: EntityPaths): Promise<BackupEntry[]> {
  let names: string[]
  try {
    names = (await ctx.fs.readdir(paths.dir)) as string[]
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const stamps = names.filter((n) => TIMESTAMP.test(n)).sort(compareTimestamps)
  const manifest = await readManifest(ctx.fs, ctx.root)
  const vouched = new Map(manifest?.backups.filter((b) => b.entity === paths.fullName).map((b) => [b.timestamp, b.metadataSha256]) ?? [])
  const entries = await Promise.all(stamps.map((ts) => readBackup(ctx, paths, ts)))
  for (const e of entries) if (e.metadata?.status === 'Completed' && vouched.get(e.timestamp) !== e.metadataSha256) e.unregistered = true
  return entries
}

/**
 * Registers Completed backups the manifest does not list (a run killed between the folder rename
 * and the manifest update, or a lost manifest): each is adopted only when every file's size and
 * SHA-256 match its metadata, else removed; entries whose folder is gone (a delete killed midway)
 * are dropped. The caller holds the entity's lock.
 */
export async function adoptUnregistered(ctx: EngineContext, paths: EntityPaths, verify: (entry: BackupEntry) => Promise<boolean>): Promise<void> {
  // a delete interrupted after its folder was removed leaves a manifest entry without a folder
  const folders = new Set((await listBackups(ctx, paths)).map((b) => b.timestamp))
  const gone = (await readManifest(ctx.fs, ctx.root))?.backups.filter((b) => b.entity === paths.fullName && !folders.has(b.timestamp)) ?? []
  if (gone.length) {
    await updateManifest(ctx.fs, ctx.root, (entries) => entries.filter((e) => !(e.entity === paths.fullName && !folders.has(e.timestamp))))
    ctx.logger.warn(`[koan-backup] ${paths.fullName}: removed ${gone.length} manifest entr${gone.length === 1 ? 'y' : 'ies'} whose backup folder an interrupted delete had already removed`)
  }
  for (const entry of await listBackups(ctx, paths)) {
    if (!entry.unregistered) continue
    const m = entry.metadata!
    if (await verify(entry)) {
      await updateManifest(ctx.fs, ctx.root, upsertEntry({
        entity: paths.fullName, timestamp: entry.timestamp, status: 'Completed', rows: m.counts.rows, sizeBytes: m.sizeBytes, metadataSha256: entry.metadataSha256!, finishedAt: m.finishedAt,
        ...(isSafety(m) ? { kind: 'safety' as const, ...(typeof m.reason === 'string' ? { reason: m.reason } : {}) } : {}),
      }))
      ctx.logger.warn(`[koan-backup] ${paths.fullName}: registered backup ${entry.timestamp}, which an interrupted run had written but not yet listed (its files verified)`)
    } else {
      const aside = join(paths.dir, `.staging-deleting-${entry.timestamp}`)
      await renameRetrying(ctx.fs, paths.backup(entry.timestamp), aside)
      await ctx.fs.rm(aside, { recursive: true, force: true })
      ctx.logger.warn(`[koan-backup] ${paths.fullName}: removed backup folder ${entry.timestamp}, which no manifest entry vouched for and whose files did not verify`)
    }
  }
  // `latest` is repaired only when it names no Completed, registered backup (missing, damaged, stale).
  // A pointer that is fine stays: timestamps order by the clock, not by creation, so after the clock
  // went back the "newest" timestamp can be an older backup, and only a successful create moves it.
  // Safety backups are never `latest`.
  const good = (await listBackups(ctx, paths)).filter((b) => b.metadata?.status === 'Completed' && !isSafety(b.metadata) && !b.unregistered)
  const pointer = await readIfExists(ctx.fs, paths.latest)
  let target: string | undefined
  try {
    const p = JSON.parse(pointer ?? 'null') as { timestamp?: unknown; metadataSha256?: unknown } | null
    target = good.find((b) => b.timestamp === p?.timestamp && b.metadataSha256 === p?.metadataSha256)?.timestamp
  } catch {
    // damaged: repaired below
  }
  const newest = good.at(-1)
  if (newest && !target) await writeLatest(ctx, paths, newest.timestamp, newest.metadataSha256!)
}

/**
 * Resolves `latest` or a timestamp to a backup. `latest` follows the pointer when it names a
 * Completed backup whose metadata hash still matches, or when the manifest vouches for the same hash
 * (then the backup's damaged metadata is refused by verification: no silent fallback to an older
 * backup); a missing or corrupt pointer falls back to the newest Completed backup (with a warning).
 * A timestamp must match the strict format.
 */
export async function resolveBackup(ctx: EngineContext, paths: EntityPaths, timestamp: string): Promise<BackupEntry> {
  if (timestamp !== 'latest') {
    if (!TIMESTAMP.test(timestamp)) {
      throw new BackupError('BAD_OPTION', `timestamp ${JSON.stringify(timestamp)} is not a backup timestamp (expected e.g. 2025-10-02T15-30-45Z, or 'latest')`, { timestamp })
    }
    const entry = await readBackup(ctx, paths, timestamp)
    if (!entry.metadata && entry.problem === 'metadata.json is missing') {
      throw new BackupError('NOT_FOUND', `${paths.fullName} has no backup ${timestamp}; run \`koan-backup list\` to see the backups`, { entity: paths.fullName, timestamp })
    }
    return entry
  }
  // a pointer that is a link or a folder counts as damaged ('' fails to parse below)
  const pointer = await readRegularIfExists(ctx.fs, paths.latest).catch(() => '')
  if (pointer !== undefined) {
    try {
      const p = JSON.parse(pointer) as { timestamp?: unknown; metadataSha256?: unknown }
      if (typeof p.timestamp === 'string' && TIMESTAMP.test(p.timestamp)) {
        const entry = await readBackup(ctx, paths, p.timestamp)
        if (entry.metadata?.status === 'Completed' && entry.metadataSha256 === p.metadataSha256) return entry
        // pointer and manifest agree on this backup, so its metadata.json is what is damaged: return it
        // (verification refuses it, naming the file) rather than fall back to an older backup
        const listed = (await readManifest(ctx.fs, ctx.root))?.backups.find((b) => b.entity === paths.fullName && b.timestamp === p.timestamp)
        if (listed?.status === 'Completed' && listed.metadataSha256 === p.metadataSha256 && entry.problem !== 'metadata.json is missing') return entry
      }
    } catch {
      // fall through to the scan below
    }
    ctx.logger.warn(`[koan-backup] ${paths.fullName}: the latest pointer is damaged or stale; using the newest Completed backup instead`)
  }
  const manifest = await readManifest(ctx.fs, ctx.root)
  const vouched = new Map(manifest?.backups.filter((b) => b.entity === paths.fullName).map((b) => [b.timestamp, b.metadataSha256]) ?? [])
  const all = await listBackups(ctx, paths)
  for (const entry of all.reverse()) {
    // a safety backup is restorable by its timestamp, never as `latest`
    if (entry.metadata?.status !== 'Completed' || isSafety(entry.metadata)) continue
    const sha = vouched.get(entry.timestamp)
    if (manifest && sha !== entry.metadataSha256) continue
    return entry
  }
  throw new BackupError('NOT_FOUND', `${paths.fullName} has no Completed backup to restore; create one first (backup.create)`, { entity: paths.fullName })
}
