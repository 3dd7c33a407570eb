import type { TypeExpr } from '../type-facts.js'
import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { parseAssignment, parseExpression, primary, operatorAt } from './expressions.js'
import type { Expr } from './nodes.js'
import { HEAD, IDENT, MIDDLE, PRIVATE, PUNCT, TAIL, TEMPLATE } from './token-arrays.js'
import { parseTypeArguments } from './types.js'

/** Left-hand-side expressions: member accesses, calls, tagged templates and type arguments in expressions. */

/** A left-hand-side expression (member accesses and calls); in a decorator, `[` does not index. */
export function leftHandSide(c: Cursor, decorator = false): Expr {
  const s = c.i
  let e: Expr
  if (c.is('import')) {
    if (c.is('(', c.i + 1)) e = (c.i++, { k: 'lhs', s, e: c.i })
    else if (c.is('.', c.i + 1) && c.is('meta', c.i + 2)) e = (c.i += 3, { k: 'lhs', s, e: c.i })
    else throw GIVE_UP
  } else if (c.is('super')) {
    e = (c.i++, { k: 'lhs', s, e: c.i })
  } else {
    e = memberRest(c, primary(c), s, true, decorator)
  }
  return callRest(c, e, s, decorator)
}

/** A type of an `extends` or `implements` list: its expression and type arguments (`Base<T>`, `ns.Base`). */
export function heritageType(c: Cursor): { expr: Expr; args: TypeExpr[] } {
  const e = leftHandSide(c)
  if (e.k === 'inst') return { expr: e.expr, args: e.targs }
  return { expr: e, args: c.is('<') ? parseTypeArguments(c) : [] }
}

/** Member accesses, element accesses, `!`, tagged templates and type arguments after `e` (`optionalChain`: `?.` allowed). */
export function memberRest(c: Cursor, e: Expr, s: number, optionalChain: boolean, decorator: boolean): Expr {
  for (;;) {
    const chain = optionalChain && c.is('?.') && (c.isIdent(c.i + 1) || c.kind(c.i + 1) === PRIVATE || c.is('[', c.i + 1) || isTemplateStart(c, c.i + 1))
    if (chain) c.i++
    if (chain ? c.isIdent() || c.kind() === PRIVATE : c.eat('.')) {
      if (!c.isIdent() && c.kind() !== PRIVATE) throw MISMATCH
      // a name on the next line followed by a word on its line starts the next statement (TypeScript: missing name)
      if (c.nl() && c.isIdent() && c.isIdent(c.i + 1) && !c.nl(c.i + 1)) throw GIVE_UP
      const name = c.isIdent() ? c.val() : null
      c.i++
      e = { k: 'prop', obj: e, name, s, e: c.i }
      continue
    }
    if ((chain || !decorator) && c.is('[')) {
      c.i++
      const arg = parseExpression(c)
      c.expect(']')
      e = { k: 'elem', obj: e, arg, s, e: c.i }
      continue
    }
    if (isTemplateStart(c, c.i)) {
      if (chain) throw GIVE_UP
      template(c)
      e = { k: 'lhs', s, e: c.i }
      continue
    }
    if (!chain) {
      if (c.is('!') && !c.nl()) {
        c.i++
        e = { k: 'nonnull', inner: e, s, e: c.i }
        continue
      }
      const targs = typeArgumentsInExpression(c)
      if (targs) {
        e = { k: 'inst', expr: e, targs, s, e: c.i }
        continue
      }
    }
    return e
  }
}

function callRest(c: Cursor, e: Expr, s: number, decorator: boolean): Expr {
  for (;;) {
    e = memberRest(c, e, s, true, decorator)
    const chain = c.eat('?.')
    let targs: TypeExpr[] | null = null
    if (chain) {
      targs = typeArgumentsInExpression(c)
      if (isTemplateStart(c, c.i)) {
        template(c)
        e = { k: 'lhs', s, e: c.i }
        continue
      }
    }
    if (targs || c.is('(')) {
      const callee = !chain && e.k === 'inst' ? e.expr : e
      const args = parseArguments(c)
      e = { k: 'call', callee, args, s, e: c.i }
      continue
    }
    if (chain) throw GIVE_UP
    return e
  }
}

function isTemplateStart(c: Cursor, at: number): boolean {
  return c.kind(at) === TEMPLATE || c.kind(at) === HEAD
}

/** A template literal from its first token; returns whether it had substitutions. */
export function template(c: Cursor): boolean {
  if (c.kind() === TEMPLATE) return c.i++, false
  c.i++
  for (;;) {
    parseExpression(c)
    const kind = c.kind()
    c.i++
    if (kind === TAIL) return true
    if (kind !== MIDDLE) throw MISMATCH
  }
}

/** TypeScript's `parseTypeArgumentsInExpression`: `<…>` taken as type arguments only when what follows allows it. */
export function typeArgumentsInExpression(c: Cursor): TypeExpr[] | null {
  if (!c.is('<')) return null
  const save = c.i
  let targs: TypeExpr[]
  try {
    targs = parseTypeArguments(c)
  } catch (e) {
    if (e !== MISMATCH) throw e
    c.i = save
    return null
  }
  if (canFollowTypeArguments(c)) return targs
  c.i = save
  return null
}

function canFollowTypeArguments(c: Cursor): boolean {
  if (c.is('(') || isTemplateStart(c, c.i)) return true
  if (c.is('<') || c.is('>') || c.is('+') || c.is('-')) return false
  if (c.nl() || operatorAt(c)) return true
  return !startsExpression(c)
}

/** Words that start an expression although they are reserved. */
const EXPRESSION_WORDS = new Set(['this', 'super', 'null', 'true', 'false', 'function', 'class', 'new', 'import', 'delete', 'typeof', 'void', 'await', 'yield'])

const EXPRESSION_PUNCTUATORS = new Set(['(', '[', '{', '+', '-', '~', '!', '++', '--', '<', '/', '/=', '@'])

/** Whether the token can start an expression (TypeScript's `isStartOfExpression`, for the tokens that matter after `>`). */
function startsExpression(c: Cursor): boolean {
  const kind = c.kind()
  if (kind === IDENT) return EXPRESSION_WORDS.has(c.val()) || c.isName()
  if (kind !== PUNCT) return kind !== TAIL && kind !== MIDDLE
  return EXPRESSION_PUNCTUATORS.has(c.val())
}

/** An argument list `( … )` (spread arguments as `other` nodes). */
export function parseArguments(c: Cursor): Expr[] {
  c.expect('(')
  const args: Expr[] = []
  while (!c.is(')')) {
    const s = c.i
    if (c.eat('...')) {
      parseAssignment(c)
      args.push({ k: 'other', s, e: c.i })
    } else args.push(parseAssignment(c))
    if (!c.eat(',')) break
  }
  c.expect(')')
  return args
}

