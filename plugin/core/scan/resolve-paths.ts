import { posix } from 'node:path'
import { isSourceFile, KNOWN_EXTENSIONS, sourceLookup, type SourceLookup } from './resolve-relative.js'

/** The compiler options a `paths` or `baseUrl` lookup depends on. */
export interface MappedLookupOptions {
  paths?: unknown
  baseUrl?: unknown
  /** The folder of the tsconfig that set `paths` (TypeScript's own option): where `paths` is relative to without `baseUrl`. */
  pathsBasePath?: unknown
}

interface Pattern {
  prefix: string
  suffix: string
  key: string
}

/** A `paths` map as TypeScript matches it: exact keys, and keys with one `*` (keys with more are never matched). */
interface Mapping {
  exact: Set<string>
  patterns: Pattern[]
  substitutions: Record<string, string[]>
  /** Where the substitutions are relative to. */
  base: string
}

/** By compiler options (their `paths` and base together: one `paths` object can come with several bases). */
const mappings = new WeakMap<object, Mapping | null>()

/** `null` for a `paths` of another form than TypeScript checks a tsconfig's to be (left to it). */
function mappingOf(options: MappedLookupOptions): Mapping | null {
  const paths = options.paths
  if (paths === null || typeof paths !== 'object' || Array.isArray(paths)) return null
  let mapping = mappings.get(options)
  if (mapping !== undefined) return mapping
  mapping = null
  const base = typeof options.baseUrl === 'string' ? options.baseUrl : options.pathsBasePath
  const entries = Object.entries(paths as Record<string, unknown>)
  if (typeof base === 'string' && base.startsWith('/') && entries.every(([, v]) => Array.isArray(v) && v.every((s) => typeof s === 'string'))) {
    mapping = { exact: new Set(), patterns: [], substitutions: paths as Record<string, string[]>, base: base.replace(/(.)\/$/, '$1') }
    for (const [key] of entries) {
      const star = key.indexOf('*')
      if (star < 0) mapping.exact.add(key)
      else if (key.indexOf('*', star + 1) < 0) mapping.patterns.push({ prefix: key.slice(0, star), suffix: key.slice(star + 1), key })
    }
  }
  mappings.set(options, mapping)
  return mapping
}

/**
 * Where a non-relative specifier ends through `paths` and `baseUrl`, as TypeScript tries them before anything else
 * (`tryLoadModuleUsingOptionalResolutionSettings`), under `kind` (from an ES module, `esm`, under `node16` and `nodenext`): the `paths`
 * key that matches (an exact key, else the pattern with the longest part before its `*`), each of its
 * substitutions in turn (the file itself when the substitution has an extension, else looked up as a relative
 * path is); without a matching key, the path under `baseUrl`. `hit: null` when none of those exists: the
 * specifier is looked up as if neither were set (`#` imports, the package's own name, node_modules). `undefined`
 * when TypeScript must be asked (a substitution or a folder this does not read as it does).
 */
export function mappedLookup(specifier: string, options: MappedLookupOptions, exists: (path: string) => boolean, kind: number, esm = false): SourceLookup | undefined {
  const missing: string[] = []
  const none: SourceLookup = { file: null, hit: null, missing }
  if (/^\.\.?(\/|$)/.test(specifier)) return none
  if (options.paths !== undefined) {
    const mapping = mappingOf(options)
    if (!mapping) return undefined
    let key: string | undefined
    let star: string | undefined
    if (mapping.exact.has(specifier)) key = specifier
    else {
      let longest = -1
      for (const p of mapping.patterns) {
        if (p.prefix.length > longest && specifier.length >= p.prefix.length + p.suffix.length && specifier.startsWith(p.prefix) && specifier.endsWith(p.suffix)) {
          longest = p.prefix.length
          key = p.key
          star = specifier.slice(p.prefix.length, specifier.length - p.suffix.length)
        }
      }
    }
    if (key !== undefined) {
      for (const substitution of mapping.substitutions[key]!) {
        const path = star === undefined ? substitution : substitution.replace('*', star)
        // (one naming the base folder itself: left to TypeScript)
        if (path.includes('\\') || path === '' || path === '.' || path === './' || path === '/') return undefined
        // a substitution with an extension TypeScript knows names that file, when it is there (`./src/*.ts`)
        if (KNOWN_EXTENSIONS.some((ext) => substitution.endsWith(ext))) {
          const exact = posix.resolve(mapping.base, path)
          if (exists(exact)) return { file: isSourceFile(exact) ? exact : null, hit: exact, missing }
          missing.push(exact)
        }
        // (an absolute substitution, as `${configDir}/src/*` becomes: from the file system's root)
        const got = path.startsWith('/') ? sourceLookup(`.${path}`, '/', exists, kind, esm)
          : sourceLookup(path.startsWith('./') || path.startsWith('../') ? path : `./${path}`, mapping.base, exists, kind, esm)
        if (got === undefined) return undefined
        missing.push(...got.missing)
        if (got.hit !== null) return { ...got, missing }
      }
      // a key matched: baseUrl is not tried
      return none
    }
  }
  if (typeof options.baseUrl === 'string' && !specifier.startsWith('/')) {
    if (!options.baseUrl.startsWith('/') || specifier.includes('\\')) return undefined
    const got = sourceLookup(`./${specifier}`, options.baseUrl.replace(/(.)\/$/, '$1'), exists, kind, esm)
    if (got === undefined) return undefined
    missing.push(...got.missing)
    if (got.hit !== null) return { ...got, missing }
  }
  return none
}
