import { posix } from 'node:path'
import type { BackupRegistry, RegistryEntity, RegistryScope, ShapeInfo } from '../../../runtime/types.js'
import { resolveCoverage, type EffectiveScope } from '../coverage.js'
import { applyStrict, diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics.js'
import type { ResolvedOptions } from '../options.js'
import { TOOL } from '../version.js'
import { CheckerOracle } from '../fields/oracle.js'
import { FieldResolver } from '../fields/resolve.js'
import { CanonicalModels } from '../../../runtime/schema/canonical.js'
import { isEntityBackup, readDeclaredPolicy } from './decorators.js'
import type { CheckerFallback } from './checker.js'
import { EntityDetector } from './entities.js'
import { Evaluator } from './evaluate.js'
import type { FileFacts } from './facts.js'
import { Linker } from './link.js'
import type { ModuleResolver } from './project.js'
import { nearestScope, readScope, SCOPE_FILE_NAMES } from './scopes.js'

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

/** Project-relative path with forward slashes. */
export function relative(root: string, file: string): string {
  return posix.relative(root.replaceAll('\\', '/'), file.replaceAll('\\', '/'))
}

/** Full entity name: module path without extension, dotted, then the class name; filesystem-safe. */
export function fullNameOf(rel: string, className: string): string {
  const module = rel.replace(/\.(c|m)?[jt]sx?$/, '').split('/').join('.')
  return `${module}.${className}`.replace(/[^A-Za-z0-9._-]/g, '_')
}

function readScopes(input: AnalysisInput, linker: Linker, evaluator: Evaluator, diagnostics: Diagnostic[]) {
  const byDir = new Map<string, RegistryScope>()
  const scopes: RegistryScope[] = []
  const rank = (f: string) => SCOPE_FILE_NAMES.indexOf(posix.basename(f) as (typeof SCOPE_FILE_NAMES)[number])
  const ordered = [...input.scopeFiles].sort((a, b) => posix.dirname(a).localeCompare(posix.dirname(b)) || rank(a) - rank(b))
  for (const file of ordered) {
    const rel = relative(input.options.root, file)
    const dir = posix.dirname(file)
    const first = byDir.get(dir)
    if (first) {
      diagnostics.push(diagnostic('KB011', { file: rel, line: 1, column: 1 }, `${rel} and ${first.file} both declare the scope of ${relative(input.options.root, dir) || 'the root'}`,
        `keep one scope file per folder (${first.file} is used); delete or merge ${posix.basename(rel)}`))
      continue
    }
    const facts = input.facts(file)
    if (!facts) continue
    const scope = readScope(file, rel, facts, linker, evaluator, diagnostics)
    byDir.set(dir, scope)
    scopes.push(scope)
  }
  return { byDir, scopes }
}

function effectiveScope(scope: RegistryScope | undefined, options: ResolvedOptions): EffectiveScope {
  if (!scope) return { ...options.scope, source: { kind: 'option' } }
  return { mode: scope.valid ? scope.mode : 'none', encryptByDefault: scope.encryptByDefault, source: { kind: 'scope', file: scope.file, line: scope.line, column: scope.column } }
}

function uncoveredHint(entity: RegistryEntity): string {
  const scope = entity.source.kind === 'scope' ? ` or set mode 'all' in ${entity.source.file}` : " or cover its folder with a backup.scope.ts (mode: 'all')"
  return `add @EntityBackup() to the class, opt out with @EntityBackup({ enabled: false, reason: '…' })${scope}`
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

/** Resolves the field model of every included entity; returns the named shapes, sorted by id. */
function resolveFields(
  input: AnalysisInput, entities: RegistryEntity[], located: Map<RegistryEntity, string>, linker: Linker, evaluator: Evaluator, diagnostics: Diagnostic[],
): ShapeInfo[] {
  const byClass = new Map([...located].map(([e, file]) => [`${file}#${e.name}`, e.fullName]))
  const projectFiles = new Set(input.files)
  const checker = input.checker
  const oracle = checker ? new CheckerOracle(() => checker.program(), (f) => projectFiles.has(f)) : null
  const resolver = new FieldResolver(linker, evaluator, input.facts, (f) => relative(input.options.root, f), (f, n) => byClass.get(`${f}#${n}`), oracle, diagnostics)
  const included = entities.filter((e) => e.status === 'included')
  for (const e of included) e.shape = resolver.classShape(located.get(e)!, e.name)
  const models = new CanonicalModels(resolver.shapes)
  for (const e of included) e.fingerprint = models.fingerprint(e.shape!)
  return [...resolver.shapes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Links the facts of every file into the registry: entities, policies, scopes and diagnostics. */
export function analyze(input: AnalysisInput): BackupRegistry {
  const { options } = input
  const diagnostics: Diagnostic[] = []
  const linker = new Linker(input.facts, input.resolver)
  const evaluator = new Evaluator(linker, input.facts)
  const detector = new EntityDetector(linker, input.facts, options.entityBases, options.entityDecorators, options.root, input.checker ?? null)
  const { byDir, scopes } = readScopes(input, linker, evaluator, diagnostics)
  const entities: RegistryEntity[] = []
  const located = new Map<RegistryEntity, string>()
  for (const file of input.files) {
    const facts = input.facts(file)
    if (!facts) continue
    const rel = relative(options.root, file)
    for (const err of facts.syntaxErrors) {
      diagnostics.push(diagnostic('KB031', { file: rel, ...err.pos }, `syntax error: ${err.message}`, 'fix the syntax error; classes after it may be missed'))
    }
    for (const cls of Object.values(facts.classes)) {
      const verdict = detector.verdict(file, cls)
      if (!verdict.entity) {
        const dec = cls.decorators.find((d) => isEntityBackup(linker, file, d))
        if ('computedBase' in verdict) {
          diagnostics.push(diagnostic('KB030', { file: rel, ...cls.pos }, `${cls.name} extends a computed base (\`${verdict.computedBase}\`), which the build does not follow`,
            'if it is an entity, extend an entity class directly or list its base in the `entityBases` option'))
        }
        if (dec) {
          const code = cls.abstract ? 'KB007' : 'KB005'
          const why = cls.abstract ? 'is abstract; only its concrete subclasses are entities' : 'is not an entity (it neither extends Entity from koan-backup nor a configured entity base)'
          diagnostics.push(diagnostic(code, { file: rel, ...dec.pos }, `${cls.name} ${why}`,
            cls.abstract ? 'move @EntityBackup to each concrete subclass' : 'extend Entity from koan-backup, add its base to `entityBases`, or remove @EntityBackup'))
        }
        continue
      }
      const declared = readDeclaredPolicy(cls, file, rel, linker, evaluator, diagnostics)
      const coverage = resolveCoverage(declared, effectiveScope(nearestScope(file, options.root, byDir), options))
      const entity: RegistryEntity = { name: cls.name, fullName: fullNameOf(rel, cls.name), file: rel, line: cls.pos.line, column: cls.pos.column, ...coverage }
      entities.push(entity)
      located.set(entity, file)
    }
  }
  if (input.files.length === 0) {
    const where = options.tsconfig ? relative(options.root, options.tsconfig) : '.'
    diagnostics.push(diagnostic('KB032', { file: where, line: 1, column: 1 }, `no TypeScript files to scan under ${options.root}`,
      'set the plugin option `root` to the project folder (rollup has no root of its own) or `tsconfig` to a config that includes your sources'))
  }
  entities.sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0))
  checkNames(entities, diagnostics)
  const shapes = resolveFields(input, entities, located, linker, evaluator, diagnostics)
  for (const e of entities) {
    if (e.status !== 'uncovered') continue
    const invalid = e.source.kind === 'scope' && scopes.some((s) => s.file === (e.source as { file: string }).file && !s.valid)
    const why = e.source.kind === 'scope' ? `scope ${e.source.file} ${invalid ? 'is invalid and counts as' : 'has'} mode '${e.scopeMode}'` : `no backup.scope file covers it and the plugin option \`scope\` has mode '${e.scopeMode}'`
    diagnostics.push(diagnostic('KB001', e, `entity ${e.name} has no backup coverage (${why}); it will not be backed up`, uncoveredHint(e)))
  }
  return {
    formatVersion: 1,
    tool: TOOL,
    defaultScope: options.scope,
    entities,
    scopes: scopes.sort((a, b) => (a.file < b.file ? -1 : 1)),
    shapes,
    diagnostics: applyStrict(sortDiagnostics(diagnostics), options.strict),
  }
}
