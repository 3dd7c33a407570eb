import type { TypeExpr } from '../type-facts.js'
import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { BIGINT, HEAD, IDENT, MIDDLE, NUMBER, PRIVATE, PUNCT, REGEX, STRING, TAIL, TEMPLATE } from './tokens.js'
import { canFollowModifier, isAccessor, parseReturnType, parseType, parseTypeArguments, parseTypeParameters, propertyNameText } from './types.js'

/**
 * Expressions read from tokens, following TypeScript's expression grammar (precedence, ASI, arrow
 * functions, type arguments), into a light tree: enough to know each node's kind and extent as
 * TypeScript's parser would give them. Function bodies are skipped by their matched braces.
 */

/** Token range `[s, e)` of a node. */
interface Span {
  s: number
  e: number
}

/** A property key: its text (`null` for a computed name that is not a literal) and extent. */
export interface Key extends Span {
  text: string | null
  computed: boolean
}

export type Prop =
  | ({ k: 'assign'; key: Key; value: Expr } & Span)
  | ({ k: 'short'; name: string } & Span)
  | ({ k: 'spread'; expr: Expr } & Span)
  | ({ k: 'method' } & Span)

export type Expr =
  | ({ k: 'str' | 'nst' | 'num' | 'bigint' | 'true' | 'false' | 'null' | 'tmpl' | 'binary' | 'cond' | 'lhs' | 'other' } & Span)
  | ({ k: 'ident'; name: string } & Span)
  | ({ k: 'paren' | 'nonnull' | 'satisfies' } & Span & { inner: Expr })
  | ({ k: 'as'; inner: Expr; type: TypeExpr; isConst: boolean } & Span)
  | ({ k: 'prop'; obj: Expr; name: string | null } & Span)
  | ({ k: 'elem'; obj: Expr; arg: Expr } & Span)
  | ({ k: 'call'; callee: Expr; args: Expr[] } & Span)
  | ({ k: 'new'; callee: Expr; targs: TypeExpr[] | null } & Span)
  | ({ k: 'inst'; expr: Expr; targs: TypeExpr[] } & Span)
  | ({ k: 'obj'; props: Prop[] } & Span)
  | ({ k: 'arr'; items: Expr[]; spread: boolean } & Span)
  | ({ k: 'prefix'; op: string; operand: Expr } & Span)

/** A parameter: its modifiers, name token (`-1` for a binding pattern or `this`), and what follows. */
export interface Param {
  modifiers: string[]
  name: number
  optional: boolean
  type: TypeExpr | null
  init: Expr | null
}

const PRECEDENCE: Record<string, number> = {
  '??': 4, '||': 5, '&&': 6, '|': 7, '^': 8, '&': 9, '==': 10, '!=': 10, '===': 10, '!==': 10,
  '<': 11, '>': 11, '<=': 11, '>=': 11, instanceof: 11, in: 11, as: 11, satisfies: 11,
  '<<': 12, '>>': 12, '>>>': 12, '+': 13, '-': 13, '*': 14, '/': 14, '%': 14, '**': 15,
}
const ASSIGNMENT = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??='])
/** Operators of TypeScript's simple unary expressions (not update expressions). */
const SIMPLE_UNARY = new Set(['+', '-', '~', '!', '<', 'delete', 'typeof', 'void', 'await'])
const PARAM_MODIFIERS = new Set(['public', 'private', 'protected', 'readonly', 'override'])

/** An expression with commas (TypeScript's `parseExpression`). */
export function parseExpression(c: Cursor): Expr {
  const s = c.i
  let e = parseAssignment(c)
  while (c.eat(',')) {
    parseAssignment(c)
    e = { k: 'binary', s, e: c.i }
  }
  return e
}

/** An assignment expression: arrow functions, conditionals, assignments, binary expressions. */
export function parseAssignment(c: Cursor, allowReturnType = true): Expr {
  const simple = simpleOperand(c)
  if (simple) return simple
  if (arrowAhead(c, allowReturnType)) return arrow(c, allowReturnType)
  if (c.is('yield') && c.isIdent()) throw GIVE_UP
  const s = c.i
  const left = binary(c, 0)
  if (isLeftHandSide(left) && operatorAt(c)?.assign) {
    c.i += operatorAt(c)!.len
    parseAssignment(c, allowReturnType)
    return { k: 'binary', s, e: c.i }
  }
  if (!c.isPunct('?')) return left
  c.i++
  parseAssignment(c, false)
  c.expect(':')
  parseAssignment(c, allowReturnType)
  return { k: 'cond', s, e: c.i }
}

/**
 * A lone literal or name that the next token certainly ends (`''` before `;`, `,`, `)`, `]`, `}` or a
 * name on the next line): the most common initializers and arguments, read without the full descent.
 */
function simpleOperand(c: Cursor): Expr | null {
  const next = c.i + 1
  const v = c.val(next)
  const ends = v === ';' || v === ',' || v === ')' || v === ']' || v === '}' || (c.nl(next) && (c.isName(next) || c.kind(next) === PRIVATE || v === '@'))
  if (!ends || v === 'in' || v === 'instanceof') return null
  const s = c.i
  const kind = c.kind()
  let k: Expr['k']
  if (kind === STRING) k = 'str'
  else if (kind === NUMBER) k = 'num'
  else if (kind === TEMPLATE) k = 'nst'
  else if (kind === IDENT) {
    const name = c.val()
    if (name === 'true' || name === 'false' || name === 'null') k = name
    else if (c.isName()) {
      c.i++
      return { k: 'ident', name, s, e: c.i }
    } else return null
  } else return null
  c.i++
  return { k, s, e: c.i } as Expr
}

/** Expressions an assignment can apply to, by syntax (TypeScript's `isLeftHandSideExpression`). */
function isLeftHandSide(e: Expr): boolean {
  return e.k !== 'binary' && e.k !== 'cond' && e.k !== 'prefix' && e.k !== 'as' && e.k !== 'satisfies' && e.k !== 'other'
}

function arrowAhead(c: Cursor, allowReturnType: boolean): boolean {
  let j = c.i
  if (c.is('async') && c.isIdent(j) && !c.nl(j + 1) && (c.isName(j + 1) || c.isPunct('(', j + 1))) j++
  if (c.isName(j) && c.isPunct('=>', j + 1)) {
    if (c.nl(j + 1)) throw GIVE_UP
    return true
  }
  if (c.isPunct('<', j)) {
    // `<T>(x: T) => x` (a type assertion `<T>x` is given up on)
    if (!c.isName(j + 1) && !c.is('const', j + 1)) throw GIVE_UP
    return true
  }
  if (!c.isPunct('(', j)) return false
  const after = c.match(j) + 1
  if (c.isPunct('=>', after)) {
    if (c.nl(after)) throw GIVE_UP
    return true
  }
  return allowReturnType && c.isPunct(':', after)
}

function arrow(c: Cursor, allowReturnType: boolean): Expr {
  const s = c.i
  if (c.is('async') && !c.isPunct('=>', c.i + 1)) c.i++
  if (c.isName()) c.i++
  else {
    if (c.isPunct('<')) {
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
  if (c.isPunct('{')) c.skipGroup()
  else parseAssignment(c, allowReturnType)
  return { k: 'other', s, e: c.i }
}

/** The binary or assignment operator at the cursor (`>` tokens next to each other merged, as TypeScript re-scans them). */
function operatorAt(c: Cursor): { op: string; len: number; prec: number; assign: boolean } | null {
  const kind = c.kind()
  if (kind === IDENT) {
    const v = c.val()
    return v === 'instanceof' || v === 'in' || v === 'as' || v === 'satisfies' ? { op: v, len: 1, prec: 11, assign: false } : null
  }
  if (kind !== PUNCT) return null
  let op = c.val()
  let len = 1
  if (op === '>') {
        while (len < 3 && c.isPunct('>', c.i + len) && c.start(c.i + len) === c.end(c.i + len - 1)) { op += '>'; len++ }
    if (c.isPunct('=', c.i + len) && c.start(c.i + len) === c.end(c.i + len - 1)) { op += '='; len++ }
  }
  if (ASSIGNMENT.has(op)) return { op, len, prec: 3, assign: true }
  const prec = PRECEDENCE[op]
  return prec === undefined ? null : { op, len, prec, assign: false }
}

function binary(c: Cursor, precedence: number): Expr {
  const s = c.i
  return binaryRest(c, precedence, unary(c), s)
}

function binaryRest(c: Cursor, precedence: number, left: Expr, s: number): Expr {
  for (;;) {
    const op = operatorAt(c)
    if (!op || op.assign) return left
    if (!(op.op === '**' ? op.prec >= precedence : op.prec > precedence)) return left
    if (op.op === 'as' || op.op === 'satisfies') {
      if (c.nl()) return left
      c.i++
      const isConst = op.op === 'as' && c.is('const') && c.isIdent()
      const type: TypeExpr = isConst ? (c.i++, { k: 'complex', text: 'const' }) : parseType(c)
      left = op.op === 'as' ? { k: 'as', inner: left, type, isConst, s, e: c.i } : { k: 'satisfies', inner: left, s, e: c.i }
      continue
    }
    c.i += op.len
    binary(c, op.prec)
    left = { k: 'binary', s, e: c.i }
  }
}

function unary(c: Cursor): Expr {
  const s = c.i
  const simple = c.kind() === PUNCT ? SIMPLE_UNARY.has(c.val()) : c.isIdent() && SIMPLE_UNARY.has(c.val())
  if (!simple) {
    const e = update(c)
    return c.isPunct('**') ? binaryRest(c, 15, e, s) : e
  }
  const e = simpleUnary(c)
  if (c.isPunct('**')) throw GIVE_UP
  return e
}

function simpleUnary(c: Cursor): Expr {
  const s = c.i
  const v = c.val()
  if (c.kind() === PUNCT) {
    if (v === '<') throw GIVE_UP
    if (v === '+' || v === '-' || v === '~' || v === '!') {
      c.i++
      const operand = simpleUnary(c)
      return { k: 'prefix', op: v, operand, s, e: c.i }
    }
  } else if (c.isIdent() && (v === 'delete' || v === 'typeof' || v === 'void' || v === 'await')) {
    if (v === 'await' && (c.nl(c.i + 1) || c.isPunct(')', c.i + 1) || c.isPunct(';', c.i + 1))) throw GIVE_UP
    c.i++
    simpleUnary(c)
    return { k: 'other', s, e: c.i }
  }
  return update(c)
}

function update(c: Cursor): Expr {
  const s = c.i
  if (c.isPunct('++') || c.isPunct('--')) {
    const op = c.val(c.i++)
    const operand = leftHandSide(c)
    return { k: 'prefix', op, operand, s, e: c.i }
  }
  const e = leftHandSide(c)
  if ((c.isPunct('++') || c.isPunct('--')) && !c.nl()) {
    c.i++
    return { k: 'other', s, e: c.i }
  }
  return e
}

/** A left-hand-side expression (member accesses and calls); in a decorator, `[` does not index. */
export function leftHandSide(c: Cursor, decorator = false): Expr {
  const s = c.i
  let e: Expr
  if (c.is('import') && c.isIdent()) {
    if (c.isPunct('(', c.i + 1)) e = (c.i++, { k: 'lhs', s, e: c.i })
    else if (c.isPunct('.', c.i + 1) && c.is('meta', c.i + 2)) e = (c.i += 3, { k: 'lhs', s, e: c.i })
    else throw GIVE_UP
  } else if (c.is('super') && c.isIdent()) {
    e = (c.i++, { k: 'lhs', s, e: c.i })
  } else {
    e = memberRest(c, primary(c), s, true, decorator)
  }
  return callRest(c, e, s, decorator)
}

function memberRest(c: Cursor, e: Expr, s: number, optionalChain: boolean, decorator: boolean): Expr {
  for (;;) {
    const chain = optionalChain && c.isPunct('?.') && (c.isIdent(c.i + 1) || c.kind(c.i + 1) === PRIVATE || c.isPunct('[', c.i + 1) || isTemplateStart(c, c.i + 1))
    if (chain) c.i++
    if (chain ? c.isIdent() || c.kind() === PRIVATE : c.eat('.')) {
      if (!c.isIdent() && c.kind() !== PRIVATE) throw MISMATCH
      const name = c.isIdent() ? c.val() : null
      c.i++
      e = { k: 'prop', obj: e, name, s, e: c.i }
      continue
    }
    if ((chain || !decorator) && c.isPunct('[')) {
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
      if (c.isPunct('!') && !c.nl()) {
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
    if (targs || c.isPunct('(')) {
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
function template(c: Cursor): boolean {
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
function typeArgumentsInExpression(c: Cursor): TypeExpr[] | null {
  if (!c.isPunct('<')) return null
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
  if (c.isPunct('(') || isTemplateStart(c, c.i)) return true
  if (c.isPunct('<') || c.isPunct('>') || c.isPunct('+') || c.isPunct('-')) return false
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

function parseArguments(c: Cursor): Expr[] {
  c.expect('(')
  const args: Expr[] = []
  while (!c.isPunct(')')) {
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

function primary(c: Cursor): Expr {
  const s = c.i
  const kind = c.kind()
  if (kind === NUMBER) return c.i++, { k: 'num', s, e: c.i }
  if (kind === BIGINT) return c.i++, { k: 'bigint', s, e: c.i }
  if (kind === STRING) return c.i++, { k: 'str', s, e: c.i }
  if (kind === TEMPLATE || kind === HEAD) return { k: template(c) ? 'tmpl' : 'nst', s, e: c.i }
  if (kind === REGEX) return regex(c)
  if (kind === PRIVATE) throw GIVE_UP
  if (kind === PUNCT) {
    const v = c.val()
    if (v === '(') {
      c.i++
      const inner = parseExpression(c)
      c.expect(')')
      return { k: 'paren', inner, s, e: c.i }
    }
    if (v === '[') return arrayLiteral(c)
    if (v === '{') return objectLiteral(c)
    if (v === '@') throw GIVE_UP
    throw MISMATCH
  }
  if (kind !== IDENT) throw MISMATCH
  switch (c.val()) {
    case 'this': return c.i++, { k: 'lhs', s, e: c.i }
    case 'null': return c.i++, { k: 'null', s, e: c.i }
    case 'true': return c.i++, { k: 'true', s, e: c.i }
    case 'false': return c.i++, { k: 'false', s, e: c.i }
    case 'function': return functionExpression(c)
    case 'new': return newExpression(c)
    case 'class':
    case 'super':
    case 'import':
      throw GIVE_UP
    case 'async':
      if (c.is('function', c.i + 1) && !c.nl(c.i + 1)) return functionExpression(c)
  }
  if (!c.isName()) throw MISMATCH
  const name = c.val(c.i++)
  return { k: 'ident', name, s, e: c.i }
}

/** A regular expression outside a body: TypeScript checks its syntax, so one the engine rejects is given up on. */
function regex(c: Cursor): Expr {
  const s = c.i
  const text = c.slice(s, s + 1)
  const slash = text.lastIndexOf('/')
  try {
    new RegExp(text.slice(1, slash), text.slice(slash + 1))
  } catch {
    throw GIVE_UP
  }
  c.i++
  return { k: 'lhs', s, e: c.i }
}

function functionExpression(c: Cursor): Expr {
  const s = c.i
  skipFunction(c)
  return { k: 'lhs', s, e: c.i }
}

/** `[async] function [*] [name] <T>(params): R { body }` (a body-less overload ends at its semicolon). */
export function skipFunction(c: Cursor): void {
  if (c.is('async')) c.i++
  c.expectWord('function')
  c.eat('*')
  if (c.isName()) c.i++
  parseTypeParameters(c)
  parseParameters(c)
  if (c.eat(':')) parseReturnType(c)
  if (c.isPunct('{')) c.skipGroup()
  else c.semicolon()
}

function newExpression(c: Cursor): Expr {
  const s = c.i
  c.i++
  if (c.eat('.')) {
    c.expectWord('target')
    return { k: 'lhs', s, e: c.i }
  }
  const cs = c.i
  let callee = memberRest(c, primary(c), cs, false, false)
  let targs: TypeExpr[] | null = null
  if (callee.k === 'inst') {
    targs = callee.targs
    callee = callee.expr
  }
  if (c.isPunct('?.')) throw GIVE_UP
  if (c.isPunct('(')) parseArguments(c)
  return { k: 'new', callee, targs, s, e: c.i }
}

function arrayLiteral(c: Cursor): Expr {
  const s = c.i
  c.i++
  const items: Expr[] = []
  let spread = false
  while (!c.isPunct(']')) {
    if (c.isPunct(',')) throw GIVE_UP // holes
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

function objectLiteral(c: Cursor): Expr {
  const s = c.i
  c.i++
  const props: Prop[] = []
  while (!c.isPunct('}')) {
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
  if (c.isPunct('@')) throw GIVE_UP
  if (isAccessor(c)) {
    c.i++
    parseKey(c)
    parseParameters(c)
    if (c.eat(':')) parseReturnType(c)
    if (!c.isPunct('{')) throw MISMATCH
    c.skipGroup()
    return { k: 'method', s, e: c.i }
  }
  const isAsync = c.is('async') && c.isIdent() && !c.nl(c.i + 1) && canFollowModifier(c, c.i + 1)
  if (isAsync) c.i++
  const star = c.eat('*')
  const shorthand = c.isName()
  const key = parseKey(c)
  if (c.isPunct('?') || c.isPunct('!')) throw GIVE_UP
  if (star || isAsync || c.isPunct('(') || c.isPunct('<')) {
    parseTypeParameters(c)
    parseParameters(c)
    if (c.eat(':')) parseReturnType(c)
    if (!c.isPunct('{')) throw MISMATCH
    c.skipGroup()
    return { k: 'method', s, e: c.i }
  }
  if (shorthand && !c.isPunct(':')) {
    if (c.isPunct('=')) throw GIVE_UP
    return { k: 'short', name: c.val(key.s), s, e: c.i }
  }
  c.expect(':')
  const value = parseAssignment(c)
  return { k: 'assign', key, value, s, e: c.i }
}

/** A property name in an object literal or a class: identifiers, keywords, strings, integers, computed names. */
export function parseKey(c: Cursor): Key {
  const s = c.i
  if (c.isPunct('[')) {
    c.i++
    const inner = unwrap(parseExpression(c))
    c.expect(']')
    let text: string | null = null
    if (inner.k === 'str' || inner.k === 'nst') text = c.literal(inner.s)
    else if (inner.k === 'num') {
      const at = c.i
      c.i = inner.s
      text = propertyNameText(c)
      c.i = at
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

/** Strips parentheses, `as`, `satisfies` and `!` (the wrappers TypeScript's reader looks through). */
export function unwrap(e: Expr): Expr {
  while (e.k === 'paren' || e.k === 'as' || e.k === 'satisfies' || e.k === 'nonnull') e = e.inner
  return e
}

/** A parameter list `( … )`. */
export function parseParameters(c: Cursor): Param[] {
  c.expect('(')
  const params: Param[] = []
  while (!c.isPunct(')')) {
    params.push(parameter(c))
    if (!c.eat(',')) break
  }
  c.expect(')')
  return params
}

function parameter(c: Cursor): Param {
  while (c.eat('@')) leftHandSide(c, true)
  const modifiers: string[] = []
  while (c.isIdent() && PARAM_MODIFIERS.has(c.val()) && !c.nl(c.i + 1) && canFollowModifier(c, c.i + 1) && !c.isPunct('{', c.i + 1) && !c.isPunct('*', c.i + 1)) {
    modifiers.push(c.val(c.i++))
  }
  if (c.is('this') && c.isIdent()) {
    c.i++
    const type = c.eat(':') ? parseType(c) : null
    return { modifiers, name: -1, optional: false, type, init: null }
  }
  c.eat('...')
  let name = -1
  if (c.isName()) name = c.i++
  else if (c.isPunct('{') || c.isPunct('[')) c.skipGroup()
  else throw MISMATCH
  const optional = c.eat('?')
  const type = c.eat(':') ? parseType(c) : null
  const init = c.eat('=') ? parseAssignment(c) : null
  return { modifiers, name, optional, type, init }
}
