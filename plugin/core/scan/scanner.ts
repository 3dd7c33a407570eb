import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { BackupRegistry, RegistryDiagnostic } from '../../../runtime/types.js'
import type { ResolvedOptions } from '../options.js'
import { Analyzer } from './analyze.js'
import { CheckerFallback } from './checker.js'
import { closureHolds, importClosure, NO_CLOSURE, specifiersKey, type Closure } from './closure.js'
import { manifestsOf, opaquePackages, sameLinks } from './resolve-package.js'
import type { FileFacts } from './facts.js'
import { stampOf } from './cache-files.js'
import { FactsCache } from './facts-cache.js'
import { TransformEdits, type FileEdits } from './transform-edits.js'
import { LOCKFILES, ResultCache, resultsFileOf } from './result-cache.js'
import { contentHash, parseFacts } from './parse.js'
import { listingKey, loadProject, ModuleResolver, type ProjectListing } from './project.js'
import type { RelativeLookupOptions } from './resolve-relative.js'
import { keyJson, keyPath, normalRoot } from './rebase.js'
import { isScopeFile, SCOPE_FILE_NAMES } from './scopes.js'

/** Counters of the last scan, for logs and benchmarks. */
export interface ScanStats {
  files: number
  /** Files read (the others had the stamp recorded with their cached facts). */
  read: number
  parsed: number
  ms: number
  /** The registry came from the results cache (no link). */
  cached?: boolean
}

/** A full scan's registry (a cached one is parsed on the first call) and its diagnostics. */
export interface ScanResult {
  readonly diagnostics: RegistryDiagnostic[]
  registry(): BackupRegistry
}

/** The scan result of a registry at hand. */
export function scanResultOf(registry: BackupRegistry): ScanResult {
  return { diagnostics: registry.diagnostics, registry: () => registry }
}

/**
 * Owns the per-file facts cache (keyed by content hash) and produces the registry.
 * A full scan reads every file but re-parses only those whose content changed;
 * `updateFile` re-reads one file; linking always runs over the cached facts (cheap, in memory).
 */
export class Scanner {
  /** The content hash of each scanned file as last read. */
  private hashes = new Map<string, string>()
  /** Facts of those files, loaded when something needs them. */
  private facts = new Map<string, FileFacts>()
  /** What the transform changes, by file. */
  private edits = new TransformEdits({
    files: () => this.hashes.keys(),
    hashOf: (f) => this.hashes.get(f),
    takeText: (f) => this.takeText(f),
    factsOf: (f) => this.factsOf(f),
    resolver: () => this.moduleResolver,
    // the analyzer's answers hold for the current facts only after a link (not after a cached registry)
    linkedStrip: (f) => (this.linkedLast ? this.analyzer.stripOf(f) : undefined),
  })
  /**
   * The text of each file read by the last full scan, until the transform takes it: code equal to it
   * has its content hash already (no second hash of every file in a build that read them all).
   */
  private texts = new Map<string, string>()
  /** The last registry came from a link here (not from the results cache). */
  private linkedLast = false
  private cache: FactsCache
  /** Whole-scan results (registry and generated module) by the key of their inputs. */
  readonly results: ResultCache
  /** Key of the last full scan's inputs; `null` after an update (its registry is not cached). */
  resultKey: string | null = null
  private compilerOptions: unknown = null
  private files: string[] = []
  private fileSet = new Set<string>()
  /** The files the tsconfig lists (scope files among them). */
  private listed = new Set<string>()
  /** The files scanned beyond the listing (what listed files import): `closure.extras`, or a guess of them. */
  private extras: string[] = []
  /** The import closure the last scan or update worked out or confirmed (`null` before the first). */
  private closure: Closure | null = null
  private scopeFiles: string[] = []
  private resolver!: ModuleResolver
  private checker: CheckerFallback | null = null
  /** The project listing in use (`null` until the first listing). */
  private listing: ProjectListing | null = null
  private parsed = 0
  private readCount = 0
  private analyzer = new Analyzer()
  /** Files whose facts changed since the last link; `'all'` after the file list changed. */
  private changed: Set<string> | 'all' = 'all'
  stats: ScanStats = { files: 0, read: 0, parsed: 0, ms: 0 }

  constructor(readonly options: ResolvedOptions) {
    this.cache = new FactsCache(options.cache, options.root)
    this.results = new ResultCache(resultsFileOf(options.cache), options.root)
  }

  /**
   * Lists the project's files (tsconfig) and takes them, with `extras` beyond them, as the files to scan. Cheap
   * when nothing changed (the listing's stamps hold).
   */
  private load(extras: string[] = this.extras): void {
    const { root, tsconfig } = this.options
    const project = loadProject(root, tsconfig, this.listing ?? this.cache.listing(listingKey(root, tsconfig)))
    this.cache.setListing(project)
    const previous = this.listing
    this.listing = project
    this.arrange(project, previous, extras)
  }

  /**
   * Takes the listed files and `extras` (files they import beyond the listing), with the scope files of their
   * folders, as the files to scan. The same files, scope files and compiler options as before keep everything the
   * scanner knows, so the next link stays incremental. Scope files are looked for every time: one that comes or goes
   * beside a file outside the listing, or in the root above `include`, leaves the listing's stamps alone.
   */
  private arrange(project: ProjectListing, previous: ProjectListing | null, extras: string[], force = false): void {
    const all = extras.length === 0 ? project.files : [...project.files, ...extras].sort()
    const scopeFiles = this.findScopeFiles(all)
    const same = previous !== null && sameList(extras, this.extras) && sameList(scopeFiles, this.scopeFiles)
      && (project === previous || (sameList(project.files, previous.files) && JSON.stringify(project.compilerOptions) === JSON.stringify(this.compilerOptions)))
    if (same && !force) return
    this.extras = extras
    this.listed = new Set(project.files)
    this.files = all.filter((f) => !isScopeFile(f))
    this.fileSet = new Set(all)
    this.compilerOptions = project.compilerOptions
    const { entityBases, entityDecorators } = this.options
    const opaque = opaquePackages([...entityBases, ...entityDecorators].map((spec) => spec.from))
    this.resolver = new ModuleResolver(project.compilerOptions, (f) => this.fileSet.has(f), opaque)
    this.checker = new CheckerFallback(project.compilerOptions, () => this.files, this.options.entityBases)
    this.scopeFiles = scopeFiles
    for (const f of this.scopeFiles) this.fileSet.add(f)
    for (const known of this.hashes.keys()) {
      if (this.fileSet.has(known)) continue
      this.hashes.delete(known)
      this.facts.delete(known)
    }
    this.changed = 'all'
  }

  /**
   * The import closure of the listed files as they are now (their facts, and those of the files it brings in,
   * which are read here), taken as the files to scan beyond the listing.
   */
  private settleClosure(): Closure {
    const facts = (f: string) => {
      if (!this.hashes.has(f)) this.read(f)
      return this.factsOf(f)
    }
    // from the listed files alone (the files scanned now include the last closure's), with node_modules looked at again
    const roots = this.listing!.files.filter((f) => !isScopeFile(f))
    this.resolver.packages.forget()
    const closure = importClosure(this.listed, roots, facts, this.compilerOptions as RelativeLookupOptions, this.resolver)
    // a package linked elsewhere, or a manifest changed: the link's resolutions too are to be made again
    const relinked = this.closure !== null && !sameLinks(closure.links, this.closure.links)
    if (relinked || !sameList(closure.extras, this.extras)) this.arrange(this.listing!, this.listing, closure.extras, relinked)
    // the scope files of the folders it brings in
    for (const f of this.scopeFiles) if (!this.hashes.has(f)) this.read(f)
    return (this.closure = closure)
  }

  /**
   * The scope files of the folders of `files`: from each file's folder up to the root, or, for a file outside the root
   * (one the project imports), up to the folder it shares with the root (left out, as the root's parents are).
   */
  private findScopeFiles(files: string[]): string[] {
    const root = normalRoot(this.options.root)
    const dirs = new Set<string>()
    for (const f of files) {
      for (let dir = dirname(f); !dirs.has(dir); dir = dirname(dir)) {
        if (dir !== root && (root.startsWith(`${dir}/`) || dir === dirname(dir))) break
        dirs.add(dir)
        if (dir === root) break
      }
    }
    const found: string[] = []
    for (const dir of dirs) {
      for (const name of SCOPE_FILE_NAMES) {
        const file = join(dir, name).replaceAll('\\', '/')
        if (existsSync(file)) found.push(file)
      }
    }
    return found.sort()
  }

  /**
   * Reads a file and refreshes its facts when its content hash changed; returns whether it changed.
   * A file whose stamp (size, mtime, inode) is the one recorded when it was last read is not read
   * again: its hash is known, and its facts are read from the cache only if something needs them.
   */
  private read(file: string): boolean {
    const got = this.hashed(file, 'utf8')
    if (!got) {
      this.facts.delete(file)
      this.texts.delete(file)
      if (this.hashes.delete(file)) this.markChanged(file)
      return false
    }
    const { hash, content } = got
    if (content === null) return this.use(file, hash)
    this.readCount++
    this.texts.set(file, content)
    if (this.hashes.get(file) === hash) return false
    // facts the cache holds are read when something needs them (a cached link needs none)
    if (!this.cache.holds(file, hash) && this.facts.get(file)?.hash !== hash) this.facts.set(file, this.cache.get(file, hash) ?? this.parse(file, content, hash))
    return this.use(file, hash)
  }

  /**
   * A file's content hash: the one recorded with its stamp when the file has not changed since
   * (`content: null`, the file unread), else read and hashed, with its new stamp recorded. `null`
   * when the file cannot be read.
   */
  private hashed(file: string, encoding: 'utf8' | 'latin1'): { hash: string; content: string | null } | null {
    const stamp = this.options.cache ? stampOf(file) : null
    if (stamp === undefined) return null
    const unchanged = stamp ? this.cache.unchanged(file, stamp) : undefined
    if (unchanged) return { hash: unchanged, content: null }
    let content: string
    try {
      content = readFileSync(file, encoding)
    } catch {
      return null
    }
    const hash = contentHash(content)
    this.cache.stamp(file, stamp, hash)
    return { hash, content }
  }

  private parse(file: string, content: string, hash: string): FileFacts {
    const facts = parseFacts(file, content, hash)
    this.cache.set(file, facts)
    this.parsed++
    return facts
  }

  /** Makes `hash` the file's current content hash; returns whether it changed. */
  private use(file: string, hash: string): boolean {
    if (this.hashes.get(file) === hash) return false
    this.hashes.set(file, hash)
    if (this.facts.get(file)?.hash !== hash) this.facts.delete(file)
    this.markChanged(file)
    return true
  }

  /** Lets go of the texts the transform did not take (the build is over: files it never loaded). */
  releaseTexts(): void {
    this.texts.clear()
  }

  /** The text of a file as it was last read, if it was and the transform has not taken it yet (once: it is let go). */
  private takeText(file: string): string | undefined {
    const text = this.texts.get(file)
    if (text === undefined) return undefined
    this.texts.delete(file)
    return text
  }

  /** The facts of a scanned file's current content (from memory or the cache; parsed again if the cache lost them). */
  private factsOf(file: string): FileFacts | undefined {
    const hash = this.hashes.get(file)
    if (hash === undefined) return undefined
    let facts = this.facts.get(file)
    if (facts?.hash === hash) return facts
    facts = this.cache.get(file, hash)
    if (!facts) {
      let content: string
      try {
        content = readFileSync(file, 'utf8')
      } catch {
        return undefined
      }
      facts = this.parse(file, content, contentHash(content))
    }
    this.facts.set(file, facts)
    return facts
  }

  private markChanged(file: string): void {
    if (this.changed !== 'all') this.changed.add(file)
  }

  /** What the transform changes in a file's `code`: its `@EntityBackup` decorators and registry-only imports. */
  transformEdits(file: string, code: string): FileEdits {
    return this.edits.of(file, code)
  }

  /** Full scan: checks the listing (files added, removed, a tsconfig edit), reads every file, links. */
  scan(): BackupRegistry {
    return this.scanResult().registry()
  }

  /**
   * The same, with the registry of a cached link left unparsed until something asks for it (its
   * diagnostics are at hand): a build of unchanged inputs takes everything else as text.
   */
  scanResult(): ScanResult {
    const start = performance.now()
    this.parsed = 0
    this.readCount = 0
    this.texts.clear()
    // the files beyond the listing: those of the last scan here, else those of the cached scan used last; a cached
    // registry's key names them, so a hit confirms the guess (while the paths missing then are missing still)
    const guess = this.closure ?? this.results.latestClosure() ?? NO_CLOSURE
    this.load(guess.extras)
    this.readAll()
    const lockfiles = this.options.cache ? this.lockfiles() : []
    if (closureHolds(guess)) {
      const cached = this.cached(guess, lockfiles, start)
      if (cached) return cached
    }
    const closure = this.settleClosure()
    // (the files it brings in were read while it was worked out)
    if (!sameList(closure.extras, guess.extras)) {
      const cached = this.cached(closure, lockfiles, start)
      if (cached) return cached
    }
    this.saveFacts(lockfiles)
    const key = this.resultKey = this.inputKey(lockfiles)
    const registry = this.link(start)
    if (key) this.results.setRegistry(key, registry, { resolutions: this.resolver.resolutions(), edits: this.edits.all(), closure })
    return scanResultOf(registry)
  }

  /** Reads every file to scan (those with their recorded stamp are not read again). */
  private readAll(): void {
    for (const f of this.files) this.read(f)
    for (const f of this.scopeFiles) this.read(f)
  }

  private saveFacts(lockfiles: Array<[string, string, string]>): void {
    this.cache.save([...this.hashes.keys(), ...lockfiles.map(([, , path]) => path)])
  }

  /**
   * The cached registry of the files as read, with `closure` as what they import beyond the listing: for a full
   * link (first scan, new file list) of inputs linked before. An incremental link is cheaper than reading it, and
   * keeps the analyzer's per-file results.
   */
  private cached(closure: Closure, lockfiles: Array<[string, string, string]>, start: number): ScanResult | undefined {
    const key = this.resultKey = this.inputKey(lockfiles)
    if (this.changed !== 'all' || !key) return undefined
    const cached = this.results.scan(key)
    if (!cached) return undefined
    this.saveFacts(lockfiles)
    this.closure = closure
    this.resolver.learn(cached.resolutions)
    this.linkedLast = false
    this.edits.adopt(cached.edits)
    this.stats = { files: this.files.length + this.scopeFiles.length, read: this.readCount, parsed: this.parsed, ms: performance.now() - start, cached: true }
    return { diagnostics: cached.diagnostics, registry: cached.registry }
  }

  /**
   * The project's lockfiles with their content hashes (name, hash, path): a package upgrade can change
   * types the checker reads from node_modules. Hashed again only when their stamp changed.
   */
  private lockfiles(): Array<[string, string, string]> {
    const found: Array<[string, string, string]> = []
    for (const name of LOCKFILES) {
      const path = join(this.options.root, name).replaceAll('\\', '/')
      // latin1 keeps every byte (bun.lockb is binary)
      const got = this.hashed(path, 'latin1')
      if (got) found.push([name, got.hash, path])
    }
    return found
  }

  /** The key of everything a link reads, or `null` without a cache (or when a file could not be read). */
  private inputKey(lockfiles: Array<[string, string, string]>): string | null {
    if (!this.options.cache) return null
    // paths relative to the root: the key is the same in a checkout at another path
    const root = normalRoot(this.options.root)
    const files: Array<[string, string]> = []
    for (const f of [...this.files, ...this.scopeFiles]) {
      const hash = this.hashes.get(f)
      if (hash === undefined) return null
      files.push([keyPath(root, f), hash])
    }
    const { tsconfig, scope, strict, entityBases, entityDecorators } = this.options
    return this.results.key({
      options: keyJson(root, { tsconfig, scope, strict, entityBases, entityDecorators }),
      compilerOptions: keyJson(root, this.compilerOptions),
      files,
      lockfiles: lockfiles.map(([name, hash]) => [name, hash]),
    })
  }

  /** Re-scans one changed, added or deleted file. Adding or removing files re-lists the project. */
  update(file: string): BackupRegistry {
    const start = performance.now()
    this.parsed = 0
    this.readCount = 0
    this.resultKey = null
    const normalized = file.replaceAll('\\', '/')
    const exists = existsSync(normalized)
    // what the closure was worked out from: it is worked out again when a file comes or goes, or this one's imports change
    const before = this.closure !== null && this.fileSet.has(normalized) ? this.facts.get(normalized) : undefined
    let settled = before !== undefined
    if (!this.listing || exists !== this.fileSet.has(normalized) || isScopeFile(normalized) || normalized === this.options.tsconfig || this.configs().includes(normalized)) {
      // a listing with other files or options comes with a new resolver (resolutions depend on both)
      this.load()
      // a new listing (a tsconfig edit, say) can bring in files never read here
      for (const f of [...this.files, ...this.scopeFiles]) if (!this.hashes.has(f)) this.read(f)
      settled = false
    }
    if (this.fileSet.has(normalized) && this.read(normalized)) this.checker?.invalidate(normalized)
    const after = this.fileSet.has(normalized) ? this.factsOf(normalized) : undefined
    if (!settled || !after || specifiersKey(after) !== specifiersKey(before!)) this.settleClosure()
    return this.link(start)
  }

  /** True when the file belongs to the scan: a project file, a scope file, or a package.json or tsconfig.json the closure's lookups read. */
  covers(file: string): boolean {
    if (!this.listing) this.load()
    const normalized = file.replaceAll('\\', '/')
    return this.fileSet.has(normalized) || isScopeFile(file) || this.manifests().includes(normalized) || this.configs().includes(normalized)
  }

  /** The config files the listing read beyond the tsconfig: those it extends and references. */
  private configs(): string[] {
    return this.listing?.configs ?? []
  }

  /** The package.json and tsconfig.json files the closure's lookups read (workspace packages', and the scopes of `#` imports). */
  private manifests(): string[] {
    return this.closure ? manifestsOf(this.closure.links) : []
  }

  private link(start: number): BackupRegistry {
    // a file's decorators depend on the files it imports from: any relink finds them again
    this.edits.clear()
    this.linkedLast = false
    const registry = this.analyzer.analyze({
      options: this.options, files: this.files, scopeFiles: this.scopeFiles,
      facts: (f) => this.factsOf(f), resolver: this.resolver, checker: this.checker,
    }, this.changed)
    this.changed = new Set()
    this.linkedLast = true
    this.stats = { files: this.files.length + this.scopeFiles.length, read: this.readCount, parsed: this.parsed, ms: performance.now() - start }
    return registry
  }

  /** Files whose change can change the registry. */
  watchFiles(): string[] {
    if (!this.listing) this.load()
    const config = this.options.tsconfig && existsSync(this.options.tsconfig) ? [this.options.tsconfig] : []
    return [...new Set([...this.files, ...this.scopeFiles, ...config, ...this.configs(), ...this.manifests()])]
  }

  /** The resolver, for the transform's decorator lookups. */
  get moduleResolver(): ModuleResolver {
    if (!this.listing) this.load()
    return this.resolver
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
