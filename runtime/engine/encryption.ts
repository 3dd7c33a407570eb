import type { EncryptionConfig } from '../config.js'
import type { Encryption } from './context.js'
import { keyRingEncryption } from './crypto/engine.js'
import { resolveKeyRing } from './crypto/keys.js'

/**
 * The engine's encryption from the configured keys and `KOAN_BACKUP_KEY`. The key ring is resolved
 * on first use, so a configuration without keys works until an entity needs encryption.
 */
export function makeEncryption(config: EncryptionConfig, env: NodeJS.ProcessEnv = process.env): Encryption {
  let ring: ReturnType<typeof keyRingEncryption> | null = null
  const get = () => (ring ??= keyRingEncryption(resolveKeyRing({ keys: config.keys ?? {}, ...(config.current ? { current: config.current } : {}) }, env)))
  return {
    currentKeyId: () => get().currentKeyId(),
    encrypt: (binding) => get().encrypt(binding),
    decrypt: (binding) => get().decrypt(binding),
  }
}
