import { existsSync } from 'node:fs'
import { posix } from 'node:path'

/** `moduleResolution` values (TypeScript's `ModuleResolutionKind`) whose relative lookups this module knows. */
export const NODE10 = 2
export const NODE16 = 3
export const NODENEXT = 99
export const BUNDLER = 100

/** The compiler options a relative lookup depends on. */
export interface RelativeLookupOptions {
  target?: number
  module?: number
  moduleResolution?: number
  paths?: unknown
  baseUrl?: unknown
  rootDirs?: unknown
  moduleSuffixes?: readonly string[]
}

/**
 * The module resolution TypeScript uses (its `getEmitModuleResolutionKind`): the option, else one
 * computed from `module`, itself computed from `target` when not set.
 */
export function moduleResolutionOf(options: RelativeLookupOptions): number {
  if (options.moduleResolution !== undefined) return options.moduleResolution
  const target = options.target === 0 || options.target === undefined ? 12 : options.target // ES3 counts as unset; default: ES2025
  const module = options.module ?? (target === 99 ? 99 : target >= 9 ? 7 : target >= 7 ? 6 : target >= 2 ? 5 : 1)
  if (module === 0 || module === 2 || module === 3 || module === 4) return 1 // None, AMD, UMD, System: Classic
  if (module === 199) return 99 // NodeNext
  if (module >= 100 && module < 199) return 3 // Node16 … Node20
  return BUNDLER
}

/** Whether relative specifiers can be answered without TypeScript under these options (`kind`: the effective resolution). */
export function quickRelativeLookups(options: RelativeLookupOptions, kind: number): boolean {
  return (kind === BUNDLER || kind === NODE10 || kind === NODE16 || kind === NODENEXT) && !options.rootDirs && !options.moduleSuffixes?.length
}

/** What a file lookup tries before a folder's index (any of them on disk is a file TypeScript takes over the folder). */
const FILE_CANDIDATES = replacedExtensions('', true)

/**
 * The project file a relative specifier names, when TypeScript's lookup is known to end there (`null`: none);
 * `undefined` when TypeScript must be asked. `esm`: the importing file is an ES module under `node16` or `nodenext`.
 *
 * Under `bundler` and `node10` resolution TypeScript tries, for `./a/b` (no dot in the last part),
 * `./a/b.ts` first, and a folder's `index.ts` when no `./a/b` file with a TypeScript or JavaScript
 * extension exists and the folder has no package.json; for `./a/b.js` and `./a/b.ts`, `./a/b.ts`
 * first. Any other form (folders named with a trailing slash or `.`, other extensions, dotted names
 * like `./user.entity`, whose first candidate is `./user.d.entity.ts`) is left to TypeScript.
 */
export function relativeLookup(specifier: string, fromDir: string, isProjectFile: (file: string) => boolean, exists = existsSync, esm = false): string | null | undefined {
  if (!(specifier.startsWith('./') || specifier.startsWith('../')) || specifier.endsWith('/') || specifier.includes('\\')) return undefined
  const last = specifier.slice(specifier.lastIndexOf('/') + 1)
  if (last === '.' || last === '..' || last === '') return undefined
  const dot = last.indexOf('.')
  // an ES module under node16/nodenext names files with their extension: `./a` names nothing
  if (esm && dot < 0) return null
  if (dot >= 0) {
    if (dot !== last.length - 3 || !(last.endsWith('.js') || last.endsWith('.ts'))) return undefined
    const file = posix.join(fromDir, `${specifier.slice(0, -3)}.ts`)
    return isProjectFile(file) ? file : undefined
  }
  const path = posix.join(fromDir, specifier)
  if (isProjectFile(`${path}.ts`)) return `${path}.ts`
  const index = `${path}/index.ts`
  if (!isProjectFile(index) || FILE_CANDIDATES.some((ext) => exists(path + ext)) || exists(`${path}/package.json`)) return undefined
  return index
}

/** A relative lookup for the import closure: the file it ends at, and the paths tried and missing before it. */
export interface SourceLookup {
  /** The TypeScript source file the specifier names (not a declaration file, not in a package), or `null`. */
  file: string | null
  /** The file TypeScript ends at, of any kind (`./a.js`, `./a.d.ts`), or `null` when it finds none. */
  hit: string | null
  /**
   * Paths TypeScript tries before the one it ends at, missing now: a file created at one of them would change what
   * the specifier names. Left empty for a specifier naming a file of another kind (`./styles.css`), which no source
   * file is created for.
   */
  missing: string[]
}

/** The extensions TypeScript strips before trying others (its `removeFileExtension`), longest first. */
/** The extensions TypeScript knows a path by (its `extensionsToRemove`), longest first where one ends another. */
export const KNOWN_EXTENSIONS = ['.d.ts', '.d.mts', '.d.cts', '.mjs', '.mts', '.cjs', '.cts', '.ts', '.js', '.tsx', '.jsx', '.json']

/**
 * A path's extension as TypeScript strips it (`a.d.ts` → `.d.ts`, `a.entity` → `.entity`), and the path without
 * it; `''` for a file name without a dot.
 */
export function strippedExtension(path: string): [base: string, extension: string] {
  const name = path.slice(path.lastIndexOf('/') + 1)
  if (!name.includes('.')) return [path, '']
  const known = KNOWN_EXTENSIONS.find((ext) => path.endsWith(ext) && path.length > ext.length)
  const extension = known ?? path.slice(path.lastIndexOf('.'))
  return [path.slice(0, -extension.length), extension]
}

/**
 * The extensions TypeScript tries in place of a stripped one (its `tryAddingExtensions`): TypeScript files and
 * declarations, then, with `js`, JavaScript files (`.js` → `.ts`, `.tsx`, `.d.ts`, `.js`, `.jsx`; `.jsx` →
 * `.tsx`, `.ts`, …; another extension, `.css` → `.d.css.ts`).
 */
export function replacedExtensions(extension: string, js: boolean): string[] {
  switch (extension) {
    case '.mjs': case '.mts': case '.d.mts': return ['.mts', '.d.mts', ...(js ? ['.mjs'] : [])]
    case '.cjs': case '.cts': case '.d.cts': return ['.cts', '.d.cts', ...(js ? ['.cjs'] : [])]
    case '.json': return ['.d.json.ts']
    case '.tsx': case '.jsx': return ['.tsx', '.ts', '.d.ts', ...(js ? ['.jsx', '.js'] : [])]
    case '.ts': case '.d.ts': case '.js': case '': return ['.ts', '.tsx', '.d.ts', ...(js ? ['.js', '.jsx'] : [])]
    default: return [`.d${extension}.ts`]
  }
}

export const TS_EXTENSION = /\.(c|m)?tsx?$/
/** `a.d.ts`, and `a.d.css.ts` (a declaration for `./a.css`, with `allowArbitraryExtensions`). */
const DECLARATION = /\.d\.([^./]+\.)?(c|m)?ts$/
const CODE_EXTENSION = /\.(c|m)?[jt]sx?$/

/** A TypeScript source file (not a declaration file) outside any package: what the import closure takes. */
export function isSourceFile(file: string): boolean {
  return TS_EXTENSION.test(file) && !DECLARATION.test(file) && !file.includes('/node_modules/')
}

/** Dots as a path segment, or doubled slashes: what `posix.join` normalises. */
const UNNORMAL = /(^|\/)\.{1,2}(\/|$)|\/\//

/** `posix.join(dir, specifier)` for a normalised absolute `dir`, without its cost in the common forms (`./a/b`, `../../a`). */
function joinRelative(dir: string, specifier: string): string {
  let base = dir
  let rest = specifier
  for (;;) {
    if (rest.startsWith('./')) rest = rest.slice(2)
    else if (rest.startsWith('../') && base.lastIndexOf('/') > 0) {
      base = base.slice(0, base.lastIndexOf('/'))
      rest = rest.slice(3)
    } else break
  }
  return rest === '' || UNNORMAL.test(rest) || base.length <= 1 ? posix.join(dir, specifier) : `${base}/${rest}`
}

/**
 * Where a relative specifier ends under `bundler` and `node10` resolution (`kind`, as `moduleResolutionOf` gives
 * it), in the order TypeScript tries, without loading it: for the files the scan reads beyond those the tsconfig
 * lists. `undefined` when TypeScript must be asked (a folder with its own package.json). `exists` answers for paths
 * on disk.
 *
 * Under `bundler` TypeScript looks for JavaScript files with the TypeScript ones (`./a.js` beside `./a/index.ts`
 * is what `./a` names); under `node10` it looks for TypeScript files first, in folders too. A JavaScript file found
 * is no source file: the answer is then `null`.
 */
export function sourceLookup(specifier: string, fromDir: string, exists: (path: string) => boolean, kind: number = BUNDLER, esm = false): SourceLookup | undefined {
  // `./dir/`, `.`, `..`: a folder only
  const folder = specifier.endsWith('/') || /(^|\/)\.\.?$/.test(specifier)
  const path = joinRelative(fromDir, specifier).replace(/(.)\/$/, '$1')
  const last = path.slice(path.lastIndexOf('/') + 1)
  const dot = last.lastIndexOf('.')
  const extension = dot > 0 && !folder ? last.slice(dot) : ''
  // an ES module under node16/nodenext: the extension replaced, nothing added, no folder's index
  if (esm) return folder || !last.includes('.') ? { file: null, hit: null, missing: [] } : esmLookup(path, exists)
  // the common case first, without the steps below: `./a/b` naming `./a/b.ts`
  const ts = `${path}.ts`
  if (!folder && extension === '' && exists(ts)) return { file: isSourceFile(ts) ? ts : null, hit: ts, missing: [] }
  const js = kind !== NODE10
  const tried: string[] = []
  // a name with another extension (`./styles.css`) is no source file's, whatever is created next to it
  const recordMisses = extension === '' || CODE_EXTENSION.test(extension)
  const found = (file: string | null): SourceLookup => ({
    file: file !== null && isSourceFile(file) ? file : null,
    hit: file,
    missing: recordMisses ? tried : [],
  })
  const first = (candidates: string[]): string | undefined => {
    for (const candidate of candidates) {
      if (exists(candidate)) return candidate
      tried.push(candidate)
    }
    return undefined
  }
  const withExtensions = (base: string) => replacedExtensions('', js).map((ext) => base + ext)
  const index = () => (exists(`${path}/package.json`) ? undefined : found(first(withExtensions(`${path}/index`)) ?? null))
  if (folder) return index()
  // TypeScript replaces the extension (`./a.js` → `./a.ts`, `./user.entity` → `./user.d.entity.ts`), then adds one
  // (`./a.js.ts`), then looks for a folder's index
  const [base, stripped] = strippedExtension(path)
  const replaced = stripped === '' ? [] : replacedExtensions(stripped, js).map((ext) => base + ext)
  const hit = first([...replaced, ...withExtensions(path)])
  return hit ? found(hit) : index()
}

/** `./a.js` from an ES module under node16/nodenext: `./a.ts`, `./a.tsx`, `./a.d.ts`, `./a.js`, `./a.jsx` (its extension replaced). */
function esmLookup(path: string, exists: (path: string) => boolean): SourceLookup {
  const [base, stripped] = strippedExtension(path)
  const candidates = replacedExtensions(stripped, true).map((ext) => base + ext)
  const at = candidates.findIndex(exists)
  const hit = at < 0 ? null : candidates[at]!
  const recordMisses = CODE_EXTENSION.test(stripped)
  return { file: hit !== null && isSourceFile(hit) ? hit : null, hit, missing: recordMisses ? (at < 0 ? candidates : candidates.slice(0, at)) : [] }
}
