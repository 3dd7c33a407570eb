import * as nodeFs from 'node:fs'
import * as fsp from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { BackupError } from '../errors.js'

/**
 * The file-system seam of the engine: every write goes through here, so tests can inject faults
 * (ENOSPC, EIO, crashes at named points) and check the order of durable steps.
 */
export interface BackupFs {
  open: typeof fsp.open
  rename: typeof fsp.rename
  mkdir: typeof fsp.mkdir
  rm: typeof fsp.rm
  readdir: typeof fsp.readdir
  readFile: typeof fsp.readFile
  stat: typeof fsp.stat
  lstat: typeof fsp.lstat
  unlink: typeof fsp.unlink
  createReadStream: typeof nodeFs.createReadStream
  /** Flushes a directory's entries (after a rename or a create) to disk. */
  fsyncDir(dir: string): Promise<void>
  /**
   * How long a rename failing with EPERM, EBUSY or EACCES is retried before the error surfaces
   * (on Windows an antivirus or indexer briefly holds files open). @default 5000
   */
  renameRetryMs?: number
}

/** Errors a rename is retried on: transient on Windows (a file held open by another process). */
const TRANSIENT_RENAME = new Set(['EPERM', 'EBUSY', 'EACCES'])

/**
 * Renames through the seam, retrying EPERM/EBUSY/EACCES with a growing delay (20 ms doubling,
 * at most 500 ms a wait) for at most `fs.renameRetryMs` (5 s); any other error, or the last one
 * once the budget is spent, surfaces unchanged. Never an unbounded loop.
 */
export async function renameRetrying(fs: BackupFs, from: string, to: string): Promise<void> {
  const budget = fs.renameRetryMs ?? 5000
  const started = Date.now()
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    try {
      return await fs.rename(from, to)
    } catch (error) {
      const left = budget - (Date.now() - started)
      if (!TRANSIENT_RENAME.has((error as NodeJS.ErrnoException).code ?? '') || left <= 0) throw error
      await new Promise((r) => setTimeout(r, Math.min(delay, left)))
    }
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined
  try {
    handle = await fsp.open(dir, 'r')
    await handle.sync()
  } catch (error) {
    // some platforms (Windows) cannot open or fsync a directory: that is not a failure there
    if ((error as NodeJS.ErrnoException).code !== 'EISDIR' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error
  } finally {
    await handle?.close()
  }
}

/** The real file system. */
export const realFs: BackupFs = {
  open: fsp.open, rename: fsp.rename, mkdir: fsp.mkdir, rm: fsp.rm, readdir: fsp.readdir, readFile: fsp.readFile,
  stat: fsp.stat, lstat: fsp.lstat, unlink: fsp.unlink, createReadStream: nodeFs.createReadStream, fsyncDir,
}

/** Named crash points: `KOAN_CRASHPOINT=<name>` kills the process there (fault-injection tests). */
export function crashPoint(name: string): void {
  if (process.env.KOAN_CRASHPOINT === name) process.kill(process.pid, 'SIGKILL')
}

/** Writes a small file durably and atomically: temp file, fsync, rename over the target, fsync the folder. */
export async function writeAtomic(fs: BackupFs, file: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  const handle = await fs.open(tmp, 'wx')
  try {
    await handle.writeFile(content)
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => {})
    await fs.rm(tmp, { force: true }).catch(() => {})
    throw error
  }
  try {
    await handle.close()
    await renameRetrying(fs, tmp, file)
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => {})
    throw error
  }
  await fs.fsyncDir(dirname(file))
}

/** Reads a file as UTF-8, or `undefined` when it does not exist. */
export async function readIfExists(fs: BackupFs, file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')) as string
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Like `readIfExists`, for files inside the backup tree: a symbolic link or anything but a regular
 * file is refused (`CORRUPT`) instead of followed, so a planted link cannot make the engine read,
 * or quote in an error, a file outside the root.
 */
export async function readRegularIfExists(fs: BackupFs, file: string): Promise<string | undefined> {
  let st
  try {
    st = await fs.lstat(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  if (!st.isFile()) throw new BackupError('CORRUPT', `${basename(file)} is a link or not a regular file; links in the backup tree are never followed`, { file: basename(file) })
  return readIfExists(fs, file)
}
