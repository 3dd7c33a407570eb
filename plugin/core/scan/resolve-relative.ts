import { existsSync } from 'node:fs'
import { posix } from 'node:path'

/** `moduleResolution` values (TypeScript's `ModuleResolutionKind`) whose relative lookups this module knows. */
const NODE10 = 2
const BUNDLER = 100

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
  return (kind === BUNDLER || kind === NODE10) && !options.paths && !options.baseUrl && !options.rootDirs && !options.moduleSuffixes?.length
}

/** What a file lookup tries before a folder's index (any of them on disk is a file TypeScript takes over the folder). */
const FILE_CANDIDATES = ['.ts', '.tsx', '.d.ts', '.js', '.jsx']

/**
 * The project file a relative specifier names, when TypeScript's lookup is known to end there;
 * `undefined` when TypeScript must be asked.
 *
 * Under `bundler` and `node10` resolution TypeScript tries, for `./a/b` (no dot in the last part),
 * `./a/b.ts` first, and a folder's `index.ts` when no `./a/b` file with a TypeScript or JavaScript
 * extension exists and the folder has no package.json; for `./a/b.js` and `./a/b.ts`, `./a/b.ts`
 * first. Any other form (folders named with a trailing slash or `.`, other extensions, dotted names
 * like `./user.entity`, whose first candidate is `./user.d.entity.ts`) is left to TypeScript.
 */
export function relativeLookup(specifier: string, fromDir: string, isProjectFile: (file: string) => boolean, exists = existsSync): string | undefined {
  if (!(specifier.startsWith('./') || specifier.startsWith('../')) || specifier.endsWith('/') || specifier.includes('\\')) return undefined
  const last = specifier.slice(specifier.lastIndexOf('/') + 1)
  if (last === '.' || last === '..' || last === '') return undefined
  const dot = last.indexOf('.')
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
