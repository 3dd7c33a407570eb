import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { RECENT_MS, statStamp } from './cache-files.js'
import { loadTypeScript, ts } from './morph.js'
import { PackageLookups, type PackageLookupOptions } from './resolve-package.js'
import { moduleResolutionOf, quickRelativeLookups, relativeLookup } from './resolve-relative.js'
import { readConfigQuick } from './tsconfig-quick.js'

/** The files a scan covers and the compiler options used to resolve imports between them. */
export interface ProjectFiles {
  files: string[]
  compilerOptions: ts.CompilerOptions
}

/**
 * A project listing with what it was made from: the stamp of every config file read (or probed)
 * and of every directory listed. While they all hold, the listing holds, and a build can use it
 * without loading TypeScript. `inputs` is `null` when the listing cannot be reused (an input
 * changed in the last seconds: a second change could keep its stamp).
 */
export interface ProjectListing extends ProjectFiles {
  /** Root and tsconfig the listing is for. */
  for: string
  inputs: Record<string, string> | null
  /** The config files read: the tsconfig, those it extends and references (an edit of any lists the project again). */
  configs: string[]
}

const SOURCE_FILE = /\.(c|m)?tsx?$/
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage'])

function isScannable(file: string): boolean {
  return SOURCE_FILE.test(file) && !/\.d\.(c|m)?ts$/.test(file)
}

/** Records the stamps of the inputs a listing reads. */
class Inputs {
  readonly stamps: Record<string, string> = {}
  private recent = false
  private readonly now = Date.now()

  /** A file's or directory's stamp now (`missing` when absent). */
  static stamp(path: string): { stamp: string; mtimeMs: number } {
    return statStamp(path) ?? { stamp: 'missing', mtimeMs: 0 }
  }

  add(path: string): void {
    if (path in this.stamps) return
    const { stamp, mtimeMs } = Inputs.stamp(path)
    this.stamps[path] = stamp
    if (this.now - mtimeMs < RECENT_MS) this.recent = true
  }

  /** Something was read that cannot be stamped: the listing is not reused. */
  untracked(): void {
    this.recent = true
  }

  get result(): Record<string, string> | null {
    return this.recent ? null : this.stamps
  }
}

/** What a listing is for: `ProjectListing.for`. */
export function listingKey(root: string, tsconfig: string | null): string {
  return `${root}\0${tsconfig ?? ''}`
}

/** Whether every input of a listing still has its recorded stamp. */
function stillHolds(listing: ProjectListing, key: string): boolean {
  if (listing.for !== key || !listing.inputs) return false
  for (const [path, stamp] of Object.entries(listing.inputs)) if (Inputs.stamp(path).stamp !== stamp) return false
  return true
}

function walk(dir: string, out: string[], inputs: Inputs): void {
  inputs.add(dir)
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) walk(full, out, inputs)
    else if (entry.isFile() && isScannable(entry.name)) out.push(full.replaceAll('\\', '/'))
  }
}

/** A directory's entries as TypeScript's file matcher wants them (symbolic links followed, as `ts.sys` does). */
function entriesOf(dir: string): { files: string[]; directories: string[] } {
  const files: string[] = []
  const directories: string[] = []
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return { files, directories }
  }
  for (const entry of entries) {
    if (entry.name === '.' || entry.name === '..') continue
    let kind: 'file' | 'dir' | null = entry.isFile() ? 'file' : entry.isDirectory() ? 'dir' : null
    if (entry.isSymbolicLink()) {
      try {
        const st = statSync(join(dir, entry.name))
        kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null
      } catch {
        kind = null
      }
    }
    if (kind === 'file') files.push(entry.name)
    else if (kind === 'dir') directories.push(entry.name)
  }
  return { files: files.sort(), directories: directories.sort() }
}

/** TypeScript's internal `matchFiles` (behind `ts.sys.readDirectory`). */
type MatchFiles = (path: string, extensions: readonly string[] | undefined, excludes: readonly string[] | undefined, includes: readonly string[] | undefined,
  useCaseSensitiveFileNames: boolean, currentDirectory: string, depth: number | undefined,
  getFileSystemEntries: (dir: string) => { files: string[]; directories: string[] }, realpath: (path: string) => string) => string[]

function configError(tsconfig: string, diag: ts.Diagnostic): never {
  const text = ts.flattenDiagnosticMessageText(diag.messageText, ' ')
  throw new Error(`[koan-backup] option \`tsconfig\`: cannot read ${tsconfig}: ${text}`)
}

/**
 * Lists the files of the tsconfig (or, without one, every TypeScript file under root). A `previous`
 * listing whose inputs all still hold is returned as it is, without loading TypeScript.
 */
export function loadProject(root: string, tsconfig: string | null, previous?: ProjectListing | null): ProjectListing {
  const key = listingKey(root, tsconfig)
  if (previous && stillHolds(previous, key)) return previous
  const inputs = new Inputs()
  if (tsconfig === null || !existsSync(tsconfig)) {
    if (tsconfig !== null && !tsconfig.endsWith('/tsconfig.json')) {
      throw new Error(`[koan-backup] option \`tsconfig\`: ${tsconfig} does not exist; give an existing file or \`false\``)
    }
    if (tsconfig !== null) inputs.add(tsconfig)
    const files: string[] = []
    walk(root, files, inputs)
    // ModuleKind.ESNext, ModuleResolutionKind.Bundler: numbers, so this path needs no TypeScript
    return { for: key, files: files.sort(), compilerOptions: { module: 99, moduleResolution: 100, allowJs: true }, inputs: inputs.result, configs: [] }
  }
  const own = readConfig(tsconfig, inputs)
  const configs = [...own.configs]
  if (own.files.length > 0 || own.references.length === 0) return { for: key, files: own.files, compilerOptions: own.compilerOptions, inputs: inputs.result, configs }
  // a solution config (`"files": []` and `references`, as vite's templates write tsconfig.json): the files of the
  // projects it references, transitively, with the compiler options of the first that lists any
  const files = new Set<string>()
  let compilerOptions: ts.CompilerOptions | null = null
  const seen = new Set([tsconfig])
  const follow = (references: string[]): void => {
    for (const config of references) {
      if (seen.has(config)) continue
      seen.add(config)
      inputs.add(config)
      if (!existsSync(config)) throw new Error(`[koan-backup] option \`tsconfig\`: ${tsconfig} references ${config}, which does not exist; fix the reference or point \`tsconfig\` at the config that lists your sources`)
      const read = readConfig(config, inputs)
      configs.push(...read.configs)
      if (read.files.length > 0) compilerOptions ??= read.compilerOptions
      for (const file of read.files) files.add(file)
      follow(read.references)
    }
  }
  follow(own.references)
  return { for: key, files: [...files].sort(), compilerOptions: compilerOptions ?? own.compilerOptions, inputs: inputs.result, configs }
}

/** A config's own files, compiler options and the configs it references: read without TypeScript when it can be. */
function readConfig(tsconfig: string, inputs: Inputs): { files: string[]; compilerOptions: ts.CompilerOptions; references: string[]; configs: string[] } {
  // a config read exactly without TypeScript (the common case) needs no TypeScript load
  const visited: string[] = []
  const quick = readConfigQuick(tsconfig, (dir) => visited.push(dir))
  if (quick) {
    for (const dir of visited) inputs.add(dir)
    // the config, those it extends, and the node_modules folders looked in for a package's
    for (const path of [...quick.configs, ...quick.probed]) inputs.add(path)
    return { files: quick.files, compilerOptions: quick.compilerOptions as ts.CompilerOptions, references: quick.references, configs: quick.configs }
  }
  loadTypeScript()
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => configError(tsconfig, d),
    // every config file read or probed (`extends`), and every directory the include patterns walk
    readFile: (path) => (inputs.add(path), ts.sys.readFile(path)),
    fileExists: (path) => (inputs.add(path), ts.sys.fileExists(path)),
    readDirectory: (path, extensions, excludes, includes, depth) => {
      // TypeScript's own matcher (what `ts.sys.readDirectory` runs), told to list directories through us
      const matchFiles = (ts as unknown as { matchFiles?: MatchFiles }).matchFiles
      if (!matchFiles) return inputs.untracked(), ts.sys.readDirectory(path, extensions, excludes, includes, depth)
      return matchFiles(path, extensions, excludes, includes, ts.sys.useCaseSensitiveFileNames, process.cwd(), depth,
        (dir) => (inputs.add(dir), entriesOf(dir)), (p) => ts.sys.realpath?.(p) ?? p)
    },
  }
  const configs: string[] = []
  const readFile = host.readFile
  host.readFile = (path) => (configs.push(path.replaceAll('\\', '/')), readFile(path))
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, host)
  if (!parsed) throw new Error(`[koan-backup] option \`tsconfig\`: cannot read ${tsconfig}`)
  const fatal = parsed.errors.find((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003)
  if (fatal) configError(tsconfig, fatal)
  const references = (parsed.projectReferences ?? []).map((r) => ts.resolveProjectReferencePath(r).replaceAll('\\', '/'))
  return { files: parsed.fileNames.filter(isScannable).sort(), compilerOptions: parsed.options, references, configs }
}

/**
 * Resolves import specifiers to project files; anything outside the project is external.
 * Relative specifiers whose first candidate is a project file, bare ones that name no workspace package, and
 * resolutions learnt from an earlier scan of the same inputs, need no TypeScript.
 */
export class ModuleResolver {
  private cache: ts.ModuleResolutionCache | null = null
  private memo = new Map<string, string | null>()
  /** The memo by importing file and specifier (no key to build per lookup). */
  private byFile = new Map<string, Map<string, string | null>>()
  private quick: boolean | undefined
  /** Bare specifiers looked up in node_modules (shared by the resolvers of one listing). */
  readonly packages: PackageLookups

  /**
   * @param opaque packages never followed into their sources (`PackageLookups`); `packages`: lookups to share with
   * another resolver of the same options.
   */
  constructor(private options: ts.CompilerOptions, private isProjectFile: (file: string) => boolean, opaque?: ReadonlySet<string>, packages?: PackageLookups) {
    this.packages = packages ?? new PackageLookups(options as PackageLookupOptions, moduleResolutionOf(options), opaque)
  }

  /** The project file a specifier names from `fromFile`, or `null` when it is external or missing. */
  resolve(specifier: string, fromFile: string): string | null {
    let known = this.byFile.get(fromFile)
    if (!known) this.byFile.set(fromFile, (known = new Map()))
    let file = known.get(specifier)
    if (file === undefined) known.set(specifier, (file = this.lookup(specifier, fromFile)))
    return file
  }

  private lookup(specifier: string, fromFile: string): string | null {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/')
    const dir = dirname(fromFile)
    // (under node16 and nodenext, an ES module and a CommonJS one in the same folder resolve apart)
    const esm = this.packages.moduleFormat(fromFile).esm
    const key = esm === null ? `${dir}\0${specifier}` : `${dir}\0${esm === undefined ? '?' : esm ? 'm' : 'c'}\0${specifier}`
    const known = this.memo.get(key)
    if (known !== undefined) return known
    let file: string | null
    if (bare) {
      // through `paths` and `baseUrl`; else a workspace package's source, through the link in node_modules; TypeScript's
      // answer inside a workspace package it went through is taken to the source of a declaration file too
      const found = this.packages.lookup(specifier, dir, esm)
      const answer = found.file !== undefined ? found.file : this.packages.sourceInPackage(this.typeScriptAnswer(specifier, fromFile), found.links)
      // (not a source: a declaration file the project lists, say, that `paths` names)
      const hit = found.file === null && found.hit ? found.hit : null
      file = answer !== null && this.isProjectFile(answer) ? answer : hit !== null && this.isProjectFile(hit) ? hit : null
    } else {
      this.quick ??= quickRelativeLookups(this.options, moduleResolutionOf(this.options))
      const quick = this.quick && esm !== undefined ? relativeLookup(specifier, dir, this.isProjectFile, undefined, esm === true) : undefined
      file = quick !== undefined ? quick : this.typeScriptLookup(specifier, fromFile)
    }
    this.memo.set(key, file)
    return file
  }

  private typeScriptLookup(specifier: string, fromFile: string): string | null {
    const answer = this.typeScriptAnswer(specifier, fromFile)
    return answer !== null && this.isProjectFile(answer) ? answer : null
  }

  /** The file TypeScript resolves a specifier to, of any kind, or `null`. */
  private typeScriptAnswer(specifier: string, fromFile: string): string | null {
    loadTypeScript()
    this.cache ??= ts.createModuleResolutionCache(process.cwd(), (f) => f, this.options)
    // under node16 and nodenext, as the importing file's format says (an ES module's imports are ES imports)
    const esm = this.packages.moduleFormat(fromFile).esm
    const mode = esm === null ? undefined : esm === undefined ? ts.getImpliedNodeFormatForFile(fromFile as never, undefined, ts.sys, this.options) : esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS
    return ts.resolveModuleName(specifier, fromFile, this.options, ts.sys, this.cache, undefined, mode).resolvedModule?.resolvedFileName ?? null
  }

  /** A resolver with the same compiler options whose project is told by another predicate (no shared memo). */
  withProjectFiles(isProjectFile: (file: string) => boolean): ModuleResolver {
    return new ModuleResolver(this.options, isProjectFile, undefined, this.packages)
  }

  /** Adds resolutions known from an earlier scan of the same inputs. */
  learn(known: Iterable<[string, string | null]>): void {
    for (const [key, file] of known) if (!this.memo.has(key)) this.memo.set(key, file)
  }

  /** Every resolution made or known, to hand to the resolver of a later scan of the same inputs. */
  resolutions(): Array<[string, string | null]> {
    return [...this.memo]
  }
}
