import * as nodeFs from 'node:fs'
import * as fsp from 'node:fs/promises'
import { dirname } from 'node:path'

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
  await handle.close()
  try {
    await fs.rename(tmp, file)
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
