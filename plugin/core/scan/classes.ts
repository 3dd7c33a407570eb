import { ts } from './morph.js'
import { namePath, posOf, toStatic } from './expressions.js'
import type { ClassFacts, DecoratorFacts, StaticExpr } from './facts.js'
import { initializerType, typeExpr, typeParams, type MemberFacts } from './type-facts.js'

function decoratorFacts(dec: ts.Decorator, sf: ts.SourceFile): DecoratorFacts {
  const expr = dec.expression
  const base = { pos: posOf(dec, sf), start: dec.getStart(sf), end: dec.getEnd() }
  if (ts.isCallExpression(expr)) {
    return { ...base, callee: namePath(expr.expression), args: expr.arguments.map((a) => toStatic(a, sf)) }
  }
  return { ...base, callee: namePath(expr), args: null }
}

function heritageOf(node: ts.ClassLikeDeclaration, sf: ts.SourceFile): StaticExpr | null {
  const clause = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
  const type = clause?.types[0]
  if (!type) return null
  const path = namePath(type.expression)
  if (path) return { k: 'ref', path, pos: posOf(type.expression, sf) }
  const text = type.expression.getText(sf)
  return { k: 'unknown', text, why: 'a computed base class', pos: posOf(type.expression, sf) }
}

function has(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind)
}

function isHidden(node: ts.Node): boolean {
  return has(node, ts.SyntaxKind.PrivateKeyword) || has(node, ts.SyntaxKind.ProtectedKeyword)
}

const isParameterProperty = (p: ts.Node): boolean =>
  has(p, ts.SyntaxKind.PublicKeyword) || has(p, ts.SyntaxKind.PrivateKeyword) || has(p, ts.SyntaxKind.ProtectedKeyword) || has(p, ts.SyntaxKind.ReadonlyKeyword)

/** Public instance fields and parameter properties in declared order; notes private state. */
function membersOf(node: ts.ClassLikeDeclaration, sf: ts.SourceFile): { members: MemberFacts[]; privateState: boolean } {
  const members: MemberFacts[] = []
  let privateState = false
  const add = (name: ts.PropertyName | ts.BindingName, hidden: boolean, type: ts.TypeNode | undefined, init: ts.Expression | undefined, optional: boolean) => {
    if (ts.isPrivateIdentifier(name) || hidden) { privateState = true; return }
    if (!ts.isIdentifier(name) && !ts.isStringLiteral(name)) return
    members.push({ name: name.text, pos: posOf(name, sf), optional, type: type ? typeExpr(type, sf) : null, init: init ? initializerType(init, sf) : null })
  }
  for (const m of node.members) {
    if (ts.isPropertyDeclaration(m) && !has(m, ts.SyntaxKind.StaticKeyword)) {
      add(m.name, isHidden(m), m.type, m.initializer, !!m.questionToken)
    } else if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        if (isParameterProperty(p)) add(p.name, isHidden(p), p.type, p.initializer, !!p.questionToken)
      }
    }
  }
  return { members, privateState }
}

/** Facts of a class declaration; `null` for an anonymous class (`export default class {}`). */
export function classFacts(node: ts.ClassDeclaration, sf: ts.SourceFile): ClassFacts | null {
  if (!node.name) return null
  return classLikeFacts(node, node.name.text, node.name, sf)
}

/**
 * Facts of a class the scan does not take as an entity (see `FileFacts.otherClasses`): `name` is what it goes by
 * (the variable bound to a class expression, `default`, or its dotted path in namespaces), `at` where it is reported.
 */
export function classLikeFacts(node: ts.ClassLikeDeclaration, name: string, at: ts.Node, sf: ts.SourceFile): ClassFacts {
  const decorators = (ts.getDecorators(node) ?? []).map((d) => decoratorFacts(d, sf))
  const abstract = has(node, ts.SyntaxKind.AbstractKeyword)
  return { name, abstract, pos: posOf(at, sf), heritage: heritageOf(node, sf), decorators, params: typeParams(node), ...membersOf(node, sf) }
}
