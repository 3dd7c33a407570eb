import { createHash, createHmac, createSecretKey, hkdfSync, type KeyObject, randomBytes, scrypt } from 'node:crypto'
import { BackupError } from '../../errors.js'
import { type KdfParams, SALT_LENGTH } from './format.js'
import { type EncryptionKey, secretOf } from './keys.js'

/** scrypt parameters of newly written passphrase files (N = 2^15, 32 MiB). */
export const SCRYPT_WRITE = { log2N: 15, r: 8, p: 1 } as const
/** Largest scrypt parameters accepted from a header; memory is 128·N·r bytes. */
export const SCRYPT_LIMITS = { log2N: 20, r: 16, p: 4, memory: 1024 * 1024 * 1024 } as const

const FILE_KEY_INFO = 'koan-backup file key v1'
const KEY_CHECK_LABEL = 'koan-backup key check'

let scryptRuns = 0
/** How many times scrypt actually ran in this process (for tests of the cache). */
export function scryptRunCount(): number {
  return scryptRuns
}

/** Refuses out-of-range scrypt parameters with BAD_KEY before any work is done. */
export function checkKdf(kdf: KdfParams, where = ''): void {
  if (kdf.name !== 'scrypt') return
  const { log2N, r, p } = kdf
  const memory = 128 * 2 ** log2N * r
  if (log2N < 1 || log2N > SCRYPT_LIMITS.log2N || r < 1 || r > SCRYPT_LIMITS.r || p < 1 || p > SCRYPT_LIMITS.p || memory > SCRYPT_LIMITS.memory) {
    throw new BackupError('BAD_KEY', `${where}scrypt parameters N=2^${log2N}, r=${r}, p=${p} are outside the accepted limits (N ≤ 2^${SCRYPT_LIMITS.log2N}, r ≤ ${SCRYPT_LIMITS.r}, p ≤ ${SCRYPT_LIMITS.p}, 128·N·r ≤ 1 GiB); refused without running the KDF`, { log2N, r, p })
  }
}

// derived master keys by (passphrase, salt, params); promises, so concurrent files share one run
const masters = new Map<string, Promise<KeyObject>>()
const MAX_CACHED = 64
// one kdf salt per passphrase per process, so a backup of many files runs scrypt once
const writeSalts = new Map<string, Buffer>()

function passphraseId(passphrase: string): string {
  return createHash('sha256').update('koan-backup passphrase cache\0').update(passphrase).digest('hex')
}

/** The master key: the raw key itself, or scrypt(passphrase, salt) (cached). Params must be checked. */
export function masterKey(key: EncryptionKey, kdf: KdfParams): Promise<KeyObject> {
  const secret = secretOf(key)
  if (typeof secret !== 'string') return Promise.resolve(secret)
  if (kdf.name !== 'scrypt') throw new Error('internal: a passphrase needs scrypt parameters')
  const { log2N, r, p, salt } = kdf
  const cacheKey = `${passphraseId(secret)}:${salt.toString('hex')}:${log2N}:${r}:${p}`
  let master = masters.get(cacheKey)
  if (master) {
    // refresh its place in the insertion-ordered map (least recently used goes first)
    masters.delete(cacheKey)
    masters.set(cacheKey, master)
    return master
  }
  const N = 2 ** log2N
  master = new Promise<KeyObject>((resolve, reject) => {
    scryptRuns++
    scrypt(secret, salt, 32, { N, r, p, maxmem: 128 * r * (N + p + 2) + 1024 * 1024 }, (error, derived) => {
      if (error) reject(new BackupError('BAD_KEY', `scrypt failed for key '${key.id}': ${error.message}`, { keyId: key.id }))
      else resolve(createSecretKey(derived))
    })
  })
  masters.set(cacheKey, master)
  master.catch(() => masters.delete(cacheKey))
  while (masters.size > MAX_CACHED) masters.delete(masters.keys().next().value!)
  return master
}

/** KDF parameters for writing a file with `key` (the salt is reused per passphrase in this process). */
export function writeKdf(key: EncryptionKey): KdfParams {
  const secret = secretOf(key)
  if (typeof secret !== 'string') return { name: 'none' }
  const id = passphraseId(secret)
  let salt = writeSalts.get(id)
  if (!salt) {
    salt = randomBytes(SALT_LENGTH)
    writeSalts.set(id, salt)
  }
  return { name: 'scrypt', ...SCRYPT_WRITE, salt }
}

/** File key = HKDF-SHA256(master, file salt, "koan-backup file key v1"), 32 bytes. */
export function fileKey(master: KeyObject, fileSalt: Buffer): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', master, fileSalt, FILE_KEY_INFO, 32)))
}

/** Key-check value = HMAC-SHA256(file key, "koan-backup key check"). */
export function keyCheck(file: KeyObject): Buffer {
  return createHmac('sha256', file).update(KEY_CHECK_LABEL).digest()
}
