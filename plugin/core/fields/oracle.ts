import { Node, ts, type Project, type Type } from '../scan/morph.js'
import type { FieldInfo, FieldType } from '../../../runtime/types.js'
import { builtinType, unionOf } from './builtins.js'
import type { ResolvedType, ShapeRegistry, TypeOracle } from './resolve.js'

const MAX_DEPTH = 8

type Step = FieldType | { unsupported: string; exclude: boolean }

/**
 * Resolves property types with the type checker: inferred types (`tags = []`, `meta = { … }`),
 * generics, utility types and types from packages. Used only for the properties syntax cannot type.
 */
export class CheckerOracle implements TypeOracle {
  constructor(private project: () => Project, private isProjectFile: (file: string) => boolean) {}

  memberType(file: string, owner: string, member: string, shapes: ShapeRegistry): ResolvedType | null {
    const sf = this.project().getSourceFile(file)
    const decl = sf?.getClass(owner) ?? sf?.getInterface(owner) ?? sf?.getTypeAlias(owner)
    if (!decl) return null
    const prop = decl.getType().getProperty(member)
    const node = prop?.getValueDeclaration() ?? prop?.getDeclarations()[0]
    if (!prop || !node) return null
    const type = prop.getTypeAtLocation(node)
    return this.resolve(type, shapes, 0)
  }

  private resolve(type: Type, shapes: ShapeRegistry, depth: number): ResolvedType {
    let optional = false
    let nullable = false
    let members = type.isUnion() ? type.getUnionTypes() : [type]
    members = members.filter((t) => {
      if (t.isUndefined()) { optional = true; return false }
      if (t.isNull()) { nullable = true; return false }
      return true
    })
    if (members.length > 0 && members.every((t) => t.isBooleanLiteral())) members = [members[0]!.getApparentType()]
    const steps: FieldType[] = []
    for (const t of members.length === 0 ? [type] : members) {
      const s = t.isBooleanLiteral() && members.length > 1 && members.every((m) => m.isBooleanLiteral()) ? ({ kind: 'boolean' } as FieldType) : this.step(t, shapes, depth)
      if ('unsupported' in s) return { ok: false, exclude: s.exclude, why: s.unsupported }
      steps.push(s)
    }
    const merged = unionOf(steps)
    if (!merged) return { ok: false, exclude: false, why: 'a union of non-JSON types cannot be told apart when read back' }
    return { ok: true, type: merged, optional, nullable }
  }

  private inner(type: Type, shapes: ShapeRegistry, depth: number): Step {
    const r = this.resolve(type, shapes, depth + 1)
    if (!r.ok) return { unsupported: r.why, exclude: r.exclude }
    return r.optional || r.nullable ? { unsupported: 'a nested optional or nullable type', exclude: false } : r.type
  }

  private step(type: Type, shapes: ShapeRegistry, depth: number): Step {
    if (depth > MAX_DEPTH) return { unsupported: 'a type nested too deeply', exclude: false }
    if (type.isAny() || type.isUnknown()) return { kind: 'unknown' }
    if (type.isString() || type.isTemplateLiteral()) return { kind: 'string' }
    if (type.isNumber()) return { kind: 'number' }
    if (type.isBoolean()) return { kind: 'boolean' }
    if (type.isBigInt()) return { kind: 'bigint' }
    if (type.isStringLiteral() || type.isNumberLiteral()) return { kind: 'literal', values: [type.getLiteralValue() as string | number] }
    if (type.isBooleanLiteral()) return { kind: 'literal', values: [type.getText() === 'true'] }
    if (type.getFlags() & ts.TypeFlags.ESSymbolLike) return { unsupported: 'a symbol cannot be stored', exclude: true }
    if (type.isArray() || type.isReadonlyArray?.()) {
      const el = type.getArrayElementType() ?? type.getTypeArguments()[0]
      if (!el) return { kind: 'json' }
      const of = this.inner(el, shapes, depth)
      return 'unsupported' in of ? of : { kind: 'array', of }
    }
    if (type.isTuple()) {
      const items: FieldType[] = []
      for (const el of type.getTupleElements()) {
        const t = this.inner(el, shapes, depth)
        if ('unsupported' in t) return t
        items.push(t)
      }
      return { kind: 'tuple', items }
    }
    const symbol = type.getSymbol() ?? type.getAliasSymbol()
    const name = symbol?.getName()
    if (name && ['Date', 'Uint8Array', 'Buffer', 'Map', 'ReadonlyMap', 'Set', 'ReadonlySet'].includes(name)) {
      const args: Array<FieldType | null> = []
      for (const a of type.getTypeArguments()) {
        const t = this.inner(a, shapes, depth)
        if ('unsupported' in t) return t
        args.push(t)
      }
      const builtin = builtinType(name, args)
      if (builtin) return builtin
    }
    if (type.getCallSignatures().length > 0) return { unsupported: 'a function cannot be stored', exclude: true }
    const decl = symbol?.getDeclarations()[0]
    if (decl && Node.isClassDeclaration(decl) && decl.getName() && this.isProjectFile(decl.getSourceFile().getFilePath())) {
      const file = decl.getSourceFile().getFilePath()
      const hasPrivate = decl.getProperties().some((p) => p.hasModifier(ts.SyntaxKind.PrivateKeyword) || p.hasModifier(ts.SyntaxKind.ProtectedKeyword) || p.getName().startsWith('#'))
      if (hasPrivate && !shapes.entityOf(file, decl.getName()!)) return { unsupported: `class ${decl.getName()} has private state, which a backup cannot restore`, exclude: false }
      return { kind: 'shape', id: shapes.classShape(file, decl.getName()!) }
    }
    if (type.isObject()) {
      const index = type.getStringIndexType()
      const props = type.getProperties()
      if (index && props.length === 0) {
        const of = this.inner(index, shapes, depth)
        return 'unsupported' in of ? of : { kind: 'record', of }
      }
      const fields: FieldInfo[] = []
      for (const p of props) {
        const node = p.getValueDeclaration() ?? p.getDeclarations()[0]
        if (!node) continue
        if (Node.isMethodDeclaration(node) || Node.isMethodSignature(node) || Node.isGetAccessorDeclaration(node)) continue
        const r = this.resolve(p.getTypeAtLocation(node), shapes, depth + 1)
        if (!r.ok) {
          if (r.exclude) continue
          return { unsupported: `property ${p.getName()}: ${r.why}`, exclude: false }
        }
        fields.push({ name: p.getName(), optional: p.isOptional() || r.optional, nullable: r.nullable, type: r.type })
      }
      return { kind: 'object', fields }
    }
    return { unsupported: `the type \`${type.getText().slice(0, 40)}\` has no stored form`, exclude: false }
  }
}
