import type { MemberFacts } from '../type-facts.js'
import { Cursor, GIVE_UP } from './cursor.js'
import { signature } from './functions.js'
import { BIGINT, IDENT, NUMBER, PRIVATE, STRING } from './token-arrays.js'
import { parseType } from './types.js'

/**
 * Members of object types and interfaces, and the lookaheads that classes and object literals share
 * with them: modifiers, accessors, index signatures, property names.
 */

/** Whether a member name can start at `at` (TypeScript's `isLiteralPropertyName`, or a computed name). */
function startsPropertyName(c: Cursor, at: number): boolean {
  const kind = c.kind(at)
  return kind === IDENT || kind === STRING || kind === NUMBER || kind === BIGINT || kind === PRIVATE || c.is('[', at)
}

/** Whether a modifier word can stand before the token after it (TypeScript's `canFollowModifier`). */
export function canFollowModifier(c: Cursor, at: number): boolean {
  return startsPropertyName(c, at) || c.is('{', at) || c.is('*', at) || c.is('...', at)
}

/** A property name's text: identifiers, keywords, strings and plain integers; `null` for anything else. */
export function propertyNameText(c: Cursor, at = c.i): string | null {
  const kind = c.kind(at)
  if (kind === IDENT) return c.val(at)
  if (kind === STRING) return c.literal(at)
  if (kind === NUMBER && /^(0|[1-9][0-9]*)$/.test(c.slice(at, at + 1))) return c.slice(at, at + 1)
  return null
}

/** `get`/`set` starting an accessor (TypeScript's `canFollowGetOrSetKeyword`), not naming a member. */
export function isAccessor(c: Cursor): boolean {
  return (c.is('get') || c.is('set')) && startsPropertyName(c, c.i + 1)
}

/** TypeScript's `isUnambiguouslyIndexSignature`, from the `[`. */
export function isIndexSignature(c: Cursor): boolean {
  if (!c.is('[')) return false
  let j = c.i + 1
  if (c.is('...', j) || c.is(']', j)) return true
  if (c.isIdent(j) && MODIFIERS.has(c.val(j))) {
    if (c.isName(j + 1)) return true
  } else if (!c.isName(j)) return false
  j++
  if (c.is(':', j) || c.is(',', j)) return true
  if (!c.is('?', j)) return false
  return c.is(':', j + 1) || c.is(',', j + 1) || c.is(']', j + 1)
}

/** TypeScript's modifier words. */
export const MODIFIERS = new Set(['abstract', 'accessor', 'async', 'const', 'declare', 'default', 'export', 'in', 'out', 'override', 'private', 'protected', 'public', 'readonly', 'static'])

/**
 * The members of an object type or an interface body, from its `{` past its `}`: property signatures
 * (in order), and whether there were members of other kinds (methods count as plain).
 */
export function parseTypeMembers(c: Cursor): { members: MemberFacts[]; other: boolean } {
  const close = c.match(c.i)
  c.expect('{')
  const members: MemberFacts[] = []
  let other = false
  while (c.i < close) {
    if (typeMember(c, members)) other = true
    if (!c.eat(',')) c.semicolon()
  }
  c.expect('}')
  return { members, other }
}

/** One member of an object type or interface; returns whether it is neither a property nor a method signature. */
function typeMember(c: Cursor, members: MemberFacts[]): boolean {
  if (c.is('(') || c.is('<')) return signature(c), true
  if (c.is('new') && (c.is('(', c.i + 1) || c.is('<', c.i + 1))) {
    c.i++
    return signature(c), true
  }
  while (c.isIdent() && MODIFIERS.has(c.val()) && !c.nl(c.i + 1) && canFollowModifier(c, c.i + 1)) {
    if (c.val() !== 'readonly') throw GIVE_UP
    c.i++
  }
  if (isAccessor(c)) {
    c.i++
    if (propertyNameText(c) === null) throw GIVE_UP
    c.i++
    signature(c)
    if (c.is('{')) throw GIVE_UP
    return true
  }
  if (isIndexSignature(c)) {
    c.skipGroup()
    if (c.eat(':')) parseType(c)
    return true
  }
  const at = c.i
  const name = propertyNameText(c)
  if (name === null) throw GIVE_UP
  c.i++
  const optional = c.eat('?')
  if (c.is('(') || c.is('<')) return signature(c), false
  const type = c.eat(':') ? parseType(c) : null
  if (c.is('=')) throw GIVE_UP
  members.push({ name, pos: c.pos(at), optional, type: type ?? { k: 'kw', name: 'any' }, init: null })
  return false
}
