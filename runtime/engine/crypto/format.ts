import { createHash } from 'node:crypto'
import { BackupError } from '../../errors.js'

/** First four bytes of every encrypted file. */
export const MAGIC = Buffer.from('KBE1', 'latin1')
/** The format version this code writes and reads. */
export const FORMAT_VERSION = 1
/** Plaintext bytes per chunk written by default (64 KiB). */
export const DEFAULT_CHUNK_SIZE = 64 * 1024
/** Largest chunk size accepted on read or write: bounds what the reader buffers before a tag check. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024
export const TAG_LENGTH = 16
export const SALT_LENGTH = 16
export const KEY_CHECK_LENGTH = 32
/** Bytes of the plaintext length in front of each chunk. */
export const FRAME_PREFIX = 4
/** Longest possible header (key id of 255 bytes, scrypt block). */
export const MAX_HEADER_LENGTH = 4 + 1 + 1 + 255 + 1 + 3 + SALT_LENGTH + SALT_LENGTH + 4 + KEY_CHECK_LENGTH

const KDF_NONE = 0
const KDF_SCRYPT = 1

/** How the master key was obtained: a raw 32-byte key, or scrypt over a passphrase. */
export type KdfParams =
  | { name: 'none' }
  | { name: 'scrypt'; log2N: number; r: number; p: number; salt: Buffer }

/** The parsed plaintext header of an encrypted file. */
export interface EncryptionHeader {
  version: number
  keyId: string
  kdf: KdfParams
  fileSalt: Buffer
  chunkSize: number
  keyCheck: Buffer
  /** Length of the header in bytes (the first chunk starts here). */
  length: number
}

/** The caller's binding of a file to its place; authenticated with every chunk, never stored. */
export interface EncryptionContext {
  /** Entity full name (its backup folder). */
  entity: string
  /** Backup timestamp. */
  timestamp: string
  /** File role, e.g. `data` or `vectors/<model>`. */
  role: string
}

/** Serialises a header (the key check is computed by the caller). */
export function encodeHeader(h: Omit<EncryptionHeader, 'length' | 'version'>): Buffer {
  const id = Buffer.from(h.keyId, 'utf8')
  const kdf = h.kdf.name === 'scrypt'
    ? Buffer.concat([Buffer.from([KDF_SCRYPT, h.kdf.log2N, h.kdf.r, h.kdf.p]), h.kdf.salt])
    : Buffer.from([KDF_NONE])
  const size = Buffer.alloc(4)
  size.writeUInt32BE(h.chunkSize)
  return Buffer.concat([MAGIC, Buffer.from([FORMAT_VERSION, id.length]), id, kdf, h.fileSalt, size, h.keyCheck])
}

/**
 * Parses a header from the start of `buf`. Returns `null` when `buf` holds only a valid prefix
 * (read more), throws CORRUPT on a malformed header. KDF limits are checked by the caller.
 */
export function parseHeader(buf: Buffer, where = ''): EncryptionHeader | null {
  const fail = (what: string) => new BackupError('CORRUPT', `${where}${what}`, {})
  const magicBytes = Math.min(buf.length, MAGIC.length)
  if (!buf.subarray(0, magicBytes).equals(MAGIC.subarray(0, magicBytes))) {
    throw fail('not an encrypted koan-backup file (no KBE1 magic)')
  }
  let at = MAGIC.length
  if (buf.length < at + 2) return null
  const version = buf[at]!
  if (version !== FORMAT_VERSION) throw fail(`unsupported encryption format version ${version} (this koan-backup reads version ${FORMAT_VERSION})`)
  const idLength = buf[at + 1]!
  if (idLength === 0) throw fail('malformed header: empty key id')
  at += 2
  if (buf.length < at + idLength + 1) return null
  const idBytes = buf.subarray(at, at + idLength)
  let keyId: string
  try {
    keyId = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(idBytes)
  } catch {
    throw fail('malformed header: the key id is not UTF-8')
  }
  at += idLength
  const kdfType = buf[at]!
  at += 1
  let kdf: KdfParams
  if (kdfType === KDF_NONE) {
    kdf = { name: 'none' }
  } else if (kdfType === KDF_SCRYPT) {
    if (buf.length < at + 3 + SALT_LENGTH) return null
    kdf = { name: 'scrypt', log2N: buf[at]!, r: buf[at + 1]!, p: buf[at + 2]!, salt: Buffer.from(buf.subarray(at + 3, at + 3 + SALT_LENGTH)) }
    at += 3 + SALT_LENGTH
  } else {
    throw fail(`malformed header: unknown KDF ${kdfType}`)
  }
  if (buf.length < at + SALT_LENGTH + 4 + KEY_CHECK_LENGTH) return null
  const fileSalt = Buffer.from(buf.subarray(at, at + SALT_LENGTH))
  at += SALT_LENGTH
  const chunkSize = buf.readUInt32BE(at)
  at += 4
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw fail(`malformed header: chunk size ${chunkSize} outside 1..${MAX_CHUNK_SIZE}`)
  const keyCheck = Buffer.from(buf.subarray(at, at + KEY_CHECK_LENGTH))
  at += KEY_CHECK_LENGTH
  return { version, keyId, kdf, fileSalt, chunkSize, keyCheck, length: at }
}

/** Length-prefixed UTF-8 of entity, timestamp and role. */
export function encodeContext(context: EncryptionContext): Buffer {
  const parts: Buffer[] = []
  for (const field of ['entity', 'timestamp', 'role'] as const) {
    const value = context?.[field]
    if (typeof value !== 'string' || value === '') {
      throw new BackupError('BAD_OPTION', `option \`aad.${field}\`: a non-empty string is required to bind an encrypted file to its place`, { field })
    }
    const bytes = Buffer.from(value, 'utf8')
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    parts.push(length, bytes)
  }
  return Buffer.concat(parts)
}

/**
 * Builds the per-chunk AAD: SHA-256(header) || context || u64 index || final flag.
 * The returned function rewrites the last 9 bytes of one buffer (callers use it synchronously).
 */
export function chunkAad(header: Buffer, context: Buffer): (index: number, final: boolean) => Buffer {
  const prefix = Buffer.concat([createHash('sha256').update(header).digest(), context])
  const aad = Buffer.alloc(prefix.length + 9)
  prefix.copy(aad)
  return (index, final) => {
    aad.writeBigUInt64BE(BigInt(index), prefix.length)
    aad[prefix.length + 8] = final ? 1 : 0
    return aad
  }
}

/** The 12-byte GCM nonce of chunk `index`: 4 zero bytes || u64 big-endian index. */
export function chunkNonce(index: number): Buffer {
  const nonce = Buffer.alloc(12)
  nonce.writeBigUInt64BE(BigInt(index), 4)
  return nonce
}

/** `<entity> backup <timestamp> (<role>): ` for messages. */
export function describe(context: EncryptionContext | undefined): string {
  return context ? `${context.entity} backup ${context.timestamp} (${context.role}): ` : ''
}
