import { BackupError } from '../../errors.js'
import { MAGIC, parseHeader } from './format.js'

/** What the plaintext header of an encrypted file tells (nothing secret). */
export interface EncryptionHeaderInfo {
  format: 'KBE1'
  version: number
  /** Id of the key that opens the file (look it up in the key ring). */
  keyId: string
  kdf: { name: 'none' } | { name: 'scrypt'; N: number; r: number; p: number }
  /** Plaintext bytes per chunk. */
  chunkSize: number
  /** Header length in bytes. */
  headerLength: number
}

/** True when the bytes start with the KBE1 magic (4 bytes are enough). */
export function isEncrypted(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= MAGIC.length && MAGIC.equals(Buffer.from(firstBytes.buffer, firstBytes.byteOffset, MAGIC.length))
}

/**
 * Reads the header at the start of `buffer` (the first 512 bytes of a file are always enough).
 * CORRUPT when it is not a KBE1 header or is cut short. KDF limits are not checked here.
 */
export function readEncryptionHeader(buffer: Uint8Array): EncryptionHeaderInfo {
  const header = parseHeader(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength))
  if (!header) throw new BackupError('CORRUPT', `truncated: the encryption header is incomplete (${buffer.byteLength} bytes)`, {})
  const kdf = header.kdf.name === 'scrypt'
    ? { name: 'scrypt' as const, N: 2 ** header.kdf.log2N, r: header.kdf.r, p: header.kdf.p }
    : { name: 'none' as const }
  return { format: 'KBE1', version: header.version, keyId: header.keyId, kdf, chunkSize: header.chunkSize, headerLength: header.length }
}
