import type { Transform } from 'node:stream'
import { decryptStream } from './decrypt.js'
import { encryptStream } from './encrypt.js'
import type { EncryptionContext } from './format.js'
import type { KeyRing } from './keys.js'

/** The engine's view of encryption: the current key id and a stream pair per file binding. */
export interface KeyRingEncryption {
  /** Key id new backups are written with; `null` when no key is configured. */
  currentKeyId(): string | null
  encrypt(binding: EncryptionContext): Transform
  decrypt(binding: EncryptionContext): Transform
}

/** Wraps a resolved key ring for the engine (`EngineContext.encryption`). */
export function keyRingEncryption(ring: KeyRing): KeyRingEncryption {
  return {
    currentKeyId: () => ring.currentKey()?.id ?? null,
    encrypt: (binding) => encryptStream({ key: ring, aad: binding }),
    decrypt: (binding) => decryptStream({ keys: ring, aad: binding }),
  }
}
