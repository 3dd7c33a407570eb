import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { leftHandSide } from './calls.js'
import { parseAssignment, parseExpression } from './expressions.js'
import { parseKey } from './literals.js'
import type { Expr, Param } from './nodes.js'
import { canFollowModifier } from './members.js'
import { HEAD, MIDDLE } from './token-arrays.js'
import { parseReturnType, parseType, parseTypeParameters } from './types.js'

/** Arrow functions, function expressions and declarations (bodies skipped), and parameter lists. */

const PARAM_MODIFIERS = new Set(['public', 'private', 'protected', 'readonly', 'override'])

/** Whether an arrow function starts here (`x =>`, `async (…) =>`, `(…): T =>`, `<T>(…) =>`). */
export function arrowAhead(c: Cursor, allowReturnType: boolean): boolean {
  let j = c.i
  if (c.is('async') && c.isIdent(j) && !c.nl(j + 1) && (c.isName(j + 1) || c.is('(', j + 1))) j++
  if (c.isName(j) && c.is('=>', j + 1)) {
    if (c.nl(j + 1)) throw GIVE_UP
    return true
  }
  if (c.is('<', j)) {
    // `<T>(x: T) => x` (a type assertion `<T>x` is given up on)
    if (!c.isName(j + 1) && !c.is('const', j + 1)) throw GIVE_UP
    return true
  }
  if (!c.is('(', j)) return false
  const after = c.match(j) + 1
  if (c.is('=>', after)) {
    if (c.nl(after)) throw GIVE_UP
    return true
  }
  return allowReturnType && c.is(':', after)
}

/** An arrow function: its parameters, return type and body (a block body skipped). */
export function arrow(c: Cursor, allowReturnType: boolean): Expr {
  const s = c.i
  if (c.is('async') && !c.is('=>', c.i + 1)) c.i++
  if (c.isName()) c.i++
  else {
    if (c.is('<')) {
      try {
        parseTypeParameters(c)
      } catch (e) {
        throw e === MISMATCH ? GIVE_UP : e
      }
    }
    parseParameters(c)
    if (c.eat(':')) parseReturnType(c)
  }
  if (c.nl()) throw GIVE_UP
  c.expect('=>')
  if (c.is('{')) skipBody(c)
  else parseAssignment(c, allowReturnType)
  return { k: 'other', s, e: c.i }
}

/** A function expression (its body skipped). */
export function functionExpression(c: Cursor): Expr {
  const s = c.i
  skipFunction(c, false)
  return { k: 'lhs', s, e: c.i }
}

/**
 * `[async] function [*] [name] <T>(params): R { body }` (a body-less overload ends at its semicolon);
 * `named`: a declaration, whose name may be left out only after `export default`.
 */
export function skipFunction(c: Cursor, named: boolean): void {
  if (c.is('async')) c.i++
  c.expect('function')
  c.eat('*')
  if (c.isName()) c.i++
  else if (named) throw MISMATCH
  signature(c)
  functionBody(c, false)
}

/** `<T>(params): R` of a function, method, accessor or constructor, or of a signature in a type; returns the parameters. */
export function signature(c: Cursor): Param[] {
  parseTypeParameters(c)
  const params = parseParameters(c)
  if (c.eat(':')) parseReturnType(c)
  return params
}

/** A function's body, skipped; without `required`, a semicolon instead ends an overload or abstract member. */
export function functionBody(c: Cursor, required: boolean): void {
  if (required || c.is('{')) skipBody(c)
  else c.semicolon()
}

/** A parameter list `( … )`. */
export function parseParameters(c: Cursor): Param[] {
  c.expect('(')
  const params: Param[] = []
  while (!c.is(')')) {
    params.push(parameter(c))
    if (!c.eat(',')) break
  }
  c.expect(')')
  return params
}

function parameter(c: Cursor): Param {
  while (c.eat('@')) leftHandSide(c, true)
  const modifiers: string[] = []
  while (c.isIdent() && PARAM_MODIFIERS.has(c.val()) && !c.nl(c.i + 1) && canFollowModifier(c, c.i + 1) && !c.is('{', c.i + 1) && !c.is('*', c.i + 1)) {
    modifiers.push(c.val(c.i++))
  }
  if (c.is('this')) {
    c.i++
    const type = c.eat(':') ? parseType(c) : null
    return { modifiers, name: -1, optional: false, type, init: null }
  }
  c.eat('...')
  let name = -1
  if (c.isName()) name = c.i++
  else if (c.is('{') || c.is('[')) bindingPattern(c)
  else throw MISMATCH
  const optional = c.eat('?')
  const type = c.eat(':') ? parseType(c) : null
  const init = c.eat('=') ? parseAssignment(c) : null
  return { modifiers, name, optional, type, init }
}

/** A destructuring pattern (`{ a, b: [c], ...d }`, `[a, , b = 1, ...c]`), read for its syntax. */
export function bindingPattern(c: Cursor): void {
  if (c.eat('{')) {
    while (!c.is('}')) {
      if (c.eat('...')) c.name()
      else {
        const shorthand = c.isName()
        parseKey(c)
        if (c.eat(':')) bindingElement(c)
        else if (!shorthand) throw MISMATCH
        if (c.eat('=')) parseAssignment(c)
      }
      if (!c.eat(',')) break
    }
    c.expect('}')
    return
  }
  c.expect('[')
  while (!c.is(']')) {
    if (c.eat(',')) continue // an elision
    c.eat('...')
    bindingElement(c)
    if (c.eat('=')) parseAssignment(c)
    if (!c.eat(',')) break
  }
  c.expect(']')
}

function bindingElement(c: Cursor): void {
  if (c.is('{') || c.is('[')) bindingPattern(c)
  else c.name()
}

/**
 * Skips a function body or block from its `{`, with two checks where TypeScript's reading of what
 * follows depends on the body: the expression of every template substitution in it must end at its
 * `}` (else TypeScript scans the rest of the template as code), and no `=` may follow the body
 * (TypeScript reads `{ a } = b` as a destructuring written without parentheses, an error).
 */
export function skipBody(c: Cursor): void {
  const open = c.i
  const close = c.match(open)
  if (close < 0 || !c.is('{')) throw MISMATCH
  for (let k = open + 1; k < close; k++) {
    const kind = c.kind(k)
    if (kind !== HEAD && kind !== MIDDLE) continue
    const next = c.match(k)
    if (!isDottedName(c, k + 1, next)) {
      c.i = k + 1
      try {
        parseExpression(c)
      } catch (e) {
        throw e === MISMATCH ? GIVE_UP : e
      }
      if (c.i !== next) throw GIVE_UP
    }
    // on at the next part of the template (templates inside the substitution were read with it)
    k = next - 1
  }
  c.i = close + 1
  if (c.is('=')) throw GIVE_UP
}

/** Whether tokens `[from, to)` are `a.b.c` or `this.a.b` (the common substitutions, which need no parse). */
function isDottedName(c: Cursor, from: number, to: number): boolean {
  if (to - from < 1 || (to - from) % 2 === 0 || !(c.isName(from) || c.is('this', from))) return false
  for (let k = from + 1; k < to; k += 2) if (!c.is('.', k) || !c.isIdent(k + 1)) return false
  return true
}
