import { createHash } from 'node:crypto'
import type { EmbeddingRecipe, FieldInfo, FieldType, RegistryEntity, RegistryScope, ShapeInfo } from '../../../runtime/types.js'
import { CanonicalModels } from '../../../runtime/schema/canonical.js'
import { resolveCoverage, type EffectiveScope } from '../coverage.js'
import { diagnostic, type Diagnostic } from '../diagnostics.js'
import { CheckerOracle } from '../fields/oracle.js'
import { FieldResolver, type SharedResolutions } from '../fields/resolve.js'
import type { ResolvedOptions } from '../options.js'
import type { Range } from '../transform.js'
import type { CheckerFallback } from './checker.js'
import { isEntityBackup, readDeclaredPolicy } from './decorators.js'
import { EntityDetector } from './entities.js'
import { Evaluator } from './evaluate.js'
import { own, type FileFacts, type OtherClassFacts } from './facts.js'
import { Linker } from './link.js'
import { fullNameOf, relative } from './names.js'
import type { ModuleResolver } from './project.js'
import { nearestScope } from './scopes.js'

/** What one file contributes to the registry, and which files it was computed from. */
export interface FileResult {
  entities: RegistryEntity[]
  diagnostics: Diagnostic[]
  shapes: ShapeInfo[]
  /** Every file whose facts were read (`*` when the type checker answered): a change to any of them invalidates this result. */
  deps: Set<string>
  /** The file's `@EntityBackup` decorators (koan-backup's, told apart from look-alikes), in text order: what the transform blanks out. */
  strip: Range[]
}

/** Shared, read-only inputs of per-file analyses. */
export interface FileContext {
  options: ResolvedOptions
  facts: (file: string) => FileFacts | undefined
  resolver: ModuleResolver
  checker: CheckerFallback | null
  projectFiles: Set<string>
  scopes: { byDir: Map<string, RegistryScope>; scopes: RegistryScope[] }
  /** Named types resolved by the link's earlier files, and the canonical models of its shapes (one link: one facts state). */
  shared?: { types: SharedResolutions['types']; models: CanonicalModels }
}

function effectiveScope(scope: RegistryScope | undefined, options: ResolvedOptions): EffectiveScope {
  if (!scope) return { ...options.scope, source: { kind: 'option' } }
  return { mode: scope.valid ? scope.mode : 'none', encryptByDefault: scope.encryptByDefault, source: { kind: 'scope', file: scope.file, line: scope.line, column: scope.column } }
}

function uncovered(e: RegistryEntity, scope: RegistryScope | undefined): Diagnostic {
  const why = e.source.kind === 'scope'
    ? `scope ${e.source.file} ${scope && !scope.valid ? 'is invalid and counts as' : 'has'} mode '${e.scopeMode}'`
    : `no backup.scope file covers it and the plugin option \`scope\` has mode '${e.scopeMode}'`
  const fix = e.source.kind === 'scope' ? ` or set mode 'all' in ${e.source.file}` : " or cover its folder with a backup.scope.ts (mode: 'all')"
  return diagnostic('KB001', e, `entity ${e.name} has no backup coverage (${why}); it will not be backed up`,
    `add @EntityBackup() to the class, opt out with @EntityBackup({ enabled: false, reason: '…' })${fix}`)
}

/** A class that would be an entity but is not taken (`FileFacts.otherClasses`): never missed silently. */
function untakenEntity(cls: OtherClassFacts, via: string, rel: string): Diagnostic {
  const name = cls.name.slice(cls.name.lastIndexOf('.') + 1)
  const texts: Record<OtherClassFacts['kind'], [what: string, why: string, fix: string]> = {
    expression: [`\`${cls.name}\`, a class expression,`, 'entities are read from named class declarations', `declare it as a class: \`export class ${cls.name} extends … { … }\``],
    default: ['an anonymous default-exported class', 'entities are read from named class declarations', 'give the class a name: `export default class MyEntity extends …`'],
    namespace: [`\`${cls.name}\`, a class inside a namespace,`, 'entities are read from class declarations at the top level of a module', `declare it at the top level of a module: \`export class ${name} extends … { … }\``],
    declared: [`\`${cls.name}\`, a \`declare class\`,`, 'it is no class at run time (nothing to import or revive)', `write the class itself, without \`declare\`, in a file the tsconfig lists`],
  }
  const [what, why, fix] = texts[cls.kind]
  return diagnostic('KB033', { file: rel, ...cls.pos }, `${what} would be an entity (${via}), but ${why}: it is not in the inventory and will not be backed up`, fix)
}

const TEXT_KINDS = new Set(['string', 'literal', 'enum'])

function isTextLike(t: FieldType): boolean {
  if (t.kind === 'array') return t.of.kind === 'string' || t.of.kind === 'literal' || t.of.kind === 'enum'
  return TEXT_KINDS.has(t.kind)
}

/** Checks an embedding recipe against the entity's fields and adds its hash; `null` when unusable. */
function embeddingRecipe(entity: RegistryEntity, declared: EmbeddingRecipe, fields: FieldInfo[], diagnostics: Diagnostic[]): RegistryEntity['embedding'] | null {
  const at = entity.source.kind === 'decorator' ? entity.source : entity
  const missing = declared.fields.filter((f) => !fields.some((x) => x.name === f))
  if (missing.length) {
    diagnostics.push(diagnostic('KB043', at, `${entity.name}: embedding field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `\`${m}\``).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not a stored field of the entity; its vectors are not backed up`,
      `use stored fields of ${entity.name}: ${fields.map((f) => f.name).join(', ')}`))
    return null
  }
  const notText = declared.fields.filter((f) => !isTextLike(fields.find((x) => x.name === f)!.type))
  if (notText.length) {
    diagnostics.push(diagnostic('KB043', at, `${entity.name}: embedding field${notText.length > 1 ? 's' : ''} ${notText.map((m) => `\`${m}\``).join(', ')} ${notText.length > 1 ? 'are' : 'is'} not text; ${notText.length > 1 ? 'their' : 'its'} value is turned into text with String()`,
      'embed text fields (strings, string enums or literals, arrays of strings)'))
  }
  const recipe = { fields: [...declared.fields], model: declared.model, joiner: declared.joiner ?? '\n' }
  return { ...recipe, recipe: `sha256:${createHash('sha256').update(JSON.stringify(recipe)).digest('hex')}` }
}

/**
 * Analyses one file on its own: its entities with their policies, field models and fingerprints,
 * and its diagnostics. Every facts lookup is recorded, so the result is reused until one of the
 * files it read changes.
 */
export function analyzeFile(file: string, ctx: FileContext): FileResult {
  const { options } = ctx
  const deps = new Set<string>([file])
  // reads are also recorded for the named types resolved meanwhile (shared with the link's other files)
  const recordings: Array<Set<string>> = []
  const read = (f: string) => {
    deps.add(f)
    for (let i = 0; i < recordings.length; i++) recordings[i]!.add(f)
  }
  const facts = (f: string) => {
    read(f)
    return ctx.facts(f)
  }
  const result: FileResult = { entities: [], diagnostics: [], shapes: [], deps, strip: [] }
  const own_ = facts(file)
  if (!own_) return result
  const { diagnostics } = result
  const rel = relative(options.root, file)
  const linker = new Linker(facts, ctx.resolver)
  const evaluator = new Evaluator(linker, facts)
  // the type checker reads the whole program: a result that used it depends on every file
  const base = ctx.checker
  const checker = base ? { isEntity: (f: string, n: string) => (read('*'), base.isEntity(f, n)), program: () => (read('*'), base.program()) } : null
  const detector = new EntityDetector(linker, options.entityBases, options.entityDecorators, options.root, checker, () => recordings.length > 0)
  const entityOf = (f: string, name: string) => {
    const cls = own(facts(f)?.classes ?? {}, name)
    return cls && detector.verdict(f, cls).entity ? fullNameOf(relative(options.root, f), name) : undefined
  }
  const oracle = checker ? new CheckerOracle(() => checker.program(), (f) => ctx.projectFiles.has(f)) : null
  const shared: SharedResolutions | null = ctx.shared ? {
    types: ctx.shared.types,
    log: {
      begin: () => { const reads = new Set<string>(); recordings.push(reads); return reads },
      end: (reads) => { recordings.splice(recordings.lastIndexOf(reads), 1) },
      replay: (reads) => { for (const f of reads) read(f) },
    },
  } : null
  const fields = new FieldResolver(linker, evaluator, facts, (f) => relative(options.root, f), entityOf, oracle, diagnostics, shared)

  for (const err of own_.syntaxErrors) {
    diagnostics.push(diagnostic('KB031', { file: rel, ...err.pos }, `syntax error: ${err.message}`, 'fix the syntax error; classes after it may be missed'))
  }
  for (const className in own_.classes) {
    const cls = own_.classes[className]!
    const ours = cls.decorators.length === 0 ? cls.decorators : cls.decorators.filter((d) => isEntityBackup(linker, file, d))
    for (let i = 0; i < ours.length; i++) result.strip.push([ours[i]!.start, ours[i]!.end])
    const verdict = detector.verdict(file, cls)
    if (!verdict.entity) {
      if ('computedBase' in verdict) {
        diagnostics.push(diagnostic('KB030', { file: rel, ...cls.pos }, `${cls.name} extends a computed base (\`${verdict.computedBase}\`), which the build does not follow`,
          'if it is an entity, extend an entity class directly or list its base in the `entityBases` option'))
      }
      const dec = ours[0]
      if (dec) {
        const why = cls.abstract ? 'is abstract; only its concrete subclasses are entities' : 'is not an entity (it neither extends Entity from koan-backup nor a configured entity base)'
        diagnostics.push(diagnostic(cls.abstract ? 'KB007' : 'KB005', { file: rel, ...dec.pos }, `${cls.name} ${why}`,
          cls.abstract ? 'move @EntityBackup to each concrete subclass' : 'extend Entity from koan-backup, add its base to `entityBases`, or remove @EntityBackup'))
      }
      continue
    }
    const declared = readDeclaredPolicy(cls, ours, file, rel, evaluator, diagnostics)
    const scope = nearestScope(file, options.root, ctx.scopes.byDir)
    const coverage = resolveCoverage(declared, effectiveScope(scope, options))
    const entity: RegistryEntity = { name: cls.name, fullName: fullNameOf(rel, cls.name), file: rel, line: cls.pos.line, column: cls.pos.column, ...coverage }
    if (entity.status === 'included') entity.shape = fields.classShape(file, cls.name)
    if (entity.status === 'included' && declared.kind === 'declared' && declared.options.embedding) {
      const recipe = embeddingRecipe(entity, declared.options.embedding, fields.shapes.get(entity.shape!)!.fields, diagnostics)
      if (recipe) entity.embedding = recipe
    }
    if (entity.status === 'uncovered') diagnostics.push(uncovered(entity, scope))
    result.entities.push(entity)
  }
  for (let i = 0; i < own_.otherClasses.length; i++) {
    const cls = own_.otherClasses[i]!
    for (const d of cls.decorators) if (isEntityBackup(linker, file, d)) result.strip.push([d.start, d.end])
    const verdict = detector.verdict(file, cls)
    if (verdict.entity) diagnostics.push(untakenEntity(cls, verdict.via, rel))
  }
  if (result.strip.length > 1) result.strip.sort((a, b) => a[0] - b[0])
  if (fields.shapes.size > 0) {
    const models = ctx.shared ? ctx.shared.models.add(fields.shapes) : new CanonicalModels(fields.shapes)
    for (const e of result.entities) if (e.shape) e.fingerprint = models.fingerprint(e.shape)
    result.shapes = [...fields.shapes.values()]
  }
  return result
}
