import { existsSync as exists, lstatSync, readFileSync, realpathSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname } from 'node:path'
import { textHash } from '../../../runtime/hash.js'
import { BUNDLER, FOR_JS_EXTENSION, isSourceFile, NODE10, sourceLookup, TS_EXTENSION, type RelativeLookupOptions } from './resolve-relative.js'

/** The compiler options a package lookup depends on, beyond a relative one's. */
export interface PackageLookupOptions extends RelativeLookupOptions {
  customConditions?: readonly string[]
  resolvePackageJsonExports?: boolean
  noDtsResolution?: boolean
  outDir?: string
  declarationDir?: string
  configFilePath?: unknown
}

/**
 * A folder found at `<dir>/node_modules/<name>` while a bare specifier was looked up, as a closure records it: where
 * it really is, and, for a workspace package (a link to a folder outside any node_modules), its package.json's hash
 * (`''` for a package, whose sources are not followed).
 */
export type PackageLink = [link: string, target: string, manifest: string]

/** Where a bare specifier (`@acme/models`, `@acme/models/user`) ends, and what that answer depends on. */
export interface PackageLookup {
  /**
   * The TypeScript source it names in a workspace package; `null` for none (a package, a declaration file, nothing);
   * `undefined` when TypeScript must be asked (a workspace package whose manifest uses a form this does not know).
   */
  file: string | null | undefined
  /** node_modules folders probed and missing, and paths tried and missing inside the workspace package. */
  missing: string[]
  /** The folders found in node_modules on the way. */
  links: PackageLink[]
}

interface Probe {
  /** `null`: nothing there. */
  link: PackageLink | null
  /**
   * The package.json of a workspace package: `undefined` for a package or nothing, `null` when it has none,
   * `'unreadable'` when it is no JSON (TypeScript is left to say what it makes of it).
   */
  manifest?: Record<string, unknown> | null | 'unreadable'
}

/** What the answer inside one package folder is: `hit` the file TypeScript ends at, of any kind, or `null`. */
interface Inside {
  file: string | null
  hit: string | null
  missing: string[]
}

const NOTHING: Inside = { file: null, hit: null, missing: [] }
const DOTS = /(^|\/)\.\.?(\/|$)/

/**
 * What is at `<dir>/node_modules/<name>`: nothing, a package (a folder in node_modules, or a link into one, as pnpm
 * makes), or a workspace package (a link to a folder outside any node_modules, as npm, yarn and pnpm workspaces make).
 */
export function probeLink(path: string): Probe {
  try {
    lstatSync(path)
  } catch {
    return { link: null }
  }
  let target: string
  try {
    target = realpathSync(path).replaceAll('\\', '/')
  } catch {
    return { link: null } // a dangling link
  }
  if (`${target}/`.includes('/node_modules/')) return { link: [path, target, ''] }
  let text: string | null = null
  try {
    text = readFileSync(`${target}/package.json`, 'utf8')
  } catch {}
  let manifest: Probe['manifest'] = null
  if (text !== null) {
    try {
      const parsed: unknown = JSON.parse(text)
      manifest = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
    } catch {
      manifest = 'unreadable'
    }
  }
  return { link: [path, target, text === null ? '-' : textHash('sha1', text)], manifest }
}

/** The package.json files of the workspace packages among `links` (what a watch mode watches). */
export function manifestsOf(links: readonly PackageLink[]): string[] {
  return links.filter(([, , manifest]) => manifest !== '').map(([, target]) => `${target}/package.json`)
}

/** Whether two closures found the same folders in node_modules, each the same. */
export function sameLinks(a: readonly PackageLink[], b: readonly PackageLink[]): boolean {
  return a.length === b.length && a.every((link, i) => link.every((part, j) => part === b[i]![j]))
}

/** Whether a folder a closure recorded is still what it was (the same real folder, the same package.json). */
export function linkHolds([path, target, manifest]: PackageLink): boolean {
  const now = probeLink(path).link
  return now !== null && now[1] === target && now[2] === manifest
}

/**
 * Bare specifiers looked up as TypeScript does under `bundler` and `node10` resolution, without loading it, for the
 * import closure: from the importing folder up, the first `node_modules/<name>` found decides. A package's sources
 * are not followed; a workspace package's are, through its package.json (`exports` with the `import`, `types` and
 * custom conditions under `bundler`; else `typings`, `types`, `main`, then `index`). Forms this does not know
 * (`typesVersions`, export patterns, fallback arrays, versioned `types@` conditions) are left to TypeScript, and so
 * is everything under other resolutions once a workspace package is found. Node's built-in modules, `#imports`
 * and URLs are not looked up.
 */
export class PackageLookups {
  private probes = new Map<string, Probe>()
  private answers = new Map<string, PackageLookup>()
  private conditions: Set<string>
  private exportsOn: boolean
  private quick: boolean

  constructor(private options: PackageLookupOptions, private kind: number) {
    this.quick = (kind === BUNDLER || kind === NODE10) && !options.noDtsResolution
    this.exportsOn = options.resolvePackageJsonExports ?? kind === BUNDLER
    this.conditions = new Set([...(kind === BUNDLER ? ['import', 'types'] : []), ...(options.customConditions ?? [])])
  }

  /** Forgets what was found: for lookups after links or manifests may have changed (a rebuild, a watched manifest). */
  forget(): void {
    this.probes.clear()
    this.answers.clear()
  }

  /** Where `specifier` ends from `fromDir` (absolute, forward slashes). */
  lookup(specifier: string, fromDir: string): PackageLookup {
    const key = `${fromDir}\0${specifier}`
    let answer = this.answers.get(key)
    if (!answer) this.answers.set(key, (answer = this.find(specifier, fromDir)))
    return answer
  }

  private find(specifier: string, fromDir: string): PackageLookup {
    const missing: string[] = []
    const links: PackageLink[] = []
    const none = { file: null, missing, links }
    // classic resolution has no node_modules lookups
    if (this.kind === 1 || specifier.startsWith('#') || specifier.startsWith('/') || specifier.includes(':') || isBuiltin(specifier)) return none
    const parts = specifier.split('/')
    const size = specifier.startsWith('@') ? 2 : 1
    if (parts.length < size || parts.slice(0, size).some((p) => p === '' || p === '.' || p === '..')) return none
    const name = parts.slice(0, size).join('/')
    const sub = parts.slice(size).join('/')
    for (let dir = fromDir; ; dir = dirname(dir)) {
      if (!dir.endsWith('/node_modules')) {
        const candidate = `${dir === '/' ? '' : dir}/node_modules/${name}`
        const probe = this.probe(candidate)
        if (!probe.link) missing.push(candidate)
        else {
          links.push(probe.link)
          if (probe.manifest === undefined) return none
          const inside = this.quick ? this.inPackage(probe.link[1], probe.manifest, sub) : undefined
          if (inside === undefined) return { file: undefined, missing, links }
          missing.push(...inside.missing)
          // a folder where TypeScript finds nothing for types: it goes on up
          if (inside.hit !== null) return { file: inside.file, missing, links }
        }
      }
      if (dirname(dir) === dir) return none
    }
  }

  private probe(path: string): Probe {
    let probe = this.probes.get(path)
    if (!probe) this.probes.set(path, (probe = probeLink(path)))
    return probe
  }

  /** The answer inside a workspace package's folder `dir` for `sub` (`''`: the package itself). */
  private inPackage(dir: string, manifest: Record<string, unknown> | null | 'unreadable', sub: string): Inside | undefined {
    if (manifest === 'unreadable' || manifest?.typesVersions !== undefined) return undefined
    // a dependency's outputs mapped back to its inputs, which TypeScript does for a tsconfig inside the package
    const config = this.options.configFilePath
    if ((this.options.outDir || this.options.declarationDir) && (typeof config !== 'string' || config.startsWith(`${dir}/`))) return undefined
    if (this.exportsOn && manifest && manifest.exports !== undefined) return this.viaExports(dir, manifest.exports, sub)
    if (sub !== '') return this.relative(`./${sub}`, dir)
    const missing: string[] = []
    const field = [manifest?.typings, manifest?.types, manifest?.main].find((v): v is string => typeof v === 'string')
    if (field !== undefined) {
      if (field.startsWith('/') || field.includes('\\')) return undefined
      const got = this.relative(field.startsWith('./') || field.startsWith('../') ? field : `./${field}`, dir)
      if (got === undefined || got.hit !== null) return got
      missing.push(...got.missing)
    }
    const index = this.relative('./index', dir)
    return index && { ...index, missing: [...missing, ...index.missing] }
  }

  /** A path inside the package as TypeScript looks for types there: TypeScript files and declarations only. */
  private relative(specifier: string, dir: string): Inside | undefined {
    return sourceLookup(specifier, dir, exists, NODE10)
  }

  private viaExports(dir: string, exports: unknown, sub: string): Inside | undefined {
    let map: Record<string, unknown>
    if (exports !== null && typeof exports === 'object' && !Array.isArray(exports)) {
      const keys = Object.keys(exports)
      const dotted = keys.filter((k) => k.startsWith('.')).length
      if (dotted > 0 && dotted < keys.length) return undefined // invalid: TypeScript says so
      map = dotted === 0 ? { '.': exports } : (exports as Record<string, unknown>)
    } else map = { '.': exports }
    const key = sub === '' ? '.' : `./${sub}`
    if (!Object.hasOwn(map, key)) return Object.keys(map).some((k) => k.includes('*') || k.endsWith('/')) ? undefined : NOTHING
    return this.target(dir, map[key])
  }

  /** An exports target: a `./` path, or conditions tried in their order (the first that ends at a file wins). */
  private target(dir: string, target: unknown): Inside | undefined {
    if (typeof target === 'string') {
      if (!target.startsWith('./') || target.includes('*') || target.endsWith('/') || DOTS.test(target.slice(2)) || target.includes('/node_modules/')) return undefined
      return this.file(dir + target.slice(1))
    }
    if (target === null || typeof target !== 'object' || Array.isArray(target)) return undefined
    const missing: string[] = []
    for (const [condition, value] of Object.entries(target)) {
      if (condition.startsWith('types@')) return undefined
      if (condition !== 'default' && !this.conditions.has(condition)) continue
      const got = this.target(dir, value)
      if (got === undefined) return undefined
      missing.push(...got.missing)
      if (got.hit !== null) return { ...got, missing }
    }
    return { file: null, hit: null, missing }
  }

  /** A file an exports target names: itself (a TypeScript file or declaration), or for `./a.js`, `./a.ts` … `./a.d.ts`. */
  private file(path: string): Inside | undefined {
    const slash = path.lastIndexOf('/')
    const dot = path.lastIndexOf('.')
    const extension = dot > slash ? path.slice(dot) : ''
    const forJs = FOR_JS_EXTENSION[extension]
    const candidates = TS_EXTENSION.test(path) ? [path] : forJs ? forJs.map((ext) => path.slice(0, -extension.length) + ext) : null
    if (!candidates) return undefined
    const hit = candidates.find(exists) ?? null
    return { file: hit !== null && isSourceFile(hit) ? hit : null, hit, missing: hit === null ? candidates : candidates.slice(0, candidates.indexOf(hit)) }
  }
}
