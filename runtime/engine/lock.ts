import { hostname } from 'node:os'
import { BackupError } from '../errors.js'
import type { BackupFs } from './fs.js'

/** What a lock file says about its holder. */
interface LockInfo {
  pid: number
  host: string
  purpose: string
  since: string
}

const HEARTBEAT_MS = 5_000
/** A lock whose holder is on another host is stale once not refreshed for this long. */
const STALE_MS = 60_000

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A held lock; `release()` removes it. */
export interface Lock {
  release(): Promise<void>
}

async function tryCreate(fs: BackupFs, file: string, info: LockInfo): Promise<boolean> {
  let handle
  try {
    handle = await fs.open(file, 'wx')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  try {
    await handle.writeFile(JSON.stringify(info))
  } catch (error) {
    // the file is ours (open wx): a torn lock (disk full) must not keep the next operation out
    await handle.close().catch(() => {})
    await fs.rm(file, { force: true }).catch(() => {})
    throw error
  }
  await handle.close()
  return true
}

async function holder(fs: BackupFs, file: string): Promise<{ info: LockInfo | null; ageMs: number } | null> {
  try {
    const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)])
    let info: LockInfo | null = null
    try {
      info = JSON.parse(text as string) as LockInfo
    } catch {
      // a lock file torn by a crash while being written: treat as stale below
    }
    return { info, ageMs: Date.now() - st.mtimeMs }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

function isStale(h: { info: LockInfo | null; ageMs: number }): boolean {
  if (!h.info) return h.ageMs > 1_000
  if (h.info.host === hostname()) return !alive(h.info.pid)
  return h.ageMs > STALE_MS
}

/**
 * Removes a stale lock without racing others that found it stale too: only the holder of
 * `<file>.break` (taken with `open(wx)`) removes it, after reading it again and finding it still
 * stale. Without this, a process acting on an old read could remove the fresh lock another process
 * had just taken, and both would hold it. Returns the removed holder, or `false` when it did not remove.
 */
async function breakStale(fs: BackupFs, file: string, self: LockInfo): Promise<{ info: LockInfo | null } | false> {
  const breaker = `${file}.break`
  if (!(await tryCreate(fs, breaker, self))) {
    // a breaker whose process died inside the few lines below
    const b = await holder(fs, breaker)
    if (b && isStale(b)) await fs.rm(breaker, { force: true })
    return false
  }
  try {
    const h = await holder(fs, file)
    if (!h || !isStale(h)) return false
    await fs.rm(file, { force: true })
    return { info: h.info }
  } finally {
    await fs.rm(breaker, { force: true })
  }
}

/**
 * Takes an exclusive lock file (`open(wx)`), refreshed while held. A lock left by a killed process
 * (same host, pid gone) or not refreshed for a minute (other host) is stale: it is removed and the
 * recovery reported through `onStale`. A live holder gives `BUSY` — or, with `waitMs`, is waited for.
 */
export async function acquireLock(
  fs: BackupFs, file: string, purpose: string, options: { waitMs?: number; what?: string; onStale?: (info: LockInfo | null) => void } = {},
): Promise<Lock> {
  const info: LockInfo = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() }
  const deadline = Date.now() + (options.waitMs ?? 0)
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(fs, file, info)) break
    const h = await holder(fs, file)
    if (h && isStale(h)) {
      const removed = await breakStale(fs, file, info)
      if (removed) options.onStale?.(removed.info)
      // another process is removing it: let it finish
      else await new Promise((r) => setTimeout(r, 5))
      continue
    }
    if (Date.now() >= deadline) {
      const by = h?.info ? `${h.info.purpose} (pid ${h.info.pid}, since ${h.info.since})` : 'another operation'
      throw new BackupError('BUSY', `${options.what ?? 'the resource'} is locked by ${by}; try again when it has finished`, { purpose: h?.info?.purpose })
    }
    await new Promise((r) => setTimeout(r, Math.min(200, 10 * 2 ** Math.min(attempt, 5))))
  }
  const beat = setInterval(() => {
    const now = new Date()
    void fs.open(file, 'r+').then((h) => h.utimes(now, now).finally(() => h.close())).catch(() => {})
  }, HEARTBEAT_MS)
  beat.unref()
  return {
    async release() {
      clearInterval(beat)
      await fs.rm(file, { force: true })
    },
  }
}
