/**
 * Encrypted backup files: KBE1, a streaming format of independently authenticated chunks.
 *
 * A single streaming AES-GCM pass would release plaintext before its tag is checked, so a file is a
 * header followed by chunks of at most `cs` plaintext bytes (64 KiB by default), each sealed on its own
 * with AES-256-GCM and released by the reader only after its tag verified.
 *
 * Header (plaintext; SHA-256 of these exact bytes is part of every chunk's AAD):
 *
 *   size  field
 *   4     magic "KBE1"
 *   1     format version = 1
 *   1     n = key id length, 1..255
 *   n     key id (UTF-8)
 *   1     KDF: 0 = none (raw 32-byte key) | 1 = scrypt, followed by:
 *           1 log2(N), 1 r, 1 p, 16 kdf salt   (written: N = 2^15, r = 8, p = 1)
 *   16    file salt (random per file)
 *   4     chunk size cs, u32 BE (1..16 MiB)
 *   32    key check = HMAC-SHA256(file key, "koan-backup key check")
 *
 * Then chunks i = 0, 1, …, each:
 *
 *   4     L = plaintext length, u32 BE: L = cs for every chunk but the last, L < cs (maybe 0) for the last
 *   L     AES-256-GCM ciphertext
 *   16    GCM tag
 *
 * Keys and per-chunk values:
 *
 *   master   = the raw key | scrypt(passphrase, kdf salt, N, r, p) → 32 bytes
 *   file key = HKDF-SHA256(master, salt = file salt, info = "koan-backup file key v1") → 32 bytes
 *   nonce_i  = 4 zero bytes || u64 BE i          (unique per file key: the file salt is random per file)
 *   AAD_i    = SHA-256(header) || context || u64 BE i || final (1 byte: 1 on the last chunk, else 0)
 *   context  = for entity, timestamp, role: u32 BE byte length || UTF-8 (never stored in the file)
 *
 * What the reader refuses, before releasing the affected plaintext: a wrong key (the key check, from the
 * header alone: WRONG_KEY "wrong key"), an unknown key id (MISSING_KEY), scrypt parameters above
 * N = 2^20, r = 16, p = 4 or 1 GiB of memory (BAD_KEY, without running scrypt), a changed header,
 * reordered, duplicated, dropped or swapped chunks, a file moved to another entity, backup or role
 * ("authentication failed at chunk N"), a missing final chunk or a cut chunk ("truncated"), and bytes
 * after the final chunk ("trailing data"), all CORRUPT.
 *
 * The 4-byte length in front of each chunk is the one addition to the first design (bare
 * ciphertext || tag): without it the reader cannot tell where a short final chunk ends, so bytes
 * appended to a file (or a cut inside a chunk) could only be reported as an authentication failure,
 * never as "trailing data" or "truncated". The length needs no MAC of its own: a changed length
 * moves the tag (GCM then fails) or flips the final flag, which is in the AAD.
 */
export { decryptStream, type DecryptOptions } from './crypto/decrypt.js'
export { encryptStream, type EncryptOptions } from './crypto/encrypt.js'
export { keyRingEncryption, type KeyRingEncryption } from './crypto/engine.js'
export { DEFAULT_CHUNK_SIZE, type EncryptionContext, MAX_HEADER_LENGTH } from './crypto/format.js'
export { type EncryptionHeaderInfo, isEncrypted, readEncryptionHeader } from './crypto/inspect.js'
export { SCRYPT_LIMITS, SCRYPT_WRITE } from './crypto/kdf.js'
export { EncryptionKey, KeyRing, type KeyRingConfig, parseKey, resolveKeyRing } from './crypto/keys.js'
