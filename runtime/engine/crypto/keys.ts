import { createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto'
import { BackupError } from '../../errors.js'

/** `encryption` of the backup config: key id → key string, and the id new backups use. */
export interface KeyRingConfig {
  /** Id of the key new backups are written with. @default `KOAN_BACKUP_KEY_ID` when `KOAN_BACKUP_KEY` is set, else the only key */
  current?: string
  /**
   * Key id → key: 32 bytes as `base64:…`, `hex:…`, a bare 44-char base64 or 64-char hex string,
   * or `passphrase:…` (scrypt). Keep old ids here so older backups stay readable.
   */
  keys: Record<string, string>
}

/** Secrets live here, not on the key objects, so logging or serialising a key shows nothing secret. */
const secrets = new WeakMap<EncryptionKey, KeyObject | string>()
const inspect = Symbol.for('nodejs.util.inspect.custom')

/** A validated key: a raw 32-byte key or a passphrase. Prints as `{ id, kind }` only. */
export class EncryptionKey {
  constructor(readonly id: string, readonly kind: 'raw' | 'passphrase', secret: KeyObject | string) {
    secrets.set(this, secret)
  }

  /** True when both hold the same secret. */
  sameSecret(other: EncryptionKey): boolean {
    const a = secretOf(this)
    const b = secretOf(other)
    if (typeof a === 'string' || typeof b === 'string') return a === b
    return timingSafeEqual(a.export(), b.export())
  }

  toJSON(): { id: string; kind: string } {
    return { id: this.id, kind: this.kind }
  }

  [inspect](): string {
    return `EncryptionKey { id: ${JSON.stringify(this.id)}, kind: '${this.kind}' }`
  }
}

/** The secret of a key (engine-internal: not exported from `crypto.ts`). */
export function secretOf(key: EncryptionKey): KeyObject | string {
  const secret = secrets.get(key)
  if (secret === undefined) throw new BackupError('BAD_KEY', `key '${key.id}' was not created by parseKey/resolveKeyRing`, { keyId: key.id })
  return secret
}

/** Resolved keys by id, and the one new backups are written with. */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, EncryptionKey>
  constructor(keys: Iterable<EncryptionKey>, readonly current: string | undefined) {
    this.#keys = new Map([...keys].map((k) => [k.id, k]))
  }

  get(id: string): EncryptionKey | undefined {
    return this.#keys.get(id)
  }

  get ids(): string[] {
    return [...this.#keys.keys()].sort()
  }

  /** The key new backups use, if one is chosen. */
  currentKey(): EncryptionKey | undefined {
    return this.current === undefined ? undefined : this.#keys.get(this.current)
  }

  toJSON(): { current: string | undefined; keys: string[] } {
    return { current: this.current, keys: this.ids }
  }

  [inspect](): string {
    return `KeyRing { current: ${JSON.stringify(this.current)}, keys: ${JSON.stringify(this.ids)} }`
  }
}

const HEX64 = /^[0-9a-fA-F]{64}$/
const BASE64_44 = /^[A-Za-z0-9+/_-]{43}=$/
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/

/**
 * Validates one key string. Errors name the key id and `source`, never the key.
 * @param source where the key came from, for messages (`encryption.keys` or `KOAN_BACKUP_KEY`)
 */
export function parseKey(id: string, value: unknown, source = 'encryption.keys'): EncryptionKey {
  checkKeyId(id, source)
  const bad = (why: string) => new BackupError('BAD_KEY', `key '${id}' (${source}) ${why}; expected base64:<32 bytes>, hex:<64 hex digits>, a bare 44-char base64 or 64-char hex key, or passphrase:<text>`, { keyId: id, source })
  if (typeof value !== 'string' || value.trim() === '') throw bad('is empty')
  if (value.startsWith('passphrase:')) {
    if (value.length === 'passphrase:'.length) throw bad('has an empty passphrase')
    return new EncryptionKey(id, 'passphrase', value.slice('passphrase:'.length))
  }
  // raw keys are unambiguous, so whitespace (a newline from a secrets file) is dropped
  const text = value.trim()
  let bytes: Buffer
  if (text.startsWith('hex:')) {
    const hex = text.slice(4)
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw bad('is not valid hex')
    bytes = Buffer.from(hex, 'hex')
  } else if (text.startsWith('base64:')) {
    const b64 = text.slice(7)
    if (!BASE64.test(b64)) throw bad('is not valid base64')
    bytes = Buffer.from(b64, 'base64')
  } else if (HEX64.test(text)) {
    bytes = Buffer.from(text, 'hex')
  } else if (BASE64_44.test(text)) {
    bytes = Buffer.from(text, 'base64')
  } else {
    throw bad('is neither a 32-byte key nor a passphrase')
  }
  if (bytes.length !== 32) throw bad(`decodes to ${bytes.length} bytes, not 32`)
  const key = new EncryptionKey(id, 'raw', createSecretKey(bytes))
  bytes.fill(0)
  return key
}

function checkKeyId(id: unknown, source: string): asserts id is string {
  const length = typeof id === 'string' ? Buffer.byteLength(id, 'utf8') : 0
  if (length < 1 || length > 255) {
    throw new BackupError('BAD_KEY', `key id ${JSON.stringify(id)} (${source}) must be 1 to 255 bytes of UTF-8`, { keyId: String(id), source })
  }
}

/**
 * Resolves the configured keys plus `KOAN_BACKUP_KEY` (id `KOAN_BACKUP_KEY_ID`, default `env`).
 * Every key is validated (BAD_KEY naming the id); `current` must name a key (MISSING_KEY).
 */
export function resolveKeyRing(config: KeyRingConfig | undefined, env: NodeJS.ProcessEnv = process.env): KeyRing {
  const keys = new Map<string, EncryptionKey>()
  for (const [id, value] of Object.entries(config?.keys ?? {})) keys.set(id, parseKey(id, value))
  const envValue = env.KOAN_BACKUP_KEY
  let envId: string | undefined
  if (envValue !== undefined && envValue !== '') {
    envId = env.KOAN_BACKUP_KEY_ID || 'env'
    const key = parseKey(envId, envValue, 'KOAN_BACKUP_KEY')
    const known = keys.get(envId)
    if (known && !known.sameSecret(key)) {
      throw new BackupError('BAD_KEY', `key '${envId}' is set both in encryption.keys and by KOAN_BACKUP_KEY, with different values; give KOAN_BACKUP_KEY another id with KOAN_BACKUP_KEY_ID`, { keyId: envId })
    }
    keys.set(envId, key)
  }
  const current = config?.current ?? envId ?? (keys.size === 1 ? [...keys.keys()][0] : undefined)
  if (current !== undefined && !keys.has(current)) {
    throw new BackupError('MISSING_KEY', `encryption.current is '${current}' but no key has that id (configured: ${[...keys.keys()].sort().join(', ') || 'none'}); add it to encryption.keys or set KOAN_BACKUP_KEY`, { keyId: current })
  }
  return new KeyRing(keys.values(), current)
}
