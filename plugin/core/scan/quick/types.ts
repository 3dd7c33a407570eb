import type { TypeExpr } from '../type-facts.js'
import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { parseParameters } from './functions.js'
import { parseTypeMembers } from './members.js'
import { BIGINT, HEAD, IDENT, MIDDLE, NUMBER, PRIVATE, PUNCT, STRING, TAIL, TEMPLATE } from './token-arrays.js'

/**
 * Type annotations read from tokens, following TypeScript's type grammar, into the same small form the
 * syntax-tree reader gives (`type-facts.ts`): the forms it names are read, everything else is `complex`
 * with its source text.
 */

const KEYWORD_TYPES = new Set(['string', 'number', 'boolean', 'bigint', 'unknown', 'any', 'undefined', 'object', 'never', 'symbol', 'void'])

const complex = (c: Cursor, from: number): TypeExpr => ({ k: 'complex', text: c.slice(from, c.i) })

/** The value of a numeric literal token. */
export function numberValue(c: Cursor, at: number): number {
  return Number(c.slice(at, at + 1).replaceAll('_', ''))
}

/** A type (TypeScript's `parseType`); `noConditional` inside the `extends` part of a conditional type. */
export function parseType(c: Cursor, noConditional = false): TypeExpr {
  const simple = simpleType(c)
  if (simple) return simple
  if (startsFunctionType(c)) return functionType(c)
  const from = c.i
  const type = unionType(c)
  if (!noConditional && !c.nl() && c.is('extends')) {
    c.i++
    parseType(c, true)
    c.expect('?')
    parseType(c)
    c.expect(':')
    parseType(c)
    return complex(c, from)
  }
  return type
}

/** A lone keyword type or name that the next token certainly ends: the most common annotations, read without the full descent. */
function simpleType(c: Cursor): TypeExpr | null {
  if (c.kind() !== IDENT) return null
  const next = c.i + 1
  const v = c.val(next)
  const ends = v === ';' || v === ',' || v === ')' || v === ']' || v === '}' || v === '=' || v === '>' || v === '{' || (c.nl(next) && c.kind(next) === IDENT)
  return ends && !MULTI_TOKEN_WORDS.has(c.val()) ? nonArrayType(c) : null
}

/** Words that start a type of several tokens (operators, queries, predicates): the full descent reads them. */
const MULTI_TOKEN_WORDS = new Set(['keyof', 'unique', 'readonly', 'infer', 'typeof', 'import', 'this', 'asserts'])

function startsFunctionType(c: Cursor): boolean {
  if (c.is('<') || (c.is('new'))) return true
  if (c.is('abstract') && c.is('new', c.i + 1)) return true
  return c.is('(') && c.is('=>', c.match(c.i) + 1)
}

function functionType(c: Cursor): TypeExpr {
  if (c.is('abstract')) c.i++
  if (c.is('new')) c.i++
  parseTypeParameters(c)
  parseParameters(c)
  c.expect('=>')
  parseReturnType(c)
  return { k: 'fn' }
}

function unionType(c: Cursor): TypeExpr {
  const leading = c.eat('|')
  const first = leading ? constituent(c, intersectionType) : intersectionType(c)
  if (!c.is('|') && !leading) return first
  const types = [first]
  while (c.eat('|')) types.push(constituent(c, intersectionType))
  return { k: 'union', of: types }
}

function intersectionType(c: Cursor): TypeExpr {
  const from = c.i
  const leading = c.eat('&')
  const first = leading ? constituent(c, typeOperator) : typeOperator(c)
  if (!c.is('&') && !leading) return first
  while (c.eat('&')) constituent(c, typeOperator)
  return complex(c, from)
}

/** A union or intersection member after an operator: a function type there is a syntax error. */
function constituent(c: Cursor, read: (c: Cursor) => TypeExpr): TypeExpr {
  if (startsFunctionType(c)) throw GIVE_UP
  return read(c)
}

function typeOperator(c: Cursor): TypeExpr {
  const from = c.i
  if (c.isIdent()) {
    const v = c.val()
    if (v === 'keyof' || v === 'unique' || v === 'readonly') {
      c.i++
      const inner = typeOperator(c)
      return v === 'readonly' ? inner : complex(c, from)
    }
    if (v === 'infer') throw GIVE_UP
  }
  return postfixType(c)
}

function postfixType(c: Cursor): TypeExpr {
  const from = c.i
  let type = nonArrayType(c)
  while (!c.nl()) {
    if (c.is('!')) throw GIVE_UP
    if (!c.is('[')) return type
    c.i++
    if (c.eat(']')) {
      type = { k: 'array', of: type }
    } else {
      parseType(c)
      c.expect(']')
      type = complex(c, from)
    }
  }
  return type
}

function nonArrayType(c: Cursor): TypeExpr {
  const from = c.i
  const kind = c.kind()
  if (kind === STRING || kind === TEMPLATE) {
    const v = c.literal()
    c.i++
    return { k: 'lit', v }
  }
  if (kind === NUMBER) return { k: 'lit', v: numberValue(c, c.i++) }
  if (kind === BIGINT) return c.i++, complex(c, from)
  if (kind === HEAD) return templateType(c)
  if (kind === PUNCT) {
    const v = c.val()
    if (v === '-' && c.kind(c.i + 1) === NUMBER) {
      c.i += 2
      return { k: 'lit', v: -numberValue(c, c.i - 1) }
    }
    if (v === '-' && c.kind(c.i + 1) === BIGINT) return c.i += 2, complex(c, from)
    if (v === '{') return isMappedType(c) ? (c.skipGroup(), complex(c, from)) : typeLiteral(c, from)
    if (v === '[') return tupleType(c, from)
    if (v === '(') {
      c.i++
      const inner = parseType(c)
      c.expect(')')
      return inner
    }
    throw MISMATCH
  }
  if (kind !== IDENT) throw MISMATCH
  const v = c.val()
  if (KEYWORD_TYPES.has(v)) {
    c.i++
    if (c.is('.')) throw GIVE_UP
    return { k: 'kw', name: v as Extract<TypeExpr, { k: 'kw' }>['name'] }
  }
  switch (v) {
    case 'null': return c.i++, { k: 'kw', name: 'null' }
    case 'true': return c.i++, { k: 'lit', v: true }
    case 'false': return c.i++, { k: 'lit', v: false }
    case 'this':
      c.i++
      if (c.is('is') && !c.nl()) {
        c.i++
        parseType(c)
      }
      return complex(c, from)
    case 'typeof':
      c.i++
      if (c.is('import')) return importType(c, from)
      entityName(c, true)
      if (!c.nl() && c.is('<')) parseTypeArguments(c)
      return complex(c, from)
    case 'import':
      return importType(c, from)
    case 'asserts':
    case 'infer':
      throw GIVE_UP
  }
  if (!c.isName()) throw MISMATCH
  const path = entityName(c, false)
  const args = !c.nl() && c.is('<') ? parseTypeArguments(c) : []
  return { k: 'ref', path, args }
}

/** `import('m').A.B<T>` (after `typeof` too): the module a plain string. */
function importType(c: Cursor, from: number): TypeExpr {
  c.i++
  if (!c.is('(') || c.kind(c.i + 1) !== STRING || !c.is(')', c.i + 2)) throw GIVE_UP
  c.i += 3
  while (c.eat('.')) {
    if (!c.isIdent()) throw MISMATCH
    c.i++
  }
  if (!c.nl() && c.is('<')) parseTypeArguments(c)
  return complex(c, from)
}

/** `a.b.c`: the first part a name (or `this` in a type query), the others any identifier. */
function entityName(c: Cursor, query: boolean): string[] {
  if (!c.isName() && !(query && c.is('this'))) throw MISMATCH
  const path = [c.val(c.i++)]
  while (c.is('.')) {
    c.i++
    if (!c.isIdent()) throw c.kind() === PRIVATE ? GIVE_UP : MISMATCH
    path.push(c.val(c.i++))
  }
  return path
}

function templateType(c: Cursor): TypeExpr {
  const from = c.i
  c.i++
  for (;;) {
    parseType(c)
    const kind = c.kind()
    c.i++
    if (kind === TAIL) return complex(c, from)
    if (kind !== MIDDLE) throw MISMATCH
  }
}

function isMappedType(c: Cursor): boolean {
  let j = c.i + 1
  if (c.is('+', j) || c.is('-', j)) return c.is('readonly', j + 1)
  if (c.is('readonly', j)) j++
  return c.is('[', j) && c.isIdent(j + 1) && c.is('in', j + 2)
}

function tupleType(c: Cursor, from: number): TypeExpr {
  const close = c.match(c.i)
  c.i++
  const items: TypeExpr[] = []
  let plain = true
  while (c.i < close) {
    const rest = c.is('...')
    const at = rest ? c.i + 1 : c.i
    const named = c.isIdent(at) && (c.is(':', at + 1) || (c.is('?', at + 1) && c.is(':', at + 2)))
    if (named) {
      if (rest) c.i++
      c.i++
      const question = c.eat('?')
      c.expect(':')
      if (rest || question) plain = false
    } else if (c.eat('...')) {
      plain = false
    }
    items.push(parseType(c))
    if (!c.nl() && c.eat('?')) {
      if (named) throw GIVE_UP
      plain = false
    }
    if (c.i < close) c.expect(',')
  }
  c.expect(']')
  return plain ? { k: 'tuple', items } : complex(c, from)
}

function typeLiteral(c: Cursor, from: number): TypeExpr {
  const { members, other } = parseTypeMembers(c)
  return other ? complex(c, from) : { k: 'object', members }
}

/** Type arguments `<A, B>`. */
export function parseTypeArguments(c: Cursor): TypeExpr[] {
  c.expect('<')
  const args = [parseType(c)]
  while (c.eat(',')) args.push(parseType(c))
  c.expect('>')
  return args
}

/** Type parameters `<const T extends A = B, …>` when present; returns their names. */
export function parseTypeParameters(c: Cursor): string[] {
  if (!c.eat('<')) return []
  const names: string[] = []
  while (!c.is('>')) {
    while ((c.is('const') || c.is('in') || c.is('out')) && c.isName(c.i + 1) && !c.nl(c.i + 1)) c.i++
    names.push(c.name())
    if (c.is('extends')) {
      c.i++
      parseType(c)
    }
    if (c.eat('=')) parseType(c)
    if (!c.eat(',')) break
  }
  c.expect('>')
  if (names.length === 0) throw GIVE_UP
  return names
}

/** A return type: a type, or a predicate (`x is T`, `asserts x`, `asserts x is T`). */
export function parseReturnType(c: Cursor): void {
  if (c.is('asserts') && c.isIdent(c.i + 1) && !c.nl(c.i + 1)) {
    c.i += 2
    if (c.is('is') && !c.nl()) {
      c.i++
      parseType(c)
    }
    return
  }
  if (c.isName() && c.is('is', c.i + 1) && !c.nl(c.i + 1)) c.i += 2
  parseType(c)
}
