/** One regular file of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, forward slashes, relative. */
  path: string
  size: number
  mtimeMs: number
  /** The file's bytes; must yield exactly `size` bytes. */
  read(): AsyncIterable<Uint8Array>
}

const BLOCK = 512
const encoder = new TextEncoder()

function writeString(block: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value)
  if (bytes.length > length) throw new Error(`[koan-backup] tar: ${JSON.stringify(value)} does not fit in ${length} bytes`)
  block.set(bytes, offset)
}

/** An octal field, NUL-terminated; numbers too large for it use the base-256 form (GNU, star, node-tar read it). */
function writeNumber(block: Uint8Array, offset: number, length: number, value: number): void {
  if (value < 8 ** (length - 1)) {
    writeString(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`)
    return
  }
  let v = BigInt(value)
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = Number(v & 0xffn)
    v >>= 8n
  }
  block[offset] = 0x80
}

/** Splits a path into the USTAR `prefix` (155 bytes) and `name` (100 bytes) at a slash, or `null` when it cannot. */
function splitPath(path: string): [string, string] | null {
  const size = encoder.encode(path).length
  if (size <= 100) return ['', path]
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i)
    const name = path.slice(i + 1)
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100 && name.length > 0) return [prefix, name]
  }
  return null
}

function header(name: string, prefix: string, size: number, mtimeMs: number, type: '0' | 'x'): Uint8Array {
  const block = Buffer.alloc(BLOCK)
  writeString(block, 0, 100, name)
  writeNumber(block, 100, 8, 0o644)
  writeNumber(block, 108, 8, 0)
  writeNumber(block, 116, 8, 0)
  writeNumber(block, 124, 12, size)
  writeNumber(block, 136, 12, Math.max(0, Math.floor(mtimeMs / 1000)))
  block.fill(0x20, 148, 156) // checksum field counts as spaces while summing
  writeString(block, 156, 1, type)
  writeString(block, 257, 6, 'ustar\0')
  writeString(block, 263, 2, '00')
  writeString(block, 345, 155, prefix)
  let sum = 0
  for (const b of block) sum += b
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  return block
}

/** A PAX record `"<len> path=<value>\n"`, whose length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  const bytes = encoder.encode(body).length
  let len = bytes + 1
  while (String(len).length + bytes !== len) len = String(len).length + bytes
  return `${len}${body}`
}

/** The header block(s) of a regular file: plain USTAR, or a PAX `path` record first for a long path. */
export function fileHeader(path: string, size: number, mtimeMs: number): Uint8Array[] {
  const split = splitPath(path)
  if (split) return [header(split[1], split[0], size, mtimeMs, '0')]
  const pax = encoder.encode(paxRecord('path', path))
  // readers without PAX support see an ASCII stand-in of at most 99 bytes
  const short = path.replace(/[^\x20-\x7e]/g, '_').slice(-99).replace(/^\/+/, '')
  return [header('PaxHeader', '', pax.length, mtimeMs, 'x'), pad(pax), header(short, '', size, mtimeMs, '0')]
}

function pad(bytes: Uint8Array): Uint8Array {
  const out = Buffer.alloc(Math.ceil(bytes.length / BLOCK) * BLOCK)
  out.set(bytes)
  return out
}

/** Zero bytes that complete a file's data to a whole block. */
export function padding(size: number): Uint8Array {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK)
}

/**
 * A tar archive (POSIX ustar) of regular files, produced lazily: the next file is read only when the
 * consumer asks for more. A file yielding more or fewer bytes than its declared size is an error.
 */
export async function* tarArchive(entries: Iterable<TarEntry>): AsyncGenerator<Uint8Array> {
  for (const entry of entries) {
    if (!entry.path || entry.path.startsWith('/') || entry.path.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new Error(`[koan-backup] tar: refusing the entry path ${JSON.stringify(entry.path)}`)
    }
    yield* fileHeader(entry.path, entry.size, entry.mtimeMs)
    let written = 0
    for await (const chunk of entry.read()) {
      written += chunk.byteLength
      if (written > entry.size) throw new Error(`[koan-backup] tar: ${entry.path} is longer than its declared ${entry.size} bytes`)
      yield chunk
    }
    if (written !== entry.size) throw new Error(`[koan-backup] tar: ${entry.path} has ${written} bytes, ${entry.size} declared`)
    const tail = padding(entry.size)
    if (tail.length) yield tail
  }
  yield Buffer.alloc(BLOCK * 2)
}
