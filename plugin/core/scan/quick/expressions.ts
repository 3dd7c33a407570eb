import type { TypeExpr } from '../type-facts.js'
import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { arrow, arrowAhead, functionExpression } from './functions.js'
import { leftHandSide, memberRest, parseArguments, template } from './calls.js'
import { arrayLiteral, objectLiteral } from './literals.js'
import type { Expr } from './nodes.js'
import { BIGINT, HEAD, IDENT, NUMBER, PRIVATE, PUNCT, REGEX, STRING, TEMPLATE } from './token-arrays.js'
import { parseType } from './types.js'

/**
 * Expressions read from tokens, following TypeScript's expression grammar (precedence, ASI, arrow
 * functions, type arguments), into a light tree (`nodes.ts`): enough to know each node's kind and
 * extent as TypeScript's parser would give them. Member chains and calls are in `calls.ts`, object and
 * array literals in `literals.ts`, functions and parameters in `functions.ts`.
 */

const PRECEDENCE: Record<string, number> = {
  '??': 4, '||': 5, '&&': 6, '|': 7, '^': 8, '&': 9, '==': 10, '!=': 10, '===': 10, '!==': 10,
  '<': 11, '>': 11, '<=': 11, '>=': 11, instanceof: 11, in: 11, as: 11, satisfies: 11,
  '<<': 12, '>>': 12, '>>>': 12, '+': 13, '-': 13, '*': 14, '/': 14, '%': 14, '**': 15,
}
const ASSIGNMENT = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??='])
/** Operators of TypeScript's simple unary expressions (not update expressions). */
const SIMPLE_UNARY = new Set(['+', '-', '~', '!', '<', 'delete', 'typeof', 'void', 'await'])
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
  if (c.is('yield')) throw GIVE_UP
  const s = c.i
  const left = binary(c, 0)
  const op = operatorAt(c)
  if (op?.assign && isLeftHandSide(left)) {
    c.i += op.len
    parseAssignment(c, allowReturnType)
    return { k: 'binary', s, e: c.i }
  }
  if (!c.is('?')) return left
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

/** The binary or assignment operator at the cursor (`>` tokens next to each other merged, as TypeScript re-scans them). */
export function operatorAt(c: Cursor): { op: string; len: number; prec: number; assign: boolean } | null {
  const kind = c.kind()
  if (kind === IDENT) {
    const v = c.val()
    return v === 'instanceof' || v === 'in' || v === 'as' || v === 'satisfies' ? { op: v, len: 1, prec: 11, assign: false } : null
  }
  if (kind !== PUNCT) return null
  let op = c.val()
  let len = 1
  if (op === '>') {
    while (len < 3 && c.is('>', c.i + len) && c.start(c.i + len) === c.end(c.i + len - 1)) { op += '>'; len++ }
    if (c.is('=', c.i + len) && c.start(c.i + len) === c.end(c.i + len - 1)) { op += '='; len++ }
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
      const isConst = op.op === 'as' && c.is('const')
      const type: TypeExpr = isConst ? (c.i++, { k: 'complex', text: 'const' }) : parseType(c)
      // `as const` followed by what would continue a type (`as const<T>`, `as const[]`): TypeScript reads a type there
      if (isConst && !c.nl() && (c.is('<') || c.is('[') || c.is('.') || c.is('|') || c.is('&'))) throw GIVE_UP
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
  if (!SIMPLE_UNARY.has(c.val())) {
    const e = update(c)
    return c.is('**') ? binaryRest(c, 15, e, s) : e
  }
  const e = simpleUnary(c)
  if (c.is('**')) throw GIVE_UP
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
  } else if (v === 'delete' || v === 'typeof' || v === 'void' || v === 'await') {
    if (v === 'await' && (c.nl(c.i + 1) || c.is(')', c.i + 1) || c.is(';', c.i + 1))) throw GIVE_UP
    c.i++
    simpleUnary(c)
    return { k: 'other', s, e: c.i }
  }
  return update(c)
}

function update(c: Cursor): Expr {
  const s = c.i
  if (c.is('++') || c.is('--')) {
    const op = c.val(c.i++)
    const operand = leftHandSide(c)
    return { k: 'prefix', op, operand, s, e: c.i }
  }
  const e = leftHandSide(c)
  if ((c.is('++') || c.is('--')) && !c.nl()) {
    c.i++
    return { k: 'other', s, e: c.i }
  }
  return e
}

/** A primary expression: literals, names, `this`, parentheses, object and array literals, functions, `new`. */
export function primary(c: Cursor): Expr {
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

/** A regular expression literal: TypeScript checks its syntax, so one the engine rejects is given up on. */
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

function newExpression(c: Cursor): Expr {
  const s = c.i
  c.i++
  if (c.eat('.')) {
    c.expect('target')
    return { k: 'lhs', s, e: c.i }
  }
  const cs = c.i
  let callee = memberRest(c, primary(c), cs, false, false)
  let targs: TypeExpr[] | null = null
  if (callee.k === 'inst') {
    targs = callee.targs
    callee = callee.expr
  }
  if (c.is('?.')) throw GIVE_UP
  if (c.is('(')) parseArguments(c)
  return { k: 'new', callee, targs, s, e: c.i }
}

