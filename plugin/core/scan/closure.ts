import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import type { FileFacts } from './facts.js'
import type { ModuleResolver } from './project.js'
import { linkHolds, type ModuleFormat, type PackageLink } from './resolve-package.js'
import { isSourceFile, moduleResolutionOf, quickRelativeLookups, sourceLookup, type RelativeLookupOptions } from './resolve-relative.js'

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
  /**
   * The folders bare specifiers were looked up through: those found in node_modules (`@acme/models`) and the scopes
   * of `#` imports, with where they really are and, but for packages, the hash of their package.json and
   * tsconfig.json: a package linked elsewhere or a manifest edited can change what an import names. Empty when
   * TypeScript resolved the imports (`paths`, `baseUrl`).
   */
  links: PackageLink[]
}

/** No file beyond the listed ones. */
export const NO_CLOSURE: Closure = { extras: [], missing: [], links: [] }

/** Calls `visit` with each module specifier a file's facts name (imports, re-exports, star exports; repeats included). */
export function eachSpecifier(facts: FileFacts, visit: (specifier: string) => void): void {
  for (const name in facts.imports) visit(facts.imports[name]!.module)
  for (const re of facts.reExports) visit(re.module)
  for (const module of facts.starExports) visit(module)
  for (const module of facts.moduleRefs) visit(module)
}

/** The module specifiers a file's facts name, sorted and distinct (what its part of the closure depends on). */
export function specifiersKey(facts: FileFacts): string {
  const found = new Set<string>()
  eachSpecifier(facts, (s) => found.add(s))
  return [...found].sort().join('\0')
}

/**
 * Follows the imports of the listed files to the TypeScript sources they name outside the listing. Relative
 * specifiers are answered on disk in TypeScript's order when the compiler options allow it (`bundler`, `node10`,
 * no `rootDirs` or `moduleSuffixes`); otherwise TypeScript resolves them. Bare specifiers go through `paths` and
 * `baseUrl`, then name workspace packages' sources through their links in node_modules (`PackageLookups`), with
 * TypeScript asked where those do not know the form; packages are not followed.
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
  // (every folder's `../../shared` probes the same paths: each is asked once)
  const probed = new Map<string, boolean>()
  const onDisk = (path: string) => {
    if (listed.has(path)) return true
    let found = probed.get(path)
    if (found === undefined) probed.set(path, (found = existsSync(path)))
    return found
  }
  // TypeScript's answers, with every source on disk counted as a project file
  let typeScript: ModuleResolver | null = null
  const byDir = new Map<string, Map<string, string | null>>()
  const missing = new Set<string>()
  const links = new Map<string, PackageLink>()
  const extras = new Set<string>()
  const queue = [...files]
  let file = ''
  let dir = ''
  let format: ModuleFormat = { esm: null, missing: [], links: [] }
  let known: Map<string, string | null> = new Map()
  // where a specifier ends from `file` (in `dir`), recording what the answer depends on
  const lookup = (specifier: string): string | null => {
    const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..'
    if (relative && quick && format.esm !== undefined) {
      const got = sourceLookup(specifier, dir, onDisk, kind, format.esm === true)
      if (got) {
        for (const path of got.missing) missing.add(path)
        return got.file
      }
    } else if (!relative) {
      const got = resolver.packages.lookup(specifier, dir, format.esm)
      for (const path of got.missing) missing.add(path)
      for (const link of got.links) links.set(link[0], link)
      if (got.file !== undefined) return got.file
    }
    typeScript ??= resolver.withProjectFiles((f) => listed.has(f) || (isSourceFile(f) && existsSync(f)))
    return typeScript.resolve(specifier, file)
  }
  const visit = (specifier: string): void => {
    let found = known.get(specifier)
    if (found === undefined) known.set(specifier, (found = lookup(specifier)))
    if (found === null || listed.has(found) || extras.has(found)) return
    extras.add(found)
    queue.push(found)
  }
  for (let i = 0; i < queue.length; i++) {
    file = queue[i]!
    const own = facts(file)
    if (!own) continue
    dir = dirname(file)
    // (under node16 and nodenext, whether the file is an ES module: its relative imports resolve by it)
    format = resolver.packages.moduleFormat(file)
    for (const path of format.missing) missing.add(path)
    for (const link of format.links) links.set(link[0], link)
    const byFormat = format.esm === null ? dir : `${dir}\0${format.esm}`
    known = byDir.get(byFormat) ?? new Map()
    byDir.set(byFormat, known)
    eachSpecifier(own, visit)
  }
  return { extras: [...extras].sort(), missing: [...missing].sort(), links: [...links.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1)) }
}

/**
 * Whether a recorded closure still holds on disk: its files exist, the paths missing then are missing still, and the
 * folders its lookups went through are what they were.
 */
export function closureHolds(closure: Closure): boolean {
  return closure.extras.every((f) => existsSync(f)) && !closure.missing.some((p) => existsSync(p)) && closure.links.every(linkHolds)
}
