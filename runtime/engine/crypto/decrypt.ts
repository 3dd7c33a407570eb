import { createDecipheriv, type KeyObject, timingSafeEqual } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { BackupError } from '../../errors.js'
import { ByteQueue } from './bytes.js'
import {
  chunkAad, chunkNonce, describe, encodeContext, type EncryptionContext, type EncryptionHeader,
  FRAME_PREFIX, MAX_HEADER_LENGTH, parseHeader, TAG_LENGTH,
} from './format.js'
import { checkKdf, fileKey, keyCheck, masterKey } from './kdf.js'
import { EncryptionKey, KeyRing } from './keys.js'

/** Options of `decryptStream`. */
export interface DecryptOptions {
  /** The key ring (the file's key id selects the key), or one key. */
  keys: KeyRing | EncryptionKey
  /** The binding the file was written with (entity, timestamp, role). */
  aad: EncryptionContext
}

/**
 * A Transform from the KBE1 format to plaintext. The header is parsed and the key checked before
 * anything is emitted (WRONG_KEY, MISSING_KEY, BAD_KEY); each chunk's plaintext is released only after
 * its tag verified; the final chunk is held until the input ended with nothing after it. Every
 * structural or authentication failure is CORRUPT, naming what: truncated, trailing data, or the chunk.
 */
export function decryptStream(options: DecryptOptions): Transform {
  const ring = options.keys instanceof EncryptionKey ? new KeyRing([options.keys], options.keys.id) : options.keys
  return new Decryptor(ring, encodeContext(options.aad), options.aad)
}

/** Opens the chunks of one file. */
interface Opener {
  chunkSize: number
  open(frame: Buffer, index: number, final: boolean): Buffer
}

class Decryptor extends Transform {
  readonly #queue = new ByteQueue()
  #opener: Opener | undefined
  #index = 0
  /** File offset of the next frame. */
  #offset = 0
  /** The verified final chunk, released once the input ends cleanly. */
  #final: Buffer | undefined
  readonly #where: string

  constructor(private readonly ring: KeyRing, private readonly context: Buffer, private readonly binding: EncryptionContext) {
    super()
    this.#where = describe(binding)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#queue.push(chunk)
    this.#drain(false).then(() => callback(), callback)
  }

  override _flush(callback: TransformCallback): void {
    this.#drain(true).then(() => {
      if (this.#final) this.push(this.#final)
      callback()
    }, callback)
  }

  #corrupt(what: string, details: Record<string, unknown> = {}): BackupError {
    return new BackupError('CORRUPT', `${this.#where}${what}`, { ...this.binding, ...details })
  }

  async #drain(end: boolean): Promise<void> {
    if (!this.#opener && !(await this.#readHeader(end))) return
    const opener = this.#opener!
    const queue = this.#queue
    while (!this.#final && queue.length >= FRAME_PREFIX) {
      const length = queue.peek(FRAME_PREFIX).readUInt32BE(0)
      if (length > opener.chunkSize) {
        throw this.#corrupt(`chunk ${this.#index} at offset ${this.#offset} claims ${length} bytes, more than the chunk size ${opener.chunkSize}`, { chunk: this.#index, offset: this.#offset })
      }
      const size = FRAME_PREFIX + length + TAG_LENGTH
      if (queue.length < size) break
      const final = length < opener.chunkSize
      const plain = opener.open(queue.take(size), this.#index, final)
      if (final) this.#final = plain
      else this.push(plain)
      this.#index++
      this.#offset += size
    }
    if (this.#final && queue.length > 0) {
      throw this.#corrupt(`trailing data: ${end ? queue.length : 'at least ' + queue.length} bytes after the final chunk (offset ${this.#offset})`, { offset: this.#offset })
    }
    if (end && !this.#final) {
      const after = this.#index === 0 ? 'right after the header' : `after chunk ${this.#index - 1}`
      throw queue.length === 0
        ? this.#corrupt(`truncated: the file ends at offset ${this.#offset}, ${after}, without its final chunk`, { chunk: this.#index, offset: this.#offset })
        : this.#corrupt(`truncated: chunk ${this.#index} at offset ${this.#offset} is incomplete (${queue.length} bytes)`, { chunk: this.#index, offset: this.#offset })
    }
  }

  /** Parses the header and checks the key; false while more bytes are needed. */
  async #readHeader(end: boolean): Promise<boolean> {
    const queue = this.#queue
    const header = parseHeader(queue.peek(Math.min(queue.length, MAX_HEADER_LENGTH)), this.#where)
    if (!header) {
      if (!end) return false
      throw this.#corrupt(queue.length === 0 ? 'truncated: the file is empty' : `truncated: the header is incomplete (${queue.length} bytes)`)
    }
    checkKdf(header.kdf, this.#where)
    const key = this.ring.get(header.keyId)
    if (!key) {
      throw new BackupError('MISSING_KEY', `${this.#where}the file is encrypted with key '${header.keyId}', which is not configured (known: ${this.ring.ids.join(', ') || 'none'}); add it to encryption.keys or set KOAN_BACKUP_KEY with KOAN_BACKUP_KEY_ID=${header.keyId}`, { ...this.binding, keyId: header.keyId })
    }
    const wanted = header.kdf.name === 'scrypt' ? 'passphrase' : 'raw'
    if (key.kind !== wanted) {
      throw new BackupError('WRONG_KEY', `${this.#where}wrong key: key '${key.id}' is a ${key.kind === 'raw' ? 'raw 32-byte key' : 'passphrase'} but the file was encrypted with a ${wanted === 'raw' ? 'raw 32-byte key' : 'passphrase'}`, { ...this.binding, keyId: key.id })
    }
    const fk = fileKey(await masterKey(key, header.kdf), header.fileSalt)
    if (!timingSafeEqual(keyCheck(fk), header.keyCheck)) {
      throw new BackupError('WRONG_KEY', `${this.#where}wrong key: key '${key.id}' cannot open this file (the key check failed before any data was read); if the key is right, the file header is damaged`, { ...this.binding, keyId: key.id })
    }
    this.#opener = opener(fk, header, chunkAad(queue.take(header.length), this.context), (index, error) =>
      this.#corrupt(`authentication failed at chunk ${index} (offset ${this.#offset}): the file was modified or damaged${index === 0 ? ', or it belongs to another entity, backup or file role' : ''}`, { chunk: index, offset: this.#offset, cause: (error as Error).message }))
    this.#offset = header.length
    return true
  }
}

function opener(fk: KeyObject, header: EncryptionHeader, aad: (index: number, final: boolean) => Buffer, failed: (index: number, error: unknown) => Error): Opener {
  return {
    chunkSize: header.chunkSize,
    open(frame, index, final) {
      const length = frame.length - FRAME_PREFIX - TAG_LENGTH
      const decipher = createDecipheriv('aes-256-gcm', fk, chunkNonce(index), { authTagLength: TAG_LENGTH })
      decipher.setAAD(aad(index, final))
      decipher.setAuthTag(frame.subarray(FRAME_PREFIX + length))
      const plain = decipher.update(frame.subarray(FRAME_PREFIX, FRAME_PREFIX + length))
      try {
        decipher.final()
      } catch (error) {
        plain.fill(0)
        throw failed(index, error)
      }
      return plain
    },
  }
}
