import type { ClassFacts, DecoratorFacts, StaticExpr } from '../facts.js'
import type { MemberFacts, TypeExpr } from '../type-facts.js'
import { Cursor, GIVE_UP } from './cursor.js'
import { heritageType, leftHandSide } from './calls.js'
import { parseAssignment } from './expressions.js'
import { functionBody, signature } from './functions.js'
import { parseKey } from './literals.js'
import type { Expr } from './nodes.js'
import { initializerType, namePath, toStatic } from './statics.js'
import { PRIVATE, STRING } from './token-arrays.js'
import { canFollowModifier, isAccessor, isIndexSignature, MODIFIERS } from './members.js'
import { parseType, parseTypeParameters } from './types.js'

/** Class declarations read from tokens into the same facts as the syntax-tree reader's `classFacts`. */

/** The modifiers of class members (the other modifier words are errors there). */
const CLASS_MODIFIERS = new Set(['abstract', 'accessor', 'async', 'declare', 'override', 'private', 'protected', 'public', 'readonly', 'static'])
const PROPERTY_MODIFIERS = new Set(['public', 'private', 'protected', 'readonly'])

/** A decorator from its `@`. */
export function decorator(c: Cursor): DecoratorFacts {
  const at = c.i
  c.expect('@')
  const e = leftHandSide(c, true)
  const base = { pos: c.pos(at), start: c.start(at), end: c.end(c.i - 1) }
  if (e.k === 'call') return { ...base, callee: namePath(e.callee), args: e.args.map((a) => toStatic(c, a)) }
  return { ...base, callee: namePath(e), args: null }
}

/** Collects the public instance fields of a class body and whether it holds private state. */
class Members {
  members: MemberFacts[] = []
  privateState = false

  constructor(private c: Cursor) {}

  /** A field or parameter property: `name` is its token, `-1` when it has no plain name; `hidden`: `#private`, `private` or `protected`. */
  add(name: number, hidden: boolean, type: TypeExpr | null, init: Expr | null, optional: boolean): void {
    if (hidden) {
      this.privateState = true
      return
    }
    if (name < 0) return
    const c = this.c
    const text = c.kind(name) === STRING ? c.literal(name) : c.val(name)
    this.members.push({ name: text, pos: c.pos(name), optional, type, init: init ? initializerType(c, init) : null })
  }
}

/**
 * A class declaration from its `class` keyword, given its decorators and modifiers; `null` facts for an
 * anonymous class (the tokens are read all the same).
 */
export function classDeclaration(c: Cursor, decorators: DecoratorFacts[], abstract: boolean): ClassFacts | null {
  c.expect('class')
  const nameAt = c.isName() ? c.i++ : -1
  if (nameAt < 0 && c.isIdent() && !c.is('extends') && !c.is('implements')) throw GIVE_UP // a reserved word as the name
  const params = parseTypeParameters(c)
  let heritage: StaticExpr | null = null
  let extended = false
  while ((c.is('extends') || c.is('implements')) && c.isIdent()) {
    const extendsClause = c.val(c.i++) === 'extends'
    do {
      const s = c.i
      const { expr } = heritageType(c)
      if (extendsClause && !extended) {
        const path = namePath(expr)
        heritage = path ? { k: 'ref', path, pos: c.pos(s) } : { k: 'unknown', text: c.slice(expr.s, expr.e), why: 'a computed base class', pos: c.pos(s) }
      }
    } while (c.eat(','))
    if (extendsClause) extended = true
  }
  const members = new Members(c)
  c.expect('{')
  while (!c.eat('}')) classMember(c, members)
  if (nameAt < 0) return null
  return { name: c.val(nameAt), abstract, pos: c.pos(nameAt), heritage, decorators, params, members: members.members, privateState: members.privateState }
}

function classMember(c: Cursor, members: Members): void {
  if (c.eat(';')) return
  // of the modifiers, only these matter to the facts
  let isStatic = false
  let hiddenByModifier = false
  for (;;) {
    if (c.is('@')) {
      decorator(c)
      continue
    }
    if (!c.isIdent()) break
    const v = c.val()
    if (v === 'static' && c.is('{', c.i + 1)) break
    if (!MODIFIERS.has(v)) break
    if (v === 'static' && isStatic) break
    if (!canFollowModifier(c, c.i + 1) || (v !== 'static' && c.nl(c.i + 1))) break
    if (!CLASS_MODIFIERS.has(v)) throw GIVE_UP
    if (v === 'static') isStatic = true
    else if (v === 'private' || v === 'protected') hiddenByModifier = true
    c.i++
  }
  // a static block holds statements, which this reader does not read inside classes
  if (c.is('static') && c.is('{', c.i + 1)) throw GIVE_UP
  if (isAccessor(c)) {
    c.i++
    if (c.kind() === PRIVATE) c.i++
    else parseKey(c)
    signature(c)
    return functionBody(c, false)
  }
  if ((c.is('constructor')) || (c.kind() === STRING && c.is('(', c.i + 1) && c.slice(c.i, c.i + 1).slice(1, -1) === 'constructor')) {
    c.i++
    for (const p of signature(c)) {
      if (p.modifiers.some((m) => PROPERTY_MODIFIERS.has(m))) {
        const hidden = p.modifiers.includes('private') || p.modifiers.includes('protected')
        members.add(p.name, hidden, p.type, p.init, p.optional)
      }
    }
    return functionBody(c, false)
  }
  if (isIndexSignature(c)) {
    c.skipGroup()
    if (c.eat(':')) parseType(c)
    c.semicolon()
    return
  }
  const star = c.eat('*')
  const nameAt = c.i
  let isPrivate = false
  let plainName = false
  if (c.kind() === PRIVATE) {
    isPrivate = true
    c.i++
  } else {
    const key = parseKey(c)
    plainName = !key.computed && (c.isIdent(nameAt) || c.kind(nameAt) === STRING)
  }
  const optional = c.eat('?')
  if (star || c.is('(') || c.is('<')) {
    signature(c)
    return functionBody(c, false)
  }
  if (!optional && !c.nl()) c.eat('!')
  const type = c.eat(':') ? parseType(c) : null
  const init = c.eat('=') ? parseAssignment(c) : null
  c.semicolon()
  if (isStatic) return
  const hidden = isPrivate || hiddenByModifier
  members.add(plainName ? nameAt : -1, hidden, type, init, optional)
}
