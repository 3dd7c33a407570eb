import { existsSync as exists, lstatSync, readFileSync, realpathSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname } from 'node:path'
import { textHash } from '../../../runtime/hash.js'
import { PACKAGE_NAME } from '../options.js'
import { loadProject, type ProjectListing } from './project.js'
import { mappedLookup, type MappedLookupOptions } from './resolve-paths.js'
import { BUNDLER, isSourceFile, NODE10, NODE16, NODENEXT, replacedExtensions, sourceLookup, strippedExtension, TS_EXTENSION, type RelativeLookupOptions } from './resolve-relative.js'

/** The compiler options a package lookup depends on, beyond a relative one's. */
export interface PackageLookupOptions extends RelativeLookupOptions, MappedLookupOptions {
  customConditions?: readonly string[]
  allowJs?: boolean
  checkJs?: boolean
  resolvePackageJsonExports?: boolean
  resolvePackageJsonImports?: boolean
  noDtsResolution?: boolean
  outDir?: string
  declarationDir?: string
  configFilePath?: unknown
}

/**
 * A folder a lookup went through, as a closure records it: one found at `<dir>/node_modules/<name>`, or the folder
 * of the nearest package.json (whose `imports` a subpath import uses, and whose `name` and `exports` an import of the
 * package's own name does); where it really is, and the hash of its package.json and
 * tsconfig.json (`'-'` without either; `''` for a package in node_modules, whose sources are not followed and whose
 * manifest is not read).
 */
export type PackageLink = [link: string, target: string, manifest: string]

/** Where a bare specifier (`@acme/models`, `@acme/models/user`, `#models/user`) ends, and what that answer depends on. */
export interface PackageLookup {
  /**
   * The TypeScript source it names in a workspace package (for a declaration file, the source it was built from);
   * `null` for none (a package, a declaration file of unknown origin, nothing); `undefined` when TypeScript must be
   * asked (a workspace package whose manifest uses a form this does not know).
   */
  file: string | null | undefined
  /**
   * Paths probed and missing: node_modules folders, package.json files below the nearest one, and paths tried
   * inside the workspace package or the scope.
   */
  missing: string[]
  /** The folders found on the way: in node_modules, and the folder of the nearest package.json. */
  links: PackageLink[]
  /**
   * The file TypeScript ends at, of any kind, when it is not in a package (what `paths`, `baseUrl`, `imports` or
   * the package's own `exports` name: a declaration file of the project's own, say); `file` when that is set.
   */
  hit?: string | null
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

/**
 * Which files a lookup in an exports or imports map looks for, as TypeScript's passes do: TypeScript files and
 * declarations (`types`), those and JavaScript files at once (`all`), or JavaScript files alone (`js`, after a
 * `types` pass found nothing).
 */
type Pass = 'types' | 'all' | 'js'

/** What the answer inside one package folder is: `hit` the file TypeScript ends at, of any kind, or `null`. */
interface Inside {
  file: string | null
  hit: string | null
  missing: string[]
}

const NOTHING: Inside = { file: null, hit: null, missing: [] }

/** Whether a file is an ES module under node16 and nodenext, and what says so (`PackageLookups.moduleFormat`). */
export interface ModuleFormat {
  esm: boolean | null | undefined
  missing: readonly string[]
  links: readonly PackageLink[]
}

/** Under the other resolutions: the format does not matter. */
const NO_FORMAT: ModuleFormat = Object.freeze({ esm: null, missing: Object.freeze([]), links: Object.freeze([]) })
const OPAQUE: ReadonlySet<string> = new Set([PACKAGE_NAME])
const DOTS = /(^|\/)\.\.?(\/|$)/
const JS_EXTENSION = /^\.(c|m)?jsx?$/

/**
 * What is at a path: nothing, a package (a folder in node_modules, or a link into one, as pnpm makes), or a folder
 * outside any node_modules with its package.json, if any: at `<dir>/node_modules/<name>`, a workspace package (a
 * link, as npm, yarn and pnpm workspaces make); elsewhere, a folder that may hold an `imports` scope.
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
  const text = readText(`${target}/package.json`)
  // (a workspace package built to dist/ is followed to its sources through its tsconfig: it counts too)
  const config = readText(`${target}/tsconfig.json`)
  let manifest: Probe['manifest'] = null
  if (text !== null) {
    try {
      const parsed: unknown = JSON.parse(text)
      manifest = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
    } catch {
      manifest = 'unreadable'
    }
  }
  return { link: [path, target, text === null && config === null ? '-' : textHash('sha1', `${text ?? ''}\0${config ?? ''}`)], manifest }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** The package.json and tsconfig.json files of the folders among `links` that are not packages (what a watch mode watches). */
export function manifestsOf(links: readonly PackageLink[]): string[] {
  return links.filter(([, , manifest]) => manifest !== '').flatMap(([, target]) => [`${target}/package.json`, `${target}/tsconfig.json`])
}

/** Whether two closures went through the same folders, each the same. */
export function sameLinks(a: readonly PackageLink[], b: readonly PackageLink[]): boolean {
  return a.length === b.length && a.every((link, i) => link.every((part, j) => part === b[i]![j]))
}

/** Whether a folder a closure recorded is still what it was (the same real folder, package.json and tsconfig.json). */
export function linkHolds([path, target, manifest]: PackageLink): boolean {
  const now = probeLink(path).link
  return now !== null && now[1] === target && now[2] === manifest
}

/**
 * Bare specifiers looked up as TypeScript does under `bundler`, `node10`, `node16` and `nodenext` resolution, without
 * loading it, for the import closure and the link: `paths` and `baseUrl` first; then from the importing folder up,
 * the first `node_modules/<name>` found decides. A package's sources are not followed; a workspace package's are,
 * through its package.json (`exports` with the conditions of the resolution and the importing file's format,
 * patterns included; else `typings`, `types`, `main`, then `index`). Subpath imports (`#models/user`) go through the
 * `imports` of the nearest package.json, and so does an import of that package's own name through its `exports`.
 * Forms this does not know (`typesVersions`, folder mappings, fallback arrays, versioned `types@` conditions,
 * targets naming packages, outputs TypeScript maps back to a package's inputs, a package without `exports` under
 * node16 and nodenext) are left to TypeScript, and so is everything under `classic` resolution. Node's built-in
 * modules and URLs are not looked up.
 */
export class PackageLookups {
  private probes = new Map<string, Probe>()
  private answers = new Map<string, PackageLookup>()
  /** Workspace packages' own projects, by folder (`null`: no tsconfig that says where its outputs come from). */
  private builds = new Map<string, PackageBuild | null>()
  private conditions: Set<string>
  private exportsOn: boolean
  private importsOn: boolean
  private selfOn: boolean
  /** Whether the lookup under way is an ES module's (node16, nodenext). */
  private esm = false
  /** The conditions for a CommonJS and an ES module importer (`conditionsFor`), made once each. */
  private conditionSets = new Map<boolean, Set<string>>()
  private quick: boolean

  /**
   * @param opaque packages never followed, because the scan knows them by name: `koan-backup` (whose `Entity` and
   * `EntityBackup` are told by the specifier), and the modules of `entityBases` and `entityDecorators`.
   */
  constructor(private options: PackageLookupOptions, private kind: number, private opaque: ReadonlySet<string> = OPAQUE) {
    this.quick = (kind === BUNDLER || kind === NODE10 || kind === NODE16 || kind === NODENEXT) && !options.noDtsResolution && !options.moduleSuffixes?.length
    this.exportsOn = options.resolvePackageJsonExports ?? (kind === BUNDLER || kind === NODE16 || kind === NODENEXT)
    this.importsOn = options.resolvePackageJsonImports ?? (kind === BUNDLER || kind === NODE16 || kind === NODENEXT)
    // (whatever resolvePackageJsonExports says)
    this.selfOn = kind === BUNDLER || kind === NODE16 || kind === NODENEXT
    this.conditions = this.conditionsFor(null)
  }

  /**
   * The conditions of `exports` and `imports` TypeScript takes (its `getConditions`): `import` and `types` under
   * `bundler`; under `node16` and `nodenext`, `import` for an ES module (`esm`), else `require`, with `types` and
   * `node`; then `customConditions`.
   */
  private conditionsFor(esm: boolean | null): Set<string> {
    const key = esm === true
    let set = this.conditionSets.get(key)
    if (!set) {
      const kind = this.kind
      const own = kind === BUNDLER ? ['import', 'types'] : kind === NODE16 || kind === NODENEXT ? [esm ? 'import' : 'require', 'types', 'node'] : []
      this.conditionSets.set(key, (set = new Set([...own, ...(this.options.customConditions ?? [])])))
    }
    return set
  }

  /** Forgets what was found: for lookups after links or manifests may have changed (a rebuild, a watched manifest). */
  forget(): void {
    this.probes.clear()
    this.answers.clear()
    this.builds.clear()
  }

  /**
   * Where `specifier` ends from `fromDir` (absolute, forward slashes); `esm`: whether the importing file is an ES
   * module, under `node16` and `nodenext` (`moduleFormat`), where the conditions and relative lookups depend on it.
   */
  lookup(specifier: string, fromDir: string, esm: boolean | null | undefined = null): PackageLookup {
    const moded = this.kind === NODE16 || this.kind === NODENEXT
    if (moded && esm === undefined) return { file: undefined, missing: [], links: [] }
    const key = moded ? `${fromDir}\0${esm ? 'm' : 'c'}\0${specifier}` : `${fromDir}\0${specifier}`
    let answer = this.answers.get(key)
    if (!answer) {
      this.esm = moded ? esm === true : false
      this.conditions = this.conditionsFor(this.esm)
      this.answers.set(key, (answer = this.withJavaScript(specifier, this.find(specifier, fromDir))))
    }
    return answer
  }

  /**
   * Under `node10`, TypeScript looks for types everywhere first (`paths`, `baseUrl`, node_modules), and where none
   * is found, for JavaScript files: through `paths` and `baseUrl` (a JavaScript file in node_modules is a package's,
   * no project file either way). A JavaScript file found so is what the specifier names (`hit`; no source). Not when
   * a folder was found in node_modules: whether TypeScript found types there is not known (the answer is no source
   * either way).
   */
  private withJavaScript(specifier: string, found: PackageLookup): PackageLookup {
    if (this.kind !== NODE10 || found.file !== null || found.hit || found.links.length > 0 || (this.options.paths === undefined && this.options.baseUrl === undefined)) return found
    // (the TypeScript files were all missing: the same lookup with JavaScript files finds those alone)
    const js = mappedLookup(specifier, this.options, exists, BUNDLER)
    if (js === undefined) return { ...found, file: undefined }
    return { ...found, hit: js.hit, missing: [...found.missing, ...js.missing] }
  }

  private find(specifier: string, fromDir: string): PackageLookup {
    const missing: string[] = []
    const links: PackageLink[] = []
    const none = { file: null, missing, links }
    // `paths` and `baseUrl` first; where they name nothing on disk, the lookups below
    if (this.options.paths !== undefined || this.options.baseUrl !== undefined) {
      const mapped = this.quick ? mappedLookup(specifier, this.options, exists, this.kind, this.esm) : undefined
      if (mapped === undefined) return { file: undefined, missing, links }
      missing.push(...mapped.missing)
      if (mapped.hit !== null) return { file: mapped.file, hit: mapped.hit, missing, links }
    }
    // classic resolution looks in each folder up (left to TypeScript)
    if (this.kind === 1) return { file: undefined, missing, links }
    if (specifier.startsWith('#')) return this.subpathImport(specifier, fromDir)
    if (specifier.startsWith('/') || specifier.includes(':') || isBuiltin(specifier)) return none
    const parts = specifier.split('/')
    const size = specifier.startsWith('@') ? 2 : 1
    if (parts.length < size || parts.slice(0, size).some((p) => p === '' || p === '.' || p === '..')) return none
    const name = parts.slice(0, size).join('/')
    if (this.opaque.has(name)) return none
    const sub = parts.slice(size).join('/')
    if (this.selfOn) {
      const self = this.selfReference(specifier, fromDir, missing, links)
      if (self !== null) return self
    }
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
          // a folder where TypeScript finds nothing for types: it goes on up. A declaration file found: the source
          // it was built from, when the package's tsconfig says
          if (inside.hit !== null) return { file: inside.file ?? this.sourceOf(probe.link[1], inside.hit), missing, links }
        }
      }
      if (dirname(dir) === dir) return none
    }
  }

  /**
   * Whether `file` is an ES module, as TypeScript tells under `node16` and `nodenext` (`null` under other
   * resolutions, where it does not matter): `.mts` is, `.cts` is not, and another file is when the nearest
   * package.json says `"type": "module"`. What that depends on is returned for the closure to record (the
   * package.json's folder as a link, the package.json paths missing below it); `undefined` when TypeScript must tell
   * (a package.json that is no JSON).
   */
  moduleFormat(file: string): ModuleFormat {
    if (this.kind !== NODE16 && this.kind !== NODENEXT) return NO_FORMAT
    const missing: string[] = []
    const links: PackageLink[] = []
    if (/\.m[jt]s$/.test(file)) return { esm: true, missing, links }
    if (/\.c[jt]s$/.test(file)) return { esm: false, missing, links }
    const scope = this.scope(dirname(file), missing, links)
    if (scope?.manifest === 'unreadable') return { esm: undefined, missing, links }
    return { esm: scope?.manifest?.type === 'module', missing, links }
  }

  /**
   * The nearest package.json from `fromDir` up (TypeScript's package scope): its folder and manifest (`undefined` for a
   * package's own, in node_modules), or `null` without one. Its folder is recorded in `links`, the package.json paths
   * missing below it in `missing` (one created there later is the scope then).
   */
  private scope(fromDir: string, missing: string[], links: PackageLink[]): { dir: string; manifest: Exclude<Probe['manifest'], null> } | null {
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const { link, manifest } = this.probe(dir)
      if (link && manifest !== null) {
        links.push(link)
        return { dir, manifest }
      }
      missing.push(`${dir === '/' ? '' : dir}/package.json`)
      if (dirname(dir) === dir) return null
    }
  }


  /**
   * A subpath import (`#models/user`): through the `imports` of the nearest package.json from the importing folder
   * up (its folder is recorded as a link, with the manifest's hash; the package.json paths missing below it as
   * missing).
   */
  private subpathImport(specifier: string, fromDir: string): PackageLookup {
    const missing: string[] = []
    const links: PackageLink[] = []
    const none = { file: null, missing, links }
    if (!this.importsOn || specifier === '#' || specifier.startsWith('#/')) return none
    const scope = this.scope(fromDir, missing, links)
    // no package.json, or a package's own file (not followed)
    if (!scope || scope.manifest === undefined) return none
    const { dir, manifest } = scope
    if (!this.quick || manifest === 'unreadable' || this.mapsOutputs(dir)) return { file: undefined, missing, links }
    // (a manifest without imports: nothing, as for TypeScript)
    const imports = manifest.imports
    if (imports === null || typeof imports !== 'object' || Array.isArray(imports)) return none
    const inside = this.viaMap(dir, imports as Record<string, unknown>, specifier, this.kind === NODE10 ? 'types' : 'all')
    if (inside === undefined) return { file: undefined, missing, links }
    missing.push(...inside.missing)
    return { file: inside.file, hit: inside.hit, missing, links }
  }


  /**
   * An import of the package's own name (`@acme/app/models` in `@acme/app`), as TypeScript takes it before it looks in
   * node_modules: through the `exports` of the nearest package.json, when that package has `exports` and the
   * specifier starts with its `name`. Types first, then JavaScript (at once with `allowJs`). `null` when it is not one,
   * or when its `exports` has nothing there: node_modules is looked in then. The package.json's folder is recorded as
   * a link (its `name` and `exports` decide), the package.json paths missing below it as missing.
   */
  private selfReference(specifier: string, fromDir: string, missing: string[], links: PackageLink[]): PackageLookup | null {
    const scope = this.scope(fromDir, missing, links)
    // no package.json, or a package's own file (not followed)
    if (!scope || scope.manifest === undefined) return null
    const { dir, manifest } = scope
    if (manifest === 'unreadable') return { file: undefined, missing, links }
    if (!manifest.exports || typeof manifest.name !== 'string') return null
    const sub = subpathOf(specifier, manifest.name)
    if (sub === undefined) return { file: undefined, missing, links }
    if (sub === null) return null
    if (!this.quick || this.mapsOutputs(dir)) return { file: undefined, missing, links }
    const allowJs = this.options.allowJs ?? Boolean(this.options.checkJs)
    for (const pass of allowJs ? (['all'] as const) : (['types', 'js'] as const)) {
      const inside = this.viaExports(dir, manifest.exports, sub, pass)
      if (inside === undefined) return { file: undefined, missing, links }
      missing.push(...inside.missing)
      if (inside.hit !== null) return { file: inside.file, hit: inside.hit, missing, links }
    }
    return null
  }


  /**
   * Whether TypeScript maps a dependency's outputs back to its inputs in `dir` (a package whose exports or imports
   * name `./dist/a.js`, with a tsconfig inside it that has `outDir` or `declarationDir`): left to it.
   */
  private mapsOutputs(dir: string): boolean {
    const config = this.options.configFilePath
    return Boolean(this.options.outDir || this.options.declarationDir) && (typeof config !== 'string' || config.startsWith(`${dir}/`))
  }

  /**
   * A file TypeScript resolved an import to (`null`: none), taken to the source it was built from when it is a
   * declaration file of a workspace package among `links`, the folders its lookup went through (under the
   * resolutions this leaves to TypeScript, `node16` and `nodenext`).
   */
  sourceInPackage(file: string | null, links: readonly PackageLink[]): string | null {
    if (file === null) return null
    const link = links.find(([, target, manifest]) => manifest !== '' && file.startsWith(`${target}/`))
    return (link && this.sourceOf(link[1], file)) ?? file
  }

  /**
   * The source a workspace package's declaration file was built from (`dist/models/user.d.ts` → `src/models/user.ts`),
   * through the package's tsconfig.json: its declarations go to `declarationDir` or `outDir`, from `rootDir`, the
   * folder of a `composite` tsconfig, or the folder its files share, as TypeScript computes it; the source must be
   * one of its files. `null` without such a tsconfig.
   */
  private sourceOf(dir: string, declaration: string): string | null {
    const match = /\.d\.((c|m)?ts)$/.exec(declaration)
    if (!match) return null
    let build = this.builds.get(dir)
    if (build === undefined) this.builds.set(dir, (build = packageBuild(dir)))
    if (!build || !declaration.startsWith(`${build.out}/`)) return null
    const base = build.rootDir + declaration.slice(build.out.length, -match[0].length)
    const extensions = match[1] === 'ts' ? ['.ts', '.tsx'] : [`.${match[1]}`]
    return extensions.map((ext) => base + ext).find((f) => build.files.has(f)) ?? null
  }

  private probe(path: string): Probe {
    let probe = this.probes.get(path)
    if (!probe) this.probes.set(path, (probe = probeLink(path)))
    return probe
  }

  /** The answer inside a workspace package's folder `dir` for `sub` (`''`: the package itself). */
  private inPackage(dir: string, manifest: Record<string, unknown> | null | 'unreadable', sub: string): Inside | undefined {
    if (manifest === 'unreadable' || manifest?.typesVersions !== undefined) return undefined
    if (this.mapsOutputs(dir)) return undefined
    if (this.exportsOn && manifest && manifest.exports !== undefined) return this.viaExports(dir, manifest.exports, sub)
    // a package without exports under node16 and nodenext: left to TypeScript
    if (this.kind === NODE16 || this.kind === NODENEXT) return undefined
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

  private viaExports(dir: string, exports: unknown, sub: string, pass: Pass = 'types'): Inside | undefined {
    let map: Record<string, unknown>
    if (exports !== null && typeof exports === 'object' && !Array.isArray(exports)) {
      const keys = Object.keys(exports)
      const dotted = keys.filter((k) => k.startsWith('.')).length
      if (dotted > 0 && dotted < keys.length) return undefined // invalid: TypeScript says so
      map = dotted === 0 ? { '.': exports } : (exports as Record<string, unknown>)
    } else map = { '.': exports }
    return this.viaMap(dir, map, sub === '' ? '.' : `./${sub}`, pass)
  }

  /**
   * The entry of an `exports` or `imports` map for `key` (`./user`, `#models/user`): the key itself, else the
   * pattern (`./*`, `#models/*`) with the longest part before its `*`, whose target's `*`s stand for what it matched.
   * `js`: JavaScript files are looked for with the others (an `imports` target under `bundler`); in node_modules,
   * TypeScript looks for types everywhere first.
   */
  private viaMap(dir: string, map: Record<string, unknown>, key: string, pass: Pass): Inside | undefined {
    if (Object.hasOwn(map, key) && !key.includes('*')) return this.target(dir, map[key], null, pass)
    const patterns: Array<[prefix: string, suffix: string, key: string]> = []
    for (const k of Object.keys(map)) {
      if (k.endsWith('/')) return undefined // folder mappings: left to TypeScript
      const star = k.indexOf('*')
      if (star >= 0 && star === k.lastIndexOf('*')) patterns.push([k.slice(0, star), k.slice(star + 1), k])
    }
    // TypeScript's order (`comparePatternKeys`): the longer part before `*` first, then the longer key
    patterns.sort((a, b) => b[0].length - a[0].length || b[2].length - a[2].length)
    for (const [prefix, suffix, k] of patterns) {
      if (!key.startsWith(prefix) || !key.endsWith(suffix) || key.length < prefix.length + suffix.length) continue
      const matched = key.slice(prefix.length, key.length - suffix.length)
      // segments TypeScript refuses in what a pattern matched: left to it
      if (matched.includes('\\') || /(^|\/)(\.\.?|node_modules)(\/|$)/.test(matched)) return undefined
      return this.target(dir, map[k], matched, pass)
    }
    return NOTHING
  }

  /**
   * An `exports` or `imports` target: a `./` path (its `*`s replaced by `matched` for a pattern's), or conditions
   * tried in their order (the first that ends at a file wins).
   */
  private target(dir: string, target: unknown, matched: string | null, pass: Pass): Inside | undefined {
    if (typeof target === 'string') {
      if (!target.startsWith('./') || target.endsWith('/') || DOTS.test(target.slice(2)) || target.includes('/node_modules/')) return undefined
      if (matched === null && target.includes('*')) return undefined
      return this.file(dir + (matched === null ? target : target.replaceAll('*', matched)).slice(1), pass)
    }
    if (target === null || typeof target !== 'object' || Array.isArray(target)) return undefined
    const missing: string[] = []
    for (const [condition, value] of Object.entries(target)) {
      if (condition.startsWith('types@')) return undefined
      if (condition !== 'default' && !this.conditions.has(condition)) continue
      const got = this.target(dir, value, matched, pass)
      if (got === undefined) return undefined
      missing.push(...got.missing)
      if (got.hit !== null) return { ...got, missing }
    }
    return { file: null, hit: null, missing }
  }

  /**
   * A file an exports or imports target names: itself (a TypeScript file or declaration), or for `./a.js`, `./a.ts` …
   * `./a.d.ts` (and, in the `all` pass, `./a.js` itself); in the `js` pass, the JavaScript files either stands for.
   * Other extensions are left to TypeScript.
   */
  private file(path: string, pass: Pass): Inside | undefined {
    const [base, extension] = strippedExtension(path)
    // a target without an extension (`./src/*` for `#ext/e`): TypeScript looks nothing up
    if (extension === '') return NOTHING
    const known = TS_EXTENSION.test(path) || JS_EXTENSION.test(extension)
    if (!known) return undefined
    // a JavaScript pass: every extension stands for its JavaScript ones (`./src/a.ts` → `./src/a.js`, `./src/a.jsx`)
    const candidates = pass === 'js'
      ? replacedExtensions(extension, true).filter((ext) => JS_EXTENSION.test(ext)).map((ext) => base + ext)
      : TS_EXTENSION.test(path) ? [path] : replacedExtensions(extension, pass === 'all').map((ext) => base + ext)
    const hit = candidates.find(exists) ?? null
    return { file: hit !== null && isSourceFile(hit) ? hit : null, hit, missing: hit === null ? candidates : candidates.slice(0, candidates.indexOf(hit)) }
  }

}

/**
 * What follows a package's `name` in a bare specifier (`''` for the name itself), compared by path segment as
 * TypeScript compares them (so an empty name starts every specifier): `null` when the specifier does not start with
 * it, `undefined` for a name of another form (a backslash or a colon in it: left to TypeScript).
 */
function subpathOf(specifier: string, name: string): string | null | undefined {
  if (name.includes('\\') || name.includes(':')) return undefined
  // a rooted name never starts a bare specifier
  if (name.startsWith('/')) return null
  const segments = (path: string) => {
    const list = path.split('/')
    if (list[list.length - 1] === '') list.pop()
    return list
  }
  const parts = segments(specifier)
  const names = segments(name)
  if (names.length > parts.length || names.some((p, i) => parts[i] !== p)) return null
  return parts.slice(names.length).join('/')
}

/** Where a workspace package's tsconfig.json puts its declarations, and the files they are built from. */
interface PackageBuild {
  out: string
  rootDir: string
  files: Set<string>
}

function packageBuild(dir: string): PackageBuild | null {
  const config = `${dir}/tsconfig.json`
  if (!exists(config)) return null
  let listing: ProjectListing
  try {
    listing = loadProject(dir, config)
  } catch {
    return null // an unreadable tsconfig: no mapping (the app's own scan reports its own tsconfig's errors)
  }
  const options = listing.compilerOptions as PackageLookupOptions & { rootDir?: string; composite?: boolean }
  const out = options.declarationDir ?? options.outDir
  if (!out || listing.files.length === 0) return null
  const rootDir = options.rootDir ?? (options.composite ? dir : commonFolder(listing.files))
  return { out: out.replace(/\/$/, ''), rootDir: rootDir.replace(/\/$/, ''), files: new Set(listing.files) }
}

/** The deepest folder all the files are in (TypeScript's common source directory). */
function commonFolder(files: readonly string[]): string {
  let common = dirname(files[0]!)
  for (const file of files) while (!file.startsWith(`${common}/`) && common !== dirname(common)) common = dirname(common)
  return common
}

/**
 * The packages a scan knows by name (never followed into their sources): `koan-backup` and the package of each
 * module named by `entityBases` or `entityDecorators` (`typeorm`, `@mikro-orm/core`).
 */
export function opaquePackages(modules: Iterable<string | undefined>): Set<string> {
  const names = new Set([PACKAGE_NAME])
  for (const module of modules) {
    if (!module || module.startsWith('.') || module.startsWith('/') || module.startsWith('#')) continue
    const parts = module.split('/')
    names.add(parts.slice(0, module.startsWith('@') ? 2 : 1).join('/'))
  }
  return names
}

