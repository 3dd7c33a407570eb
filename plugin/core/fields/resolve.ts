import type { FieldInfo, FieldType, ShapeInfo } from '../../../runtime/types.js'
import { diagnostic, type Diagnostic } from '../diagnostics.js'
import type { Evaluator } from '../scan/evaluate.js'
import { own, type ClassFacts, type FileFacts, type Pos } from '../scan/facts.js'
import type { Linker, Target } from '../scan/link.js'
import type { MemberFacts, TypeDecl, TypeExpr } from '../scan/type-facts.js'
import { builtinType, unionOf } from './builtins.js'
import { ShapeBook } from './shape-book.js'
import { SharedTypes, type SharedResolutions as Shared } from './shared.js'

/** Answers for what syntax cannot tell: inferred and computed property types. */
export interface TypeOracle {
  /** The stored type of property `member` of the class or interface `owner` declared in `file`. */
  memberType(file: string, owner: string, member: string, shapes: ShapeRegistry): ResolvedType | null
}

/** A resolved field type, or why the field cannot be stored. */
export type ResolvedType =
  | { ok: true; type: FieldType; optional: boolean; nullable: boolean }
  | { ok: false; exclude: boolean; why: string }

/** Registers named shapes (classes, interfaces, aliases) so recursive types refer to them by id. */
export interface ShapeRegistry {
  /** The id of a class's shape, building it on first use. */
  classShape(file: string, name: string): string
  /** Whether a class is an entity (full name) or not. */
  entityOf(file: string, name: string): string | undefined
}

/** Where the resolution of one member happens, for located diagnostics. */
interface Site {
  file: string
  /** The concrete class or interface the member is read on, and its file (for the type oracle). */
  owner: string
  ownerFile: string
  /** Inside an inline object type: the oracle cannot name the member, so it is not asked. */
  nested?: boolean
  member: MemberFacts
  /** Type parameters in scope: references to them need the type checker. */
  params: ReadonlySet<string>
}

const NEEDS_CHECKER = Symbol('needs the type checker')

/** Type parameters in scope (read only): none, or a declaration's. */
const NO_PARAMS: ReadonlySet<string> = new Set()
const paramSet = (params: string[]): ReadonlySet<string> => (params.length ? new Set(params) : NO_PARAMS)
type Step = FieldType | { unsupported: string; exclude: boolean } | typeof NEEDS_CHECKER

/** A new set of shared named-type resolutions, for one link. */
export const sharedSteps = (): SharedTypes<Step> => new SharedTypes<Step>()

/** Named types shared between the files of one link (see `shared.ts`), with the reads of the file being resolved. */
export type SharedResolutions = Shared<Step>

/**
 * Resolves the field model of entities from syntax facts, following type references across files
 * with the linker; asks the type oracle only for inferred or computed types.
 */
export class FieldResolver extends ShapeBook<Step> implements ShapeRegistry {
  constructor(
    private linker: Linker,
    private evaluator: Evaluator,
    private facts: (file: string) => FileFacts | undefined,
    private rel: (file: string) => string,
    private entities: (file: string, name: string) => string | undefined,
    private oracle: TypeOracle | null,
    diagnostics: Diagnostic[],
    shared: SharedResolutions | null = null,
  ) {
    super(diagnostics, shared)
  }

  entityOf(file: string, name: string): string | undefined {
    return this.entities(file, name)
  }

  classShape(file: string, name: string): string {
    const id = `${this.rel(file)}#${name}`
    if (this.shapes.has(id)) return id
    const facts = this.facts(file)
    const cls = own(facts?.classes ?? {}, name)
    const entity = this.entityOf(file, name)
    let exportName: string | undefined
    const exports = facts?.localExports
    if (exports) for (const exported in exports) if (exports[exported] === name) { exportName = exported; break }
    const shape: ShapeInfo = { id, name, ...(entity ? { entity } : {}), isClass: true, ...(exportName ? { exportName } : {}), fields: [] }
    this.addShape(shape)
    if (cls && !exportName) {
      this.diagnostics.push(diagnostic('KB041', { file: this.rel(file), ...cls.pos }, `class ${name} is stored in backups but not exported, so restores return plain objects instead of ${name} instances`,
        `export the class from ${this.rel(file)}`))
    }
    if (cls) shape.fields = this.build(id, () => this.classFields(file, cls, file, name, new Set()))
    return id
  }

  private classFields(file: string, cls: ClassFacts, ownerFile: string, owner: string, seen: Set<string>): FieldInfo[] {
    const key = `${file}#${cls.name}`
    if (seen.has(key)) return []
    seen.add(key)
    let fields: FieldInfo[] = []
    if (cls.heritage?.k === 'ref') {
      const base = this.linker.classOf(this.linker.resolvePath(file, cls.heritage.path))
      if (base) fields = this.classFields(base.file, base.cls, ownerFile, owner, seen)
    }
    const params = paramSet(cls.params)
    for (let i = 0; i < cls.members.length; i++) {
      const m = cls.members[i]!
      const field = this.field({ file, owner, ownerFile, member: m, params })
      const at = fields.findIndex((f) => f.name === m.name)
      if (!field) { if (at >= 0) fields.splice(at, 1); continue }
      if (at >= 0) fields[at] = field
      else fields.push(field)
    }
    return fields
  }

  private interfaceShape(file: string, name: string, pos: Pos): string {
    const id = `${this.rel(file)}#${name}`
    if (this.shapes.has(id)) return id
    const shape: ShapeInfo = { id, name, isClass: false, fields: [] }
    this.addShape(shape)
    const decl = own(this.facts(file)?.types ?? {}, name)
    if (decl?.k !== 'interface') return id
    shape.fields = this.build(id, () => this.interfaceFields(file, name, pos, decl))
    return id
  }

  private interfaceFields(file: string, name: string, pos: Pos, decl: Extract<TypeDecl, { k: 'interface' }>): FieldInfo[] {
    const fields: FieldInfo[] = []
    const params = paramSet(decl.params)
    for (const base of decl.extends) {
      const t = this.step(base, { file, owner: name, ownerFile: file, member: { name, pos, optional: false, type: base, init: null }, params })
      const inherited = typeof t === 'object' && 'kind' in t && t.kind === 'shape' ? this.baseFields(t.id) : []
      for (const f of inherited) if (!fields.some((x) => x.name === f.name)) fields.push(f)
    }
    for (let i = 0; i < decl.members.length; i++) {
      const m = decl.members[i]!
      const field = this.field({ file, owner: name, ownerFile: file, member: m, params })
      const at = fields.findIndex((f) => f.name === m.name)
      if (field && at >= 0) fields[at] = field
      else if (field) fields.push(field)
    }
    return fields
  }

  /** One member as a stored field; `null` when it is excluded (functions, symbols). */
  private field(site: Site): FieldInfo | null {
    const m = site.member
    const expr = m.type ?? m.init
    const resolved: ResolvedType = expr ? this.resolve(expr, site) : { ok: true, type: { kind: 'unknown' }, optional: false, nullable: false }
    let result = resolved
    if (!result.ok && result.why === NEEDS_CHECKER.description) {
      result = (!site.nested && this.oracle?.memberType(site.ownerFile, site.owner, m.name, this)) || { ok: false, exclude: false, why: `its type (\`${describe(expr)}\`) needs the type checker, which cannot resolve it here` }
    }
    if (!result.ok) {
      this.diagnostics.push(diagnostic('KB040', { file: this.rel(site.file), ...m.pos },
        `${site.owner}.${m.name}: ${result.why}; ${result.exclude ? 'the field is excluded from backups' : 'the field is carried as plain JSON'}`,
        result.exclude ? 'store data, not behaviour: declare the field with a data type, or accept that it is not backed up' : 'give the field a plain data type (string, number, boolean, Date, arrays, records, interfaces, entities)'))
      if (result.exclude) return null
      return { name: m.name, optional: m.optional, nullable: false, type: { kind: 'json' } }
    }
    return { name: m.name, optional: m.optional || result.optional, nullable: result.nullable, type: result.type }
  }

  private resolve(expr: TypeExpr, site: Site): ResolvedType {
    if (expr.k === 'union') {
      let optional = false
      let nullable = false
      const members: FieldType[] = []
      for (let i = 0; i < expr.of.length; i++) {
        const member = expr.of[i]!
        if (member.k === 'kw' && member.name === 'undefined') { optional = true; continue }
        if (member.k === 'kw' && member.name === 'null') { nullable = true; continue }
        const t = this.step(member, site)
        if (t === NEEDS_CHECKER) return { ok: false, exclude: false, why: NEEDS_CHECKER.description! }
        if ('unsupported' in t) return { ok: false, exclude: t.exclude, why: t.unsupported }
        members.push(t)
      }
      const type = members.length === 0 ? ({ kind: 'unknown' } as FieldType) : unionOf(members)
      if (!type) return { ok: false, exclude: false, why: 'a union of non-JSON types cannot be told apart when read back' }
      return { ok: true, type, optional, nullable }
    }
    const t = this.step(expr, site)
    if (t === NEEDS_CHECKER) return { ok: false, exclude: false, why: NEEDS_CHECKER.description! }
    if ('unsupported' in t) return { ok: false, exclude: t.exclude, why: t.unsupported }
    return { ok: true, type: t, optional: false, nullable: false }
  }

  private inner(expr: TypeExpr, site: Site): Step {
    const r = this.resolve(expr, site)
    if (r.ok) return r.optional || r.nullable ? { unsupported: 'a nested optional or nullable type', exclude: false } : r.type
    return r.why === NEEDS_CHECKER.description ? NEEDS_CHECKER : { unsupported: r.why, exclude: r.exclude }
  }

  private step(expr: TypeExpr, site: Site): Step {
    switch (expr.k) {
      case 'kw':
        switch (expr.name) {
          case 'string': case 'number': case 'boolean': case 'bigint': return { kind: expr.name }
          case 'unknown': case 'any': case 'object': return { kind: 'unknown' }
          case 'symbol': return { unsupported: 'a symbol cannot be stored', exclude: true }
          default: return { unsupported: `\`${expr.name}\` holds no data`, exclude: true }
        }
      case 'lit': return { kind: 'literal', values: [expr.v] }
      case 'fn': return { unsupported: 'a function cannot be stored', exclude: true }
      case 'complex': return NEEDS_CHECKER
      case 'union': {
        const r = this.resolve(expr, site)
        if (!r.ok) return r.why === NEEDS_CHECKER.description ? NEEDS_CHECKER : { unsupported: r.why, exclude: r.exclude }
        return r.optional || r.nullable ? { unsupported: 'a nested optional or nullable type', exclude: false } : r.type
      }
      case 'array': {
        const of = this.inner(expr.of, site)
        return typeof of === 'object' && 'kind' in of ? { kind: 'array', of } : of
      }
      case 'tuple': {
        const items: FieldType[] = []
        for (const item of expr.items) {
          const t = this.inner(item, site)
          if (!(typeof t === 'object' && 'kind' in t)) return t
          items.push(t)
        }
        return { kind: 'tuple', items }
      }
      case 'object': {
        const fields: FieldInfo[] = []
        for (const m of expr.members) {
          const f = this.field({ ...site, member: m, nested: true })
          if (f) fields.push(f)
        }
        return { kind: 'object', fields }
      }
      case 'ref': return this.reference(expr, site)
    }
  }

  private reference(expr: Extract<TypeExpr, { k: 'ref' }>, site: Site): Step {
    if (expr.path.length === 1 && site.params.has(expr.path[0]!)) return NEEDS_CHECKER
    const target = this.linker.resolvePath(site.file, expr.path)
    if (target.k === 'class') return this.sharedStep(`class:${target.file}#${target.name}`, true, () => this.classReference(target))
    if (target.k === 'type') {
      if (expr.args.length > 0) return this.typeReference(target, expr, site)
      // an interface's or object type's members report under its own name; an alias's, under the referring member
      const decl = own(this.facts(target.file)?.types ?? {}, target.name)
      const ownDiagnostics = decl?.k === 'interface' || decl?.type.k === 'object'
      return this.sharedStep(`type:${target.file}#${target.name}`, ownDiagnostics, () => this.typeReference(target, expr, site))
    }
    if (target.k === 'enum') return this.enumReference(target)
    if (target.k === 'missing' || target.k === 'external') {
      const isGlobal = target.k === 'missing' && expr.path.length === 1
      if (isGlobal) {
        const args: Array<FieldType | null> = []
        for (const a of expr.args) {
          const t = this.inner(a, site)
          if (t === NEEDS_CHECKER) return NEEDS_CHECKER
          if ('unsupported' in t) return t
          args.push(t)
        }
        const builtin = builtinType(expr.path[0]!, args)
        if (builtin) return builtin
      }
    }
    return NEEDS_CHECKER
  }

  private classReference(target: Extract<Target, { k: 'class' }>): Step {
    const cls = own(this.facts(target.file)?.classes ?? {}, target.name)
    if (cls?.privateState && !this.entityOf(target.file, target.name)) {
      return { unsupported: `class ${target.name} has private state, which a backup cannot restore`, exclude: false }
    }
    return { kind: 'shape', id: this.classShape(target.file, target.name) }
  }

  private typeReference(target: Extract<Target, { k: 'type' }>, expr: Extract<TypeExpr, { k: 'ref' }>, site: Site): Step {
    const decl = own(this.facts(target.file)?.types ?? {}, target.name)!
    if (decl.params.length > 0 || expr.args.length > 0) return NEEDS_CHECKER
    if (decl.k === 'interface') return { kind: 'shape', id: this.interfaceShape(target.file, target.name, decl.pos) }
    if (decl.type.k === 'object') {
      const id = `${this.rel(target.file)}#${target.name}`
      if (!this.shapes.has(id)) {
        const shape: ShapeInfo = { id, name: target.name, isClass: false, fields: [] }
        this.addShape(shape)
        const objectSite = { ...site, file: target.file, owner: target.name, ownerFile: target.file, params: NO_PARAMS }
        shape.fields = this.build(id, () => {
          const t = this.step(decl.type, objectSite)
          return typeof t === 'object' && 'kind' in t && t.kind === 'object' ? t.fields : []
        })
      }
      return { kind: 'shape', id }
    }
    const key = `alias:${target.file}#${target.name}`
    if (this.resolving.has(key)) return { unsupported: `type ${target.name} refers to itself outside an object type`, exclude: false }
    this.resolving.add(key)
    try {
      return this.inner(decl.type, { ...site, file: target.file, params: NO_PARAMS })
    } finally {
      this.resolving.delete(key)
    }
  }

  private enumReference(target: Extract<Target, { k: 'enum' }>): Step {
    const members = own(this.facts(target.file)?.enums ?? {}, target.name)!
    const values: Array<string | number> = []
    for (const expr of Object.values(members)) {
      const r = this.evaluator.evaluate(expr, target.file)
      if (!r.ok || (typeof r.value !== 'string' && typeof r.value !== 'number')) return NEEDS_CHECKER
      values.push(r.value)
    }
    if (target.member.length === 1) {
      const one = own(members, target.member[0]!)
      const r = one && this.evaluator.evaluate(one, target.file)
      return r && r.ok ? { kind: 'literal', values: [r.value as string | number] } : NEEDS_CHECKER
    }
    return { kind: 'enum', name: target.name, values }
  }
}

function describe(expr: TypeExpr | null): string {
  if (!expr) return 'unknown'
  switch (expr.k) {
    case 'complex': return expr.text.length > 40 ? `${expr.text.slice(0, 37)}...` : expr.text
    case 'ref': return expr.path.join('.') + (expr.args.length ? '<…>' : '')
    case 'kw': return expr.name
    default: return expr.k
  }
}

/** The reason string used for types only the checker can resolve. */
export const CHECKER_REASON = NEEDS_CHECKER.description!
