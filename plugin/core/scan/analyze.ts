import type { BackupRegistry, RegistryEntity, ShapeInfo } from '../../../runtime/types.js'
import { applyStrict, diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics.js'
import type { ResolvedOptions } from '../options.js'
import type { Range } from '../transform.js'
import { TOOL } from '../version.js'
import { analyzeFile, type FileContext, type FileResult } from './analyze-file.js'
import type { CheckerFallback } from './checker.js'
import { Evaluator } from './evaluate.js'
import type { FileFacts } from './facts.js'
import { Linker } from './link.js'
import { sharedSteps } from '../fields/resolve.js'
import { CanonicalModels } from '../../../runtime/schema/canonical.js'
import { relative } from './names.js'
import type { ModuleResolver } from './project.js'
import { readScopes } from './scopes.js'

export { fullNameOf, relative } from './names.js'

/** Everything an analysis needs: the facts of every file and how to resolve imports. */
export interface AnalysisInput {
  options: ResolvedOptions
  /** Project source files (absolute, forward slashes), sorted. */
  files: string[]
  /** Scope files found on disk for the project's folders (absolute), sorted. */
  scopeFiles: string[]
  facts: (file: string) => FileFacts | undefined
  resolver: ModuleResolver
  /** Type-checked answers for computed base classes (built lazily), if available. */
  checker?: CheckerFallback | null
}

function checkNames(entities: RegistryEntity[], diagnostics: Diagnostic[]): void {
  const byFull = new Map<string, RegistryEntity>()
  const byName = new Map<string, RegistryEntity>()
  for (const e of entities) {
    const same = byFull.get(e.fullName)
    if (same) {
      diagnostics.push(diagnostic('KB020', e, `${e.name}: full name ${e.fullName} is also the full name of the class in ${same.file}`,
        'rename the class or its file; the full name is the backup folder, so it must be unique'))
    } else byFull.set(e.fullName, e)
    const other = byName.get(e.name)
    if (other && e.status === 'included' && other.status === 'included') {
      diagnostics.push(diagnostic('KB021', e, `${e.name} is also the name of an entity in ${other.file}`,
        `refer to these entities by full name (${other.fullName}, ${e.fullName}) or rename one class`))
    } else if (!other) byName.set(e.name, e)
  }
}

const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)

/**
 * Links the facts of every file into the registry, incrementally: each file's result is kept with
 * the set of files it read, and recomputed only when one of them changed (or the scopes, or the
 * file list, changed).
 */
export class Analyzer {
  private results = new Map<string, FileResult>()
  private scopeKey = ''

  /** Named-type resolutions the last analysis replayed from an earlier file instead of making them again. */
  sharedHits = 0

  /** `share: false` resolves every named type again in each file that uses it (what sharing must equal; for tests). */
  constructor(private readonly options: { share?: boolean } = {}) {}

  /** The `@EntityBackup` decorators of a file the last analysis linked (`undefined` for others). */
  stripOf(file: string): Range[] | undefined {
    return this.results.get(file)?.strip
  }

  /** `changed`: files whose facts changed since the last call, or `'all'`. */
  analyze(input: AnalysisInput, changed: Set<string> | 'all'): BackupRegistry {
    const { options } = input
    const globalDiagnostics: Diagnostic[] = []
    const linker = new Linker(input.facts, input.resolver)
    const scopes = readScopes(input.scopeFiles, options.root, input.facts, linker, new Evaluator(linker, input.facts), globalDiagnostics)
    const scopeKey = JSON.stringify(scopes.scopes)
    if (changed === 'all' || scopeKey !== this.scopeKey) this.results.clear()
    this.scopeKey = scopeKey
    const sharedTypes = sharedSteps()
    const ctx: FileContext = {
      options, facts: input.facts, resolver: input.resolver, checker: input.checker ?? null, projectFiles: new Set(input.files), scopes,
      shared: this.options.share === false ? undefined : { types: sharedTypes, models: new CanonicalModels([]) },
    }
    const entities: RegistryEntity[] = []
    const diagnostics: Diagnostic[] = [...globalDiagnostics]
    // a type shared by several files' entities is resolved with each of them: its diagnostics are reported once
    const reported = new Set<string>()
    const shapes = new Map<string, ShapeInfo>()
    const live = new Set(input.files)
    for (const file of this.results.keys()) if (!live.has(file)) this.results.delete(file)
    // (indexed loops: this runs once per file, mostly before the JIT has compiled it)
    for (let f = 0; f < input.files.length; f++) {
      const file = input.files[f]!
      const cached = this.results.get(file)
      const stale = !cached || (changed !== 'all' && changed.size > 0 && (cached.deps.has('*') || [...changed].some((c) => cached.deps.has(c))))
      const result = stale ? analyzeFile(file, ctx) : cached
      if (stale) this.results.set(file, result)
      for (let i = 0; i < result.entities.length; i++) entities.push({ ...result.entities[i]! })
      for (let i = 0; i < result.diagnostics.length; i++) {
        const d = result.diagnostics[i]!
        const key = `${d.code}\0${d.file}\0${d.line}\0${d.column}\0${d.message}`
        if (!reported.has(key)) { reported.add(key); diagnostics.push(d) }
      }
      for (let i = 0; i < result.shapes.length; i++) if (!shapes.has(result.shapes[i]!.id)) shapes.set(result.shapes[i]!.id, result.shapes[i]!)
    }
    if (input.files.length === 0) {
      const where = options.tsconfig ? relative(options.root, options.tsconfig) : '.'
      diagnostics.push(diagnostic('KB032', { file: where, line: 1, column: 1 }, `no TypeScript files to scan under ${options.root}`,
        'set the plugin option `root` to the project folder (rollup has no root of its own) or `tsconfig` to a config that includes your sources'))
    }
    this.sharedHits = sharedTypes.hits
    entities.sort(byKey((e) => e.fullName))
    checkNames(entities, diagnostics)
    return {
      formatVersion: 1,
      tool: TOOL,
      defaultScope: options.scope,
      entities,
      scopes: scopes.scopes,
      shapes: [...shapes.values()].sort(byKey((s) => s.id)),
      diagnostics: applyStrict(sortDiagnostics(diagnostics), options.strict),
    }
  }
}
