import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { parseAssignment, parseExpression } from './expressions.js'
import { functionBody, signature } from './functions.js'
import { unwrap, type Expr, type Key, type Prop } from './nodes.js'
import { BIGINT, NUMBER, PRIVATE } from './token-arrays.js'
import { canFollowModifier, isAccessor, propertyNameText } from './members.js'

/** Object and array literals, and property keys (of object literals and classes). */

/** An array literal (holes are given up on). */
export function arrayLiteral(c: Cursor): Expr {
  const s = c.i
  c.i++
  const items: Expr[] = []
  let spread = false
  while (!c.is(']')) {
    if (c.is(',')) throw GIVE_UP // holes
    const es = c.i
    if (c.eat('...')) {
      spread = true
      parseAssignment(c)
      items.push({ k: 'other', s: es, e: c.i })
    } else items.push(parseAssignment(c))
    if (!c.eat(',')) break
  }
  c.expect(']')
  return { k: 'arr', items, spread, s, e: c.i }
}

/** An object literal: property assignments, shorthands, spreads; methods and accessors with their bodies skipped. */
export function objectLiteral(c: Cursor): Expr {
  const s = c.i
  c.i++
  const props: Prop[] = []
  while (!c.is('}')) {
    props.push(objectMember(c))
    if (!c.eat(',')) break
  }
  c.expect('}')
  return { k: 'obj', props, s, e: c.i }
}

function objectMember(c: Cursor): Prop {
  const s = c.i
  if (c.eat('...')) {
    const expr = parseAssignment(c)
    return { k: 'spread', expr, s, e: c.i }
  }
  if (c.is('@')) throw GIVE_UP
  if (isAccessor(c)) {
    c.i++
    parseKey(c)
    return method(c, s)
  }
  const isAsync = c.is('async') && !c.nl(c.i + 1) && canFollowModifier(c, c.i + 1)
  if (isAsync) c.i++
  const star = c.eat('*')
  const shorthand = c.isName()
  const key = parseKey(c)
  if (c.is('?') || c.is('!')) throw GIVE_UP
  if (star || isAsync || c.is('(') || c.is('<')) return method(c, s)
  if (shorthand && !c.is(':')) {
    if (c.is('=')) throw GIVE_UP
    return { k: 'short', name: c.val(key.s), s, e: c.i }
  }
  c.expect(':')
  const value = parseAssignment(c)
  return { k: 'assign', key, value, s, e: c.i }
}

/** The rest of a method or accessor from its name: `<T>(params): R { body }` (the body skipped). */
function method(c: Cursor, s: number): Prop {
  signature(c)
  functionBody(c, true)
  return { k: 'method', s, e: c.i }
}

/** A property name in an object literal or a class: identifiers, keywords, strings, integers, computed names. */
export function parseKey(c: Cursor): Key {
  const s = c.i
  if (c.is('[')) {
    c.i++
    const inner = unwrap(parseExpression(c))
    c.expect(']')
    let text: string | null = null
    if (inner.k === 'str' || inner.k === 'nst') text = c.literal(inner.s)
    else if (inner.k === 'num') {
      text = propertyNameText(c, inner.s)
      if (text === null) throw GIVE_UP
    }
    return { text, computed: true, s, e: c.i }
  }
  const kind = c.kind()
  if (kind === BIGINT) return c.i++, { text: null, computed: false, s, e: c.i }
  if (kind === PRIVATE) throw GIVE_UP
  const text = propertyNameText(c)
  if (text === null) throw kind === NUMBER ? GIVE_UP : MISMATCH
  c.i++
  return { text, computed: false, s, e: c.i }
}

