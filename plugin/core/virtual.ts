import { fileURLToPath } from 'node:url'

/** The ids users import; `virtual:koan-backup` is an alias where the bundler accepts the scheme. */
export const REGISTRY_IDS = ['koan-backup/registry', 'virtual:koan-backup'] as const

/** Filter matching the importable ids. */
export const REGISTRY_ID_FILTER = /^(?:koan-backup\/registry|virtual:koan-backup)$/

/**
 * The resolved id of the generated module. No `virtual:` scheme and no `\0`, because webpack and
 * rspack reject unknown schemes; unplugin serves it as a virtual file there.
 */
export const RESOLVED_REGISTRY_ID = '/__koan-backup/registry.mjs'

/** True for the generated module's id, also as webpack/rspack see it (unplugin rewrites virtual ids there). */
export function isRegistryModule(id: string | undefined): boolean {
  return !!id && id.includes('__koan-backup')
}

/** Runtime modules the generated module imports: always this package's own copy, so versions match. */
export const RUNTIME_ENTRIES: Record<string, string> = {
  'koan-backup/codec': fileURLToPath(new URL('../../runtime/schema/index.js', import.meta.url)),
  'koan-backup/engine': fileURLToPath(new URL('../../runtime/engine/index.js', import.meta.url)),
}

/** Filter matching those runtime ids. */
export const RUNTIME_ID_FILTER = /^koan-backup\/(?:codec|engine)$/

/** The esbuild namespace of the generated module (its imports resolve in it). */
export const ESBUILD_NAMESPACE = 'koan-backup'

/** Files whose transform may need the decorator stripped. */
export const SOURCE_ID_FILTER = /\.(?:c|m)?[jt]sx?$/
