import { ts } from './morph.js'
import type { ObjEntry, Pos, StaticExpr } from './facts.js'

/** Position (1-based line and column) of a node's first token. */
export function posOf(node: ts.Node, sf: ts.SourceFile): Pos {
  const lc = sf.getLineAndCharacterOfPosition(node.getStart(sf))
  return { line: lc.line + 1, column: lc.character + 1 }
}

/** A dotted name (`a`, `a.b.c`) as a path, or `null` when the expression is anything else. */
export function namePath(node: ts.Expression): string[] | null {
  if (ts.isIdentifier(node)) return [node.text]
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
    const head = namePath(node.expression)
    return head ? [...head, node.name.text] : null
  }
  return null
}

function unwrap(node: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node) || ts.isNonNullExpression(node)
  ) node = node.expression
  return node
}

function propertyKey(name: ts.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text
  if (ts.isNoSubstitutionTemplateLiteral(name)) return name.text
  if (ts.isComputedPropertyName(name)) {
    const inner = unwrap(name.expression)
    if (ts.isStringLiteralLike(inner) || ts.isNumericLiteral(inner)) return inner.text
  }
  return null
}

function unknown(node: ts.Node, sf: ts.SourceFile, why: string): StaticExpr {
  const text = node.getText(sf)
  return { k: 'unknown', text: text.length > 60 ? `${text.slice(0, 57)}...` : text, why, pos: posOf(node, sf) }
}

function objectLiteral(node: ts.ObjectLiteralExpression, sf: ts.SourceFile): StaticExpr {
  const entries: ObjEntry[] = []
  for (const prop of node.properties) {
    const pos = posOf(prop, sf)
    if (ts.isPropertyAssignment(prop)) {
      const key = propertyKey(prop.name)
      if (key === null) return unknown(prop.name, sf, 'a computed property name')
      entries.push({ key, value: toStatic(prop.initializer, sf), pos })
    } else if (ts.isShorthandPropertyAssignment(prop)) {
      entries.push({ key: prop.name.text, value: { k: 'ref', path: [prop.name.text], pos }, pos })
    } else if (ts.isSpreadAssignment(prop)) {
      entries.push({ spread: toStatic(prop.expression, sf), pos })
    } else {
      return unknown(prop, sf, 'a method or accessor')
    }
  }
  return { k: 'obj', entries, pos: posOf(node, sf) }
}

/** Reads an expression into the static form; whatever cannot be known at build time becomes `unknown`. */
export function toStatic(expr: ts.Expression, sf: ts.SourceFile): StaticExpr {
  const node = unwrap(expr)
  const pos = posOf(node, sf)
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { k: 'lit', v: node.text, pos }
  if (ts.isNumericLiteral(node)) return { k: 'lit', v: Number(node.text), pos }
  if (node.kind === ts.SyntaxKind.TrueKeyword) return { k: 'lit', v: true, pos }
  if (node.kind === ts.SyntaxKind.FalseKeyword) return { k: 'lit', v: false, pos }
  if (node.kind === ts.SyntaxKind.NullKeyword) return { k: 'lit', v: null, pos }
  if (ts.isIdentifier(node) && node.text === 'undefined') return { k: 'lit', v: undefined, pos }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) {
    return { k: 'lit', v: -Number(node.operand.text), pos }
  }
  const path = namePath(node)
  if (path) return { k: 'ref', path, pos }
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
    const head = namePath(node.expression)
    if (head) return { k: 'ref', path: [...head, node.argumentExpression.text], pos }
  }
  if (ts.isObjectLiteralExpression(node)) return objectLiteral(node, sf)
  if (ts.isArrayLiteralExpression(node)) {
    if (node.elements.some(ts.isSpreadElement)) return unknown(node, sf, 'an array spread')
    return { k: 'arr', items: node.elements.map((e) => toStatic(e, sf)), pos }
  }
  if (ts.isCallExpression(node)) {
    return { k: 'call', callee: namePath(node.expression), args: node.arguments.map((a) => toStatic(a, sf)), pos }
  }
  if (ts.isTemplateExpression(node)) return unknown(node, sf, 'a template literal with substitutions')
  if (ts.isConditionalExpression(node)) return unknown(node, sf, 'a conditional expression')
  if (ts.isBinaryExpression(node)) return unknown(node, sf, 'an operator expression')
  return unknown(node, sf, 'an expression that is only known at run time')
}
