/** The ids users import; `virtual:koan-backup` is an alias where the bundler accepts the scheme. */
export const REGISTRY_IDS = ['koan-backup/registry', 'virtual:koan-backup'] as const

/** Filter matching the importable ids. */
export const REGISTRY_ID_FILTER = /^(?:koan-backup\/registry|virtual:koan-backup)$/

/**
 * The resolved id of the generated module. No `virtual:` scheme and no `\0`, because webpack and
 * rspack reject unknown schemes; unplugin serves it as a virtual file there.
 */
export const RESOLVED_REGISTRY_ID = '/__koan-backup/registry.mjs'

/** Files whose transform may need the decorator stripped. */
export const SOURCE_ID_FILTER = /\.(?:c|m)?[jt]sx?$/
