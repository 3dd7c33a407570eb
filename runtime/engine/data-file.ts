import { createHash } from 'node:crypto'
import { Readable, Transform, type Duplex } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { crashPoint, type BackupFs } from './fs.js'

/**
 * Bytes read from a backup file at a time, and inflated per gunzip step. Node's defaults (64 KiB reads, 16 KiB
 * inflated chunks) make a million-row file ~16,000 zlib round trips through the thread pool, each a stream hop:
 * about three quarters of a second of a 1M-row restore went there. Larger steps keep memory small (a few MiB).
 */
const READ_CHUNK = 1024 * 1024
const INFLATE_CHUNK = 256 * 1024

/** A stream stage that hashes and counts what passes through. */
class Digest extends Transform {
  readonly hash = createHash('sha256')
  size = 0
  constructor(private onBytes?: (n: number) => void) {
    super()
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, c?: Buffer) => void): void {
    this.hash.update(chunk)
    this.size += chunk.length
    this.onBytes?.(chunk.length)
    done(null, chunk)
  }
}

/** A pass-through stage that reports the size of each chunk (progress of a read). */
function byteTap(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length)
      done(null, chunk)
    },
  })
}

/** Text handed to gzip at a time (the rows of about this much text joined once). */
const TEXT_CHUNK = 256 * 1024

/**
 * The data file's text: a JSON array with one entity per line (`[`, rows joined by `,\n`, `]`).
 * Each row is turned into its line by `toText` in the same loop that reads it (no generator hop
 * per row), and the lines of about `TEXT_CHUNK` characters are joined once.
 */
async function* arrayText<T>(rows: AsyncIterable<T>, toText: (row: T) => string, counter: { rows: number }): AsyncGenerator<string> {
  let parts: string[] = ['[\n']
  let size = 2
  for await (const row of rows) {
    const text = toText(row)
    if (counter.rows > 0) parts.push(',\n')
    parts.push(text)
    size += text.length + 2
    counter.rows++
    if (size >= TEXT_CHUNK) {
      yield parts.join('')
      parts = []
      size = 0
    }
  }
  parts.push(counter.rows === 0 ? ']\n' : '\n]\n')
  yield parts.join('')
}

/** Writes the data file durably (fsync before close) from the store's rows; returns its size, SHA-256 and row count. */
export async function writeDataFile<T>(
  fs: BackupFs, path: string, rows: AsyncIterable<T>, toText: (row: T) => string,
  options: { compress: boolean; encrypt?: () => Duplex; onBytes?: (n: number) => void },
): Promise<{ size: number; sha256: string; rows: number }> {
  const counter = { rows: 0 }
  const written = await writeBackupFile(fs, path, arrayText(rows, toText, counter), options)
  return { ...written, rows: counter.rows }
}

/** Writes a backup file durably from a source of text or bytes: gzip, then encryption, hashed as stored; `onBytes` sees the stored bytes. */
export async function writeBackupFile(
  fs: BackupFs, path: string, source: AsyncIterable<string | Buffer>, options: { compress: boolean; encrypt?: () => Duplex; onBytes?: (n: number) => void },
): Promise<{ size: number; sha256: string }> {
  const handle = await fs.open(path, 'wx')
  const digest = new Digest(options.onBytes)
  const stages: Array<NodeJS.ReadWriteStream | Duplex> = []
  if (options.compress) stages.push(createGzip({ level: 6 }))
  if (options.encrypt) stages.push(options.encrypt())
  // the handle stays open after the stream ends: fsync (through the seam, so its order can be
  // checked) and close are explicit, and an error from either fails the backup
  const out = handle.createWriteStream({ autoClose: false, emitClose: false })
  try {
    await pipeline(Readable.from(source), ...(stages as [Duplex]), digest, out)
    crashPoint('before-data-fsync')
    await handle.sync()
  } catch (error) {
    out.destroy()
    await handle.close().catch(() => {})
    throw error
  }
  // the stream holds a reference on the handle until destroyed (the handle itself stays open)
  out.destroy()
  await handle.close()
  return { size: digest.size, sha256: digest.hash.digest('hex') }
}

/** Size and SHA-256 of a file as stored (read in full, constant memory). */
export async function hashFile(fs: BackupFs, path: string): Promise<{ size: number; sha256: string }> {
  const digest = new Digest()
  await pipeline(fs.createReadStream(path, { highWaterMark: READ_CHUNK }), digest, async function* (source) {
    for await (const _ of source) { /* drain */ }
  })
  return { size: digest.size, sha256: digest.hash.digest('hex') }
}

/** The decoded bytes of a backup file: decrypted, then decompressed. */
export function openBytes(fs: BackupFs, path: string, options: { compress: boolean; decrypt?: () => Duplex }): AsyncIterable<Buffer> {
  const stages: Duplex[] = []
  if (options.decrypt) stages.push(options.decrypt())
  if (options.compress) stages.push(createGunzip({ chunkSize: INFLATE_CHUNK }))
  let stream: NodeJS.ReadableStream = fs.createReadStream(path, { highWaterMark: READ_CHUNK })
  for (const s of stages) {
    stream.on('error', (e) => s.destroy(e as Error))
    stream = stream.pipe(s)
  }
  return stream as AsyncIterable<Buffer>
}

/** The decoded text of a data file: decrypted, then decompressed, as a stream of strings; `onBytes` sees the stored bytes read. */
export function openDataText(fs: BackupFs, path: string, options: { compress: boolean; decrypt?: () => Duplex; onBytes?: (n: number) => void }): AsyncIterable<string> {
  const stages: Duplex[] = []
  if (options.onBytes) stages.push(byteTap(options.onBytes))
  if (options.decrypt) stages.push(options.decrypt())
  if (options.compress) stages.push(createGunzip({ chunkSize: INFLATE_CHUNK }))
  const source = fs.createReadStream(path, { highWaterMark: READ_CHUNK })
  let stream: NodeJS.ReadableStream = source
  for (const s of stages) {
    stream.on('error', (e) => s.destroy(e as Error))
    stream = stream.pipe(s)
  }
  stream.setEncoding?.('utf8')
  return stream as AsyncIterable<string>
}
