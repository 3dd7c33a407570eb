import type { BackupRegistry } from '../../../runtime/types.js'

/** The JSON of each frozen registry, made once: the registry-only module and the results file both hold it. */
const texts = new WeakMap<BackupRegistry, string>()

/**
 * A registry's JSON text. Remembered for a frozen registry (a cached one is frozen: nothing can change it), so a
 * build that generates the registry-only module and writes the results file serialises it once (~10 ms at 1000
 * entities).
 */
export function registryJson(registry: BackupRegistry): string {
  let text = texts.get(registry)
  if (text === undefined) {
    text = JSON.stringify(registry)
    if (Object.isFrozen(registry)) texts.set(registry, text)
  }
  return text
}

