import { createCipheriv, type KeyObject, randomBytes } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { BackupError } from '../../errors.js'
import {
  chunkAad, chunkNonce, DEFAULT_CHUNK_SIZE, describe, encodeContext, encodeHeader, type EncryptionContext,
  FRAME_PREFIX, MAX_CHUNK_SIZE, SALT_LENGTH, TAG_LENGTH,
} from './format.js'
import { fileKey, keyCheck, masterKey, writeKdf } from './kdf.js'
import { EncryptionKey, KeyRing } from './keys.js'

/** Options of `encryptStream`. */
export interface EncryptOptions {
  /** A key ring (its current key is used) or one key. Without a usable key: MISSING_KEY. */
  key: KeyRing | EncryptionKey | undefined
  /** What the file is bound to; the reader must pass the same values. */
  aad: EncryptionContext
  /** Plaintext bytes per chunk. @default 65536 */
  chunkSize?: number
}

/** Seals chunks of one file. */
interface Sealer {
  header: Buffer
  seal(plain: Buffer, index: number, final: boolean): Buffer
}

/**
 * A Transform from plaintext to the KBE1 format: the header first, then one authenticated chunk per
 * `chunkSize` bytes, and on end the final (shorter, possibly empty) chunk. Throws MISSING_KEY at once
 * when no key is usable, so nothing is ever written in plaintext.
 */
export function encryptStream(options: EncryptOptions): Transform {
  const context = encodeContext(options.aad)
  const where = describe(options.aad)
  const key = options.key instanceof EncryptionKey ? options.key : options.key?.currentKey()
  if (!key) {
    const ids = options.key instanceof KeyRing ? options.key.ids : []
    const several = ids.length > 1 ? ` (${ids.length} keys are configured but encryption.current chooses none)` : ''
    throw new BackupError('MISSING_KEY', `${where}encrypt: true without a key: set KOAN_BACKUP_KEY or encryption.keys; backups are never written in plaintext${several}`, { ...options.aad })
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new BackupError('BAD_OPTION', `option \`chunkSize\`: an integer from 1 to ${MAX_CHUNK_SIZE} is required (got ${chunkSize})`, { chunkSize })
  }
  return new Encryptor(sealer(key, context, chunkSize), chunkSize)
}

async function sealer(key: EncryptionKey, context: Buffer, chunkSize: number): Promise<Sealer> {
  const kdf = writeKdf(key)
  const fileSalt = randomBytes(SALT_LENGTH)
  const fk: KeyObject = fileKey(await masterKey(key, kdf), fileSalt)
  const header = encodeHeader({ keyId: key.id, kdf, fileSalt, chunkSize, keyCheck: keyCheck(fk) })
  const aad = chunkAad(header, context)
  return {
    header,
    seal(plain, index, final) {
      const cipher = createCipheriv('aes-256-gcm', fk, chunkNonce(index), { authTagLength: TAG_LENGTH })
      cipher.setAAD(aad(index, final))
      const length = Buffer.allocUnsafe(FRAME_PREFIX)
      length.writeUInt32BE(plain.length)
      const body = cipher.update(plain)
      const rest = cipher.final()
      return Buffer.concat([length, body, rest, cipher.getAuthTag()], FRAME_PREFIX + plain.length + TAG_LENGTH)
    },
  }
}

class Encryptor extends Transform {
  readonly #ready: Promise<Sealer>
  #sealer: Sealer | undefined
  readonly #plain: Buffer
  #fill = 0
  #index = 0

  constructor(ready: Promise<Sealer>, readonly chunkSize: number) {
    super()
    this.#ready = ready
    ready.catch(() => { /* surfaced by the first write or the flush */ })
    this.#plain = Buffer.alloc(chunkSize)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#sealer) return this.#run(() => this.#write(this.#sealer!, chunk), callback)
    this.#start().then((s) => this.#run(() => this.#write(s, chunk), callback), callback)
  }

  override _flush(callback: TransformCallback): void {
    this.#start().then((s) => this.#run(() => {
      // the final chunk is always shorter than chunkSize: full chunks went out as soon as they filled
      this.push(s.seal(this.#plain.subarray(0, this.#fill), this.#index++, true))
      this.#plain.fill(0)
    }, callback), callback)
  }

  async #start(): Promise<Sealer> {
    if (this.#sealer) return this.#sealer
    const s = await this.#ready
    if (!this.#sealer) {
      this.#sealer = s
      this.push(s.header)
    }
    return s
  }

  #run(step: () => void, callback: TransformCallback): void {
    try {
      step()
    } catch (error) {
      return callback(error as Error)
    }
    callback()
  }

  #write(s: Sealer, chunk: Buffer): void {
    const cs = this.chunkSize
    let at = 0
    while (at < chunk.length) {
      if (this.#fill === 0 && chunk.length - at >= cs) {
        // a whole chunk in the input: seal it without copying
        this.push(s.seal(chunk.subarray(at, at + cs), this.#index++, false))
        at += cs
        continue
      }
      const n = Math.min(cs - this.#fill, chunk.length - at)
      chunk.copy(this.#plain, this.#fill, at, at + n)
      this.#fill += n
      at += n
      if (this.#fill === cs) {
        this.push(s.seal(this.#plain, this.#index++, false))
        this.#fill = 0
      }
    }
  }
}
