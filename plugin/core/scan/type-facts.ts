import { ts } from './morph.js'
import { namePath, posOf } from './expressions.js'
import type { Pos } from './facts.js'

/** A type annotation read by syntax, in a small plain form. */
export type TypeExpr =
  | { k: 'kw'; name: 'string' | 'number' | 'boolean' | 'bigint' | 'unknown' | 'any' | 'null' | 'undefined' | 'object' | 'never' | 'symbol' | 'void' }
  | { k: 'lit'; v: string | number | boolean }
  | { k: 'ref'; path: string[]; args: TypeExpr[] }
  | { k: 'array'; of: TypeExpr }
  | { k: 'tuple'; items: TypeExpr[] }
  | { k: 'union'; of: TypeExpr[] }
  | { k: 'object'; members: MemberFacts[] }
  | { k: 'fn' }
  | { k: 'complex'; text: string }

/** A property of a class, interface or type literal. */
export interface MemberFacts {
  name: string
  pos: Pos
  optional: boolean
  /** The declared type, if annotated. */
  type: TypeExpr | null
  /** The type the initializer gives by syntax alone; `complex` when only the type checker can tell. */
  init: TypeExpr | null
}

/** An interface or a type alias. */
export type TypeDecl =
  | { k: 'interface'; params: string[]; members: MemberFacts[]; extends: TypeExpr[]; pos: Pos }
  | { k: 'alias'; params: string[]; type: TypeExpr; pos: Pos }

type Keyword = Extract<TypeExpr, { k: 'kw' }>['name']
/** Keyword types by syntax kind (built on first use: TypeScript loads lazily). */
let keywords: Partial<Record<ts.SyntaxKind, Keyword>> | null = null
const keywordTable = (): Partial<Record<ts.SyntaxKind, Keyword>> => keywords ??= {
  [ts.SyntaxKind.StringKeyword]: 'string',
  [ts.SyntaxKind.NumberKeyword]: 'number',
  [ts.SyntaxKind.BooleanKeyword]: 'boolean',
  [ts.SyntaxKind.BigIntKeyword]: 'bigint',
  [ts.SyntaxKind.UnknownKeyword]: 'unknown',
  [ts.SyntaxKind.AnyKeyword]: 'any',
  [ts.SyntaxKind.UndefinedKeyword]: 'undefined',
  [ts.SyntaxKind.ObjectKeyword]: 'object',
  [ts.SyntaxKind.NeverKeyword]: 'never',
  [ts.SyntaxKind.SymbolKeyword]: 'symbol',
  [ts.SyntaxKind.VoidKeyword]: 'void',
}

function entityNamePath(name: ts.EntityName): string[] {
  return ts.isIdentifier(name) ? [name.text] : [...entityNamePath(name.left), name.right.text]
}

/** Reads a type node; anything beyond the supported forms is `complex` (answered by the type checker). */
export function typeExpr(node: ts.TypeNode, sf: ts.SourceFile): TypeExpr {
  const kw = keywordTable()[node.kind]
  if (kw) return { k: 'kw', name: kw }
  if (ts.isParenthesizedTypeNode(node)) return typeExpr(node.type, sf)
  if (ts.isLiteralTypeNode(node)) {
    const lit = node.literal
    if (lit.kind === ts.SyntaxKind.NullKeyword) return { k: 'kw', name: 'null' }
    if (lit.kind === ts.SyntaxKind.TrueKeyword) return { k: 'lit', v: true }
    if (lit.kind === ts.SyntaxKind.FalseKeyword) return { k: 'lit', v: false }
    if (ts.isStringLiteral(lit) || ts.isNoSubstitutionTemplateLiteral(lit)) return { k: 'lit', v: lit.text }
    if (ts.isNumericLiteral(lit)) return { k: 'lit', v: Number(lit.text) }
    if (ts.isPrefixUnaryExpression(lit) && ts.isNumericLiteral(lit.operand) && lit.operator === ts.SyntaxKind.MinusToken) return { k: 'lit', v: -Number(lit.operand.text) }
  }
  if (ts.isTypeReferenceNode(node)) return { k: 'ref', path: entityNamePath(node.typeName), args: (node.typeArguments ?? []).map((a) => typeExpr(a, sf)) }
  if (ts.isArrayTypeNode(node)) return { k: 'array', of: typeExpr(node.elementType, sf) }
  if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return typeExpr(node.type, sf)
  if (ts.isTupleTypeNode(node)) {
    if (node.elements.some((e) => ts.isRestTypeNode(e) || ts.isOptionalTypeNode(e) || (ts.isNamedTupleMember(e) && (e.dotDotDotToken || e.questionToken)))) {
      return { k: 'complex', text: node.getText(sf) }
    }
    return { k: 'tuple', items: node.elements.map((e) => typeExpr(ts.isNamedTupleMember(e) ? e.type : e, sf)) }
  }
  if (ts.isUnionTypeNode(node)) return { k: 'union', of: node.types.map((t) => typeExpr(t, sf)) }
  if (ts.isTypeLiteralNode(node)) {
    if (node.members.some((m) => !ts.isPropertySignature(m) && !ts.isMethodSignature(m))) return { k: 'complex', text: node.getText(sf) }
    return { k: 'object', members: node.members.filter(ts.isPropertySignature).flatMap((m) => signatureMember(m, sf)) }
  }
  if (ts.isFunctionTypeNode(node) || ts.isConstructorTypeNode(node)) return { k: 'fn' }
  if (ts.isExpressionWithTypeArguments(node)) {
    const path = namePath(node.expression)
    if (path) return { k: 'ref', path, args: (node.typeArguments ?? []).map((a) => typeExpr(a, sf)) }
  }
  return { k: 'complex', text: node.getText(sf) }
}

function propertyName(name: ts.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text
  return null
}

/** A property signature of an interface or type literal. */
export function signatureMember(m: ts.PropertySignature, sf: ts.SourceFile): MemberFacts[] {
  const name = propertyName(m.name)
  if (name === null) return []
  return [{ name, pos: posOf(m.name, sf), optional: !!m.questionToken, type: m.type ? typeExpr(m.type, sf) : { k: 'kw', name: 'any' }, init: null }]
}

const GENERIC_CONTAINERS = new Set(['Map', 'Set', 'Array', 'WeakMap', 'WeakSet', 'Promise', 'ReadonlyArray'])

/** The type an initializer gives by syntax alone (`''` → string, `new Date()` → Date), else `complex`. */
export function initializerType(init: ts.Expression, sf: ts.SourceFile): TypeExpr {
  let node = init
  while (ts.isParenthesizedExpression(node)) node = node.expression
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) return { k: 'kw', name: 'string' }
  if (ts.isNumericLiteral(node)) return { k: 'kw', name: 'number' }
  if (ts.isPrefixUnaryExpression(node) && ts.isNumericLiteral(node.operand)) return { k: 'kw', name: 'number' }
  if (ts.isBigIntLiteral(node)) return { k: 'kw', name: 'bigint' }
  if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) return { k: 'kw', name: 'boolean' }
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') return { k: 'ref', path: ['Date'], args: [] }
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.typeArguments?.length) {
    return { k: 'ref', path: [node.expression.text], args: node.typeArguments.map((a) => typeExpr(a, sf)) }
  }
  // `new Dimensions()`: the class itself; generic containers without type arguments need the checker
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && !GENERIC_CONTAINERS.has(node.expression.text)) {
    return { k: 'ref', path: [node.expression.text], args: [] }
  }
  if (ts.isAsExpression(node) && !ts.isConstTypeReference(node.type)) return typeExpr(node.type, sf)
  return { k: 'complex', text: node.getText(sf) }
}

/** Type parameter names of a declaration. */
export function typeParams(node: { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> }): string[] {
  return (node.typeParameters ?? []).map((p) => p.name.text)
}
