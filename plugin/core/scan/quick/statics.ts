import type { ObjEntry, StaticExpr } from '../facts.js'
import type { TypeExpr } from '../type-facts.js'
import type { Cursor } from './cursor.js'
import { unwrap, type Expr } from './nodes.js'
import { numberValue } from './types.js'

/**
 * The static form of an expression read by the quick reader: the same answers as the syntax-tree
 * reader's `toStatic` and `initializerType` (`expressions.ts`, `type-facts.ts`).
 */

/** A dotted name (`a`, `a.b.c`) as a path, or `null`. */
export function namePath(e: Expr): string[] | null {
  if (e.k === 'ident') return [e.name]
  if (e.k === 'prop' && e.name !== null) {
    const head = namePath(e.obj)
    return head ? [...head, e.name] : null
  }
  return null
}

function unknown(c: Cursor, s: number, e: number, why: string): StaticExpr {
  const text = c.slice(s, e)
  return { k: 'unknown', text: text.length > 60 ? `${text.slice(0, 57)}...` : text, why, pos: c.pos(s) }
}

function objectLiteral(c: Cursor, node: Extract<Expr, { k: 'obj' }>): StaticExpr {
  const entries: ObjEntry[] = []
  for (const prop of node.props) {
    const pos = c.pos(prop.s)
    if (prop.k === 'assign') {
      if (prop.key.text === null) return unknown(c, prop.key.s, prop.key.e, 'a computed property name')
      entries.push({ key: prop.key.text, value: toStatic(c, prop.value), pos })
    } else if (prop.k === 'short') {
      entries.push({ key: prop.name, value: { k: 'ref', path: [prop.name], pos }, pos })
    } else if (prop.k === 'spread') {
      entries.push({ spread: toStatic(c, prop.expr), pos })
    } else {
      return unknown(c, prop.s, prop.e, 'a method or accessor')
    }
  }
  return { k: 'obj', entries, pos: c.pos(node.s) }
}

/** Reads an expression into the static form; whatever cannot be known at build time becomes `unknown`. */
export function toStatic(c: Cursor, expr: Expr): StaticExpr {
  const node = unwrap(expr)
  const pos = c.pos(node.s)
  switch (node.k) {
    case 'str':
    case 'nst':
      return { k: 'lit', v: c.literal(node.s), pos }
    case 'num': return { k: 'lit', v: numberValue(c, node.s), pos }
    case 'true': return { k: 'lit', v: true, pos }
    case 'false': return { k: 'lit', v: false, pos }
    case 'null': return { k: 'lit', v: null, pos }
    case 'ident':
      if (node.name === 'undefined') return { k: 'lit', v: undefined, pos }
      break
    case 'prefix':
      if (node.op === '-' && node.operand.k === 'num') return { k: 'lit', v: -numberValue(c, node.operand.s), pos }
      break
  }
  const path = namePath(node)
  if (path) return { k: 'ref', path, pos }
  switch (node.k) {
    case 'elem': {
      const head = namePath(node.obj)
      if (head && (node.arg.k === 'str' || node.arg.k === 'nst')) return { k: 'ref', path: [...head, c.literal(node.arg.s)], pos }
      break
    }
    case 'obj': return objectLiteral(c, node)
    case 'arr':
      if (node.spread) return unknown(c, node.s, node.e, 'an array spread')
      return { k: 'arr', items: node.items.map((i) => toStatic(c, i)), pos }
    case 'call': return { k: 'call', callee: namePath(node.callee), args: node.args.map((a) => toStatic(c, a)), pos }
    case 'tmpl': return unknown(c, node.s, node.e, 'a template literal with substitutions')
    case 'cond': return unknown(c, node.s, node.e, 'a conditional expression')
    case 'binary': return unknown(c, node.s, node.e, 'an operator expression')
  }
  return unknown(c, node.s, node.e, 'an expression that is only known at run time')
}

const GENERIC_CONTAINERS = new Set(['Map', 'Set', 'Array', 'WeakMap', 'WeakSet', 'Promise', 'ReadonlyArray'])

/** The type an initializer gives by syntax alone (`''` → string, `new Date()` → Date), else `complex`. */
export function initializerType(c: Cursor, init: Expr): TypeExpr {
  let node = init
  while (node.k === 'paren') node = node.inner
  switch (node.k) {
    case 'str':
    case 'nst':
    case 'tmpl':
      return { k: 'kw', name: 'string' }
    case 'num': return { k: 'kw', name: 'number' }
    case 'prefix':
      if (node.operand.k === 'num') return { k: 'kw', name: 'number' }
      break
    case 'bigint': return { k: 'kw', name: 'bigint' }
    case 'true':
    case 'false':
      return { k: 'kw', name: 'boolean' }
    case 'new':
      if (node.callee.k !== 'ident') break
      if (node.callee.name === 'Date') return { k: 'ref', path: ['Date'], args: [] }
      if (node.targs?.length) return { k: 'ref', path: [node.callee.name], args: node.targs }
      if (!GENERIC_CONTAINERS.has(node.callee.name)) return { k: 'ref', path: [node.callee.name], args: [] }
      break
    case 'as':
      if (!node.isConst) return node.type
      break
  }
  return { k: 'complex', text: c.slice(node.s, node.e) }
}
