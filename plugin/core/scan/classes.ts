import { ts } from 'ts-morph'
import { namePath, posOf, toStatic } from './expressions.js'
import type { ClassFacts, DecoratorFacts, StaticExpr } from './facts.js'

function decoratorFacts(dec: ts.Decorator, sf: ts.SourceFile): DecoratorFacts {
  const expr = dec.expression
  const base = { pos: posOf(dec, sf), start: dec.getStart(sf), end: dec.getEnd() }
  if (ts.isCallExpression(expr)) {
    return { ...base, callee: namePath(expr.expression), args: expr.arguments.map((a) => toStatic(a, sf)) }
  }
  return { ...base, callee: namePath(expr), args: null }
}

function heritageOf(node: ts.ClassDeclaration, sf: ts.SourceFile): StaticExpr | null {
  const clause = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
  const type = clause?.types[0]
  if (!type) return null
  const path = namePath(type.expression)
  if (path) return { k: 'ref', path, pos: posOf(type.expression, sf) }
  const text = type.expression.getText(sf)
  return { k: 'unknown', text, why: 'a computed base class', pos: posOf(type.expression, sf) }
}

/** Facts of a class declaration; `null` for an anonymous class (`export default class {}`). */
export function classFacts(node: ts.ClassDeclaration, sf: ts.SourceFile): ClassFacts | null {
  if (!node.name) return null
  const decorators = (ts.getDecorators(node) ?? []).map((d) => decoratorFacts(d, sf))
  const abstract = (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.AbstractKeyword)
  return { name: node.name.text, abstract, pos: posOf(node.name, sf), heritage: heritageOf(node, sf), decorators }
}
