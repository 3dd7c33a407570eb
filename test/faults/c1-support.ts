/**
 * C1 helpers: the crash invariants checked after every kill -9 (from a fresh engine, as after a
 * restart), and the canonical hash of a row set.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { countingStore, modeEngine, type Mode } from './harness.js'

/** SHA-256 over the rows' canonical JSON, sorted (restore order does not matter). */
export function rowsHash(rows: unknown[]): string {
  const lines = rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort()
  return createHash('sha256').update(lines.join('\n')).digest('hex')
}

/** The canonical hash of the dataset a child process backs up (`rows` rows of the mode's entity). */
export async function datasetHash(mode: Mode, rows: number): Promise<string> {
  const e = await modeEngine(mode)
  await e.seed(rows)
  return rowsHash(await e.rows())
}

/** Names of staging (incomplete) folders of the mode's entity. */
export function stagingDirs(root: string, mode: Mode): string[] {
  const dir = join(root, mode.fullName)
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.staging')) : []
}

/** What one post-crash check found; any violation fails the test (with the seed). */
export interface CrashCheck {
  violations: string[]
  /** The backup `latest` restored. */
  restored: string | null
  orphans: string[]
  /** The killed process left an empty lock file (the restart waited for it to go stale). */
  tornLock: boolean
}

/**
 * After a crash, from a fresh engine: every visible backup folder is Completed and verifies (with
 * `readData`) or is invisible (staging, Unregistered — never restored as such); `latest` names a
 * Completed backup whose metadata hash it carries; a restore of `latest` into an empty store gives
 * exactly the dataset; a dry-run prune never plans to remove the `latest` target or counts a
 * partial folder. `verified` caches backups already verified (they are immutable).
 */
export async function checkAfterCrash(mode: Mode, root: string, expected: string, verified: Set<string>, label: string): Promise<CrashCheck> {
  const violations: string[] = []
  // a kill between creating the lock file and writing it leaves it empty: the engine treats such a
  // lock as stale only after 1 s (its writer may still be alive), so a restart waits that long
  let tornLock = false
  for (const name of ['.lock', '../.manifest.lock']) {
    const file = join(root, mode.fullName, name)
    if (!existsSync(file)) continue
    try {
      JSON.parse(readFileSync(file, 'utf8'))
    } catch {
      tornLock = true
    }
  }
  if (tornLock) await new Promise((r) => setTimeout(r, 1100))
  const store = countingStore()
  const e = await modeEngine(mode, { path: root, store })
  const list = await e.api.list()
  for (const b of list) {
    if (b.status === 'Completed') {
      if (verified.has(b.timestamp)) continue
      try {
        await e.api.verify(b.timestamp, { readData: true })
        verified.add(b.timestamp)
      } catch (error) {
        violations.push(`${label}: listed Completed backup ${b.timestamp} does not verify: ${(error as Error).message}`)
      }
    } else if (b.status !== 'Unregistered') {
      violations.push(`${label}: visible backup ${b.timestamp} has status ${b.status}`)
    }
  }
  const pointerFile = join(root, mode.fullName, 'latest')
  if (existsSync(pointerFile)) {
    let pointer: { timestamp?: string; metadataSha256?: string } = {}
    try {
      pointer = JSON.parse(readFileSync(pointerFile, 'utf8'))
    } catch (error) {
      violations.push(`${label}: latest pointer does not parse: ${(error as Error).message}`)
    }
    const target = list.find((b) => b.timestamp === pointer.timestamp)
    if (!target || target.status !== 'Completed') violations.push(`${label}: dangling latest → ${pointer.timestamp} (${target?.status ?? 'no folder'})`)
  }
  let restored: string | null = null
  try {
    const r = await e.api.restore()
    restored = r.timestamp
    if (!list.some((b) => b.timestamp === r.timestamp && b.status === 'Completed')) violations.push(`${label}: latest restored ${r.timestamp}, not a Completed backup`)
    const got = rowsHash(await e.rows())
    if (got !== expected) violations.push(`${label}: restore of latest (${r.timestamp}) differs from the acknowledged dataset`)
  } catch (error) {
    violations.push(`${label}: restore of latest failed: ${(error as Error).message}`)
  }
  const plan = await e.backup.prune({ maxBackupsPerEntity: 1, retentionDays: 36500, dryRun: true, entities: [mode.entity] })
  for (const p of plan.removed) {
    if (p.timestamp === restored) violations.push(`${label}: retention would remove the latest target ${p.timestamp}`)
    const b = list.find((x) => x.timestamp === p.timestamp)
    if (!b || b.status !== 'Completed') violations.push(`${label}: retention counts a non-Completed folder ${p.timestamp} (${b?.status ?? 'not listed'})`)
  }
  return { violations, restored, orphans: stagingDirs(root, mode), tornLock }
}
