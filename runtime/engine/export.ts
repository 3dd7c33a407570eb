import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { BackupError } from '../errors.js'
import type { BackupEntry } from './catalog.js'
import type { EngineContext } from './context.js'
import { DATA_FILE, EntityPaths, FILES, VECTOR_FILE } from './layout.js'

/** One file of an opened backup: its name inside the backup folder and a reader of exactly its bytes. */
export interface OpenedFile {
  /** Relative name with forward slashes (`metadata.json`, `data.json.gz`, `vectors/<model>/vectors.kbv`). */
  name: string
  size: number
  mtimeMs: number
  sha256: string
  /** Reads the file's bytes; throws `CORRUPT` when they do not match the size or SHA-256 of the metadata. */
  read(chunkSize?: number): AsyncGenerator<Uint8Array>
}

/** A Completed backup whose files are open for reading (e.g. to stream an archive); `close()` releases them. */
export interface OpenedBackup {
  entity: string
  name: string
  timestamp: string
  files: OpenedFile[]
  close(): Promise<void>
}

// O_NOFOLLOW does not exist on Windows; the lstat/fstat comparison below still refuses links there
const NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)

function corrupt(where: string, what: string, file?: string): BackupError {
  return new BackupError('CORRUPT', `${where}: ${what}; run \`koan-backup verify\` for details`, file ? { file } : {})
}

/**
 * Opens a Completed backup's `metadata.json` and the files its metadata lists, for reading.
 * Only known file names are opened; every folder below the root and every file is checked with
 * `lstat` (a link is refused, never followed), opened with `O_NOFOLLOW`, and compared with `fstat`
 * (same inode, regular file, the size the metadata gives).
 */
export async function openBackup(ctx: EngineContext, paths: EntityPaths, entry: BackupEntry): Promise<OpenedBackup> {
  const where = `${paths.fullName} backup ${entry.timestamp}`
  const m = entry.metadata
  if (!m) throw corrupt(where, (entry.problem ?? 'metadata.json cannot be read').replace(/^\[koan-backup\] /, ''), FILES.metadata)
  if (m.status !== 'Completed') throw new BackupError('NOT_RESTORABLE', `${where}: the backup is ${m.status}; only Completed backups can be downloaded`, { status: m.status })
  if (m.entity.fullName !== paths.fullName || m.timestamp !== entry.timestamp) throw corrupt(where, `metadata.json describes ${m.entity.fullName} ${m.timestamp}, not this backup`)
  const dir = paths.backup(entry.timestamp)
  await realFolder(ctx, where, paths.dir)
  await realFolder(ctx, where, dir)
  const wanted = [{ name: FILES.metadata, size: -1, sha256: entry.metadataSha256! }, ...m.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 }))]
  const opened: Array<{ handle: FileHandle; file: OpenedFile }> = []
  try {
    for (const f of wanted) {
      if (f.name !== FILES.metadata && !DATA_FILE.test(f.name) && !VECTOR_FILE.test(f.name)) throw corrupt(where, `metadata.json names an unexpected file ${JSON.stringify(f.name)}`)
      // the patterns above admit no `.`/`..` segment, so the path stays inside the backup folder
      const path = join(dir, ...f.name.split('/'))
      for (let at = f.name.indexOf('/'); at !== -1; at = f.name.indexOf('/', at + 1)) await realFolder(ctx, where, join(dir, ...f.name.slice(0, at).split('/')))
      const handle = await openRegular(ctx, where, path, f.name)
      const st = await handle.stat()
      const size = f.size === -1 ? st.size : f.size
      opened.push({ handle, file: { name: f.name, size, mtimeMs: st.mtimeMs, sha256: f.sha256, read: (chunk) => readExactly(handle, where, f.name, size, f.sha256, chunk) } })
      if (st.size !== size) throw corrupt(where, `${f.name} has ${st.size} bytes, metadata says ${size} (truncated or appended)`, f.name)
    }
  } catch (error) {
    await Promise.all(opened.map((o) => o.handle.close().catch(() => {})))
    throw error
  }
  let closed = false
  return {
    entity: paths.fullName, name: m.entity.name, timestamp: entry.timestamp, files: opened.map((o) => o.file),
    close: async () => {
      if (closed) return
      closed = true
      await Promise.all(opened.map((o) => o.handle.close().catch(() => {})))
    },
  }
}

async function realFolder(ctx: EngineContext, where: string, path: string): Promise<void> {
  let st
  try {
    st = await ctx.fs.lstat(path)
  } catch {
    throw new BackupError('NOT_FOUND', `${where}: the backup folder is missing`)
  }
  if (!st.isDirectory()) throw corrupt(where, `a folder of the backup is a link or not a folder (links are never followed)`)
}

async function openRegular(ctx: EngineContext, where: string, path: string, name: string): Promise<FileHandle> {
  let before
  try {
    before = await ctx.fs.lstat(path)
  } catch {
    throw corrupt(where, `${name} is missing`, name)
  }
  if (!before.isFile()) throw corrupt(where, `${name} is not a regular file (links are never followed)`, name)
  let handle: FileHandle
  try {
    handle = await ctx.fs.open(path, NO_FOLLOW)
  } catch {
    throw corrupt(where, `${name} cannot be opened as a regular file (links are never followed)`, name)
  }
  const after = await handle.stat()
  // replaced between lstat and open: refuse rather than read something else
  if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev) {
    await handle.close().catch(() => {})
    throw corrupt(where, `${name} changed while being opened`, name)
  }
  return handle
}

async function* readExactly(handle: FileHandle, where: string, name: string, size: number, sha256: string, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256')
  let position = 0
  while (position < size) {
    const buffer = Buffer.allocUnsafe(Math.min(chunkSize, size - position))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position)
    if (bytesRead === 0) throw corrupt(where, `${name} ended after ${position} bytes, metadata says ${size}`, name)
    position += bytesRead
    const chunk = buffer.subarray(0, bytesRead)
    hash.update(chunk)
    yield chunk
  }
  if (hash.digest('hex') !== sha256) throw corrupt(where, `${name} failed its checksum (SHA-256 differs from metadata.json)`, name)
}
