import { fileURLToPath } from 'node:url'

/** The ids users import; `virtual:koan-backup` is an alias where the bundler accepts the scheme. */
export const REGISTRY_IDS = ['koan-backup/registry', 'virtual:koan-backup'] as const

/** Filter matching the importable ids. */
export const REGISTRY_ID_FILTER = /^(?:koan-backup\/registry|virtual:koan-backup)$/

/** Filter matching the registry-only module's import. */
export const DATA_ID_FILTER = /^koan-backup\/reg-data$/

/**
 * The resolved id of the generated module. No `virtual:` scheme and no `\0`, because webpack and
 * rspack reject unknown schemes; unplugin serves it as a virtual file there.
 */
export const RESOLVED_REGISTRY_ID = '/__koan-backup/registry.mjs'

/** The import the transform rewrites (in importers that take nothing but `registry` from it). */
export const REGISTRY_IMPORT = REGISTRY_IDS[0]

/**
 * What it rewrites it to: the module that holds the registry alone (no codec program, no entity
 * classes, no runtime), so a bundler building an app that only reads the registry never loads the
 * rest. As long as `REGISTRY_IMPORT`, so nothing in the importer moves (no source map change). The
 * full module re-exports the same `registry` from it: one object whichever way it is imported.
 */
export const DATA_IMPORT = 'koan-backup/reg-data'

/** The resolved id of the registry-only module. */
export const RESOLVED_DATA_ID = '/__koan-backup/registry-data.mjs'

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

/**
 * This package's own runtime files (`dist/runtime/`), which the transform leaves alone: they name `EntityBackup` but
 * hold no entity, and a checkout or a linked install puts them outside node_modules, where each fresh build would
 * otherwise hash and tokenize ~50 kB of them.
 */
export const OWN_RUNTIME_FILTER = underFolder(fileURLToPath(new URL('../../runtime/', import.meta.url)))

/** A pattern for the paths under `dir`, written with either slash. */
function underFolder(dir: string): RegExp {
  const parts = dir.split(/[\\/]+/).filter((p) => p !== '').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${/^[\\/]/.test(dir) ? '[\\\\/]' : ''}${parts.join('[\\\\/]')}[\\\\/]`)
}
