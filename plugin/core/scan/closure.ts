import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import type { FileFacts } from './facts.js'
import { isScannable, type ModuleResolver } from './project.js'
import { moduleResolutionOf, quickRelativeLookups, sourceLookup, type RelativeLookupOptions } from './resolve-relative.js'

/**
 * The files the scan reads beyond those the tsconfig lists: the TypeScript sources that listed files import,
 * directly or through each other (`import { Shared } from '../shared/models'`), as `tsc` takes them into its program.
 */
export interface Closure {
  /** Those files (absolute, forward slashes), sorted. */
  extras: string[]
  /**
   * Paths tried and missing when the imports were resolved: a file created at one of them could change what an
   * import names, so a closure recorded with a cached scan holds only while they are all still missing.
   * Empty when TypeScript resolved the imports (`paths`, `baseUrl`, `node16`…), which does not tell.
   */
  missing: string[]
}

/** No file beyond the listed ones. */
export const NO_CLOSURE: Closure = { extras: [], missing: [] }

/** The module specifiers a file's facts name (imports, re-exports, star exports). */
function specifiersOf(facts: FileFacts): string[] {
  const found = new Set<string>()
  for (const name in facts.imports) found.add(facts.imports[name]!.module)
  for (const re of facts.reExports) found.add(re.module)
  for (const module of facts.starExports) found.add(module)
  return [...found]
}

/** A TypeScript source file on disk outside any package. */
function isSourceOnDisk(file: string): boolean {
  return isScannable(file) && !file.includes('/node_modules/') && existsSync(file)
}

/**
 * Follows the imports of the listed files to the TypeScript sources they name outside the listing. Relative
 * specifiers are answered on disk in TypeScript's order when the compiler options allow it (`bundler`, `node10`,
 * no `paths`); otherwise TypeScript resolves them, and bare ones too when `paths` or `baseUrl` can map them into
 * the sources. Packages are not followed.
 */
export function importClosure(
  listed: ReadonlySet<string>,
  files: readonly string[],
  facts: (file: string) => FileFacts | undefined,
  options: RelativeLookupOptions,
  resolver: ModuleResolver,
): Closure {
  const kind = moduleResolutionOf(options)
  const quick = quickRelativeLookups(options, kind)
  const onDisk = (path: string) => listed.has(path) || existsSync(path)
  // TypeScript's answers, with every source on disk counted as a project file
  let typeScript: ModuleResolver | null = null
  const lookups = new Map<string, string | null>()
  const missing = new Set<string>()
  const lookup = (specifier: string, from: string): string | null => {
    const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..'
    if (quick && !relative) return null
    const key = `${relative ? dirname(from) : ''}\0${specifier}`
    const known = lookups.get(key)
    if (known !== undefined) return known
    let file: string | null
    const local = quick ? sourceLookup(specifier, dirname(from), onDisk, kind) : undefined
    if (local) {
      file = local.file
      for (const path of local.missing) missing.add(path)
    } else {
      typeScript ??= resolver.withProjectFiles((f) => listed.has(f) || isSourceOnDisk(f))
      file = typeScript.resolve(specifier, from)
    }
    lookups.set(key, file)
    return file
  }
  const extras = new Set<string>()
  const queue = [...files]
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!
    const own = facts(file)
    if (!own) continue
    for (const specifier of specifiersOf(own)) {
      const found = lookup(specifier, file)
      if (found === null || listed.has(found) || extras.has(found)) continue
      extras.add(found)
      queue.push(found)
    }
  }
  return { extras: [...extras].sort(), missing: [...missing].sort() }
}

/** Whether a recorded closure still holds on disk: its files exist and the paths missing then are missing still. */
export function closureHolds(closure: Closure): boolean {
  return closure.extras.every((f) => existsSync(f)) && !closure.missing.some((p) => existsSync(p))
}
