import type { MemberFacts } from '../type-facts.js'
import { Cursor, GIVE_UP } from './cursor.js'
import { parseParameters } from './functions.js'
import { BIGINT, IDENT, NUMBER, PRIVATE, STRING } from './token-arrays.js'
import { parseReturnType, parseType, parseTypeParameters } from './types.js'

/**
 * Members of object types and interfaces, and the lookaheads that classes and object literals share
 * with them: modifiers, accessors, index signatures, property names.
 */

/** Whether a modifier word can stand before the token after it (TypeScript's `canFollowModifier`). */
export function canFollowModifier(c: Cursor, at: number): boolean {
  const kind = c.kind(at)
  if (kind === IDENT || kind === STRING || kind === NUMBER || kind === BIGINT || kind === PRIVATE) return true
  return c.isPunct('[', at) || c.isPunct('{', at) || c.isPunct('*', at) || c.isPunct('...', at)
}

/** A property name's text: identifiers, keywords, strings and plain integers; `null` for anything else. */
export function propertyNameText(c: Cursor): string | null {
  const kind = c.kind()
  if (kind === IDENT) return c.val()
  if (kind === STRING) return c.literal()
  if (kind === NUMBER && /^(0|[1-9][0-9]*)$/.test(c.slice(c.i, c.i + 1))) return c.slice(c.i, c.i + 1)
  return null
}

/** `get`/`set` starting an accessor (TypeScript's `canFollowGetOrSetKeyword`), not naming a member. */
export function isAccessor(c: Cursor): boolean {
  if (!(c.is('get') || c.is('set')) || !c.isIdent()) return false
  const kind = c.kind(c.i + 1)
  return c.isPunct('[', c.i + 1) || kind === IDENT || kind === STRING || kind === NUMBER || kind === BIGINT || kind === PRIVATE
}

/** TypeScript's `isUnambiguouslyIndexSignature`, from the `[`. */
export function isIndexSignature(c: Cursor): boolean {
  if (!c.isPunct('[')) return false
  let j = c.i + 1
  if (c.isPunct('...', j) || c.isPunct(']', j)) return true
  if (c.isIdent(j) && MODIFIERS.has(c.val(j))) {
    if (c.isName(j + 1)) return true
  } else if (!c.isName(j)) return false
  j++
  if (c.isPunct(':', j) || c.isPunct(',', j)) return true
  if (!c.isPunct('?', j)) return false
  return c.isPunct(':', j + 1) || c.isPunct(',', j + 1) || c.isPunct(']', j + 1)
}

const MODIFIERS = new Set(['abstract', 'accessor', 'async', 'const', 'declare', 'default', 'export', 'in', 'out', 'override', 'private', 'protected', 'public', 'readonly', 'static'])

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
    const kind = typeMember(c, members)
    if (kind === 'other') other = true
    if (!c.eat(',')) c.semicolon()
  }
  c.expect('}')
  return { members, other }
}

function typeMember(c: Cursor, members: MemberFacts[]): 'property' | 'method' | 'other' {
  if (c.isPunct('(') || c.isPunct('<')) return signature(c), 'other'
  if (c.is('new') && c.isIdent() && (c.isPunct('(', c.i + 1) || c.isPunct('<', c.i + 1))) {
    c.i++
    return signature(c), 'other'
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
    if (c.isPunct('{')) throw GIVE_UP
    return 'other'
  }
  if (isIndexSignature(c)) {
    c.skipGroup()
    if (c.eat(':')) parseType(c)
    return 'other'
  }
  const at = c.i
  const name = propertyNameText(c)
  if (name === null) throw GIVE_UP
  c.i++
  const optional = c.eat('?')
  if (c.isPunct('(') || c.isPunct('<')) return signature(c), 'method'
  const type = c.eat(':') ? parseType(c) : null
  if (c.isPunct('=')) throw GIVE_UP
  members.push({ name, pos: c.pos(at), optional, type: type ?? { k: 'kw', name: 'any' }, init: null })
  return 'property'
}

/** `<T>(params): R` of a call, construct or method signature. */
function signature(c: Cursor): void {
  parseTypeParameters(c)
  parseParameters(c)
  if (c.eat(':')) parseReturnType(c)
}
