/**
 * The quick reader's tokenizer: one pass over a TypeScript file that splits it into tokens, records
 * which tokens follow a line break and pairs every bracket with its match (so a body is skipped in one
 * step). It gives up (`null`) on anything it does not read exactly as TypeScript's scanner would:
 * non-ASCII identifiers, unterminated literals, invalid escapes or numbers, unbalanced brackets, and a
 * `/` it cannot tell apart as division or a regular expression.
 */

import { BIGINT, EOF, ESCAPED, grow, HEAD, IDENT, MIDDLE, NAME, NL, NUMBER, PRIVATE, PUNCT, REGEX, sharedTokens, STRING, TAIL, TEMPLATE, type Tokens } from './token-arrays.js'

/** Words that are never identifiers in an expression or a type name. */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw',
  'true', 'try', 'typeof', 'var', 'void', 'while', 'with',
  // reserved in strict code (modules and classes)
  'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await',
])

/** Punctuators of more than one character, longest first. `>` is always alone (as TypeScript scans it). */
const LONG_PUNCTUATORS = [
  '...', '===', '!==', '**=', '<<=', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '<<', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '%=', '&=', '|=', '^=', '**',
]
const SINGLE_PUNCTUATORS = new Set('{}()[];,<>+-*%&|^!~?:=.@')
/** The long punctuators by the code of their first character. */
const LONG_BY_FIRST: string[][] = Array.from({ length: 128 }, () => [])
for (const p of LONG_PUNCTUATORS) LONG_BY_FIRST[p.charCodeAt(0)]!.push(p)

/** Keywords after which a `/` starts a regular expression. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'extends'])
/** Keywords whose parenthesised condition a regular expression may follow: `if (a) /x/.test(b)`. */
const CONDITION_WORDS = new Set(['if', 'while', 'for', 'with'])

/** ASCII character classes: 1 starts an identifier, 2 continues one. */
const CHAR_CLASS = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36
  CHAR_CLASS[c] = letter ? 3 : c >= 48 && c <= 57 ? 2 : 0
}
const isIdentStart = (c: number): boolean => c < 128 && (CHAR_CLASS[c]! & 1) !== 0
const isIdentPart = (c: number): boolean => c < 128 && (CHAR_CLASS[c]! & 2) !== 0
const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
const isLineBreak = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029

class Stop {}
const STOP = new Stop()

/** Splits `text` into tokens; `null` when the quick reader cannot read the file. */
export function tokenize(text: string): Tokens | null {
  try {
    return new Tokenizer(text).run()
  } catch (e) {
    if (e === STOP) return null
    throw e
  }
}

class Tokenizer {
  private t: Tokens
  private i = 0
  private nl = false
  /** The line the token being read starts on. */
  private line = 0
  /** Open brackets and template heads (token indices). */
  private open: number[] = []

  constructor(private s: string) {
    this.t = sharedTokens(s.length)
    this.t.count = 0
    this.t.lineStarts = [0]
  }

  run(): Tokens {
    const s = this.s
    const n = s.length
    if (s.charCodeAt(0) === 0xfeff) this.i = 1
    else if (s.startsWith('#!')) this.skipLine()
    while (this.i < n) {
      const c = s.charCodeAt(this.i)
      if (c === 32 || c === 9 || c === 11 || c === 12) { this.i++; continue }
      if (isLineBreak(c)) { this.nl = true; this.i = this.lineBreak(this.i); continue }
      this.line = this.t.lineStarts.length - 1
      if (c === 47) { // '/'
        const d = s.charCodeAt(this.i + 1)
        if (d === 47) { this.skipLine(); continue }
        if (d === 42) { this.skipBlockComment(); continue }
        if (this.regexAllowed()) this.regex()
        else this.push(PUNCT, this.i, this.i + (d === 61 ? 2 : 1), d === 61 ? '/=' : '/')
        continue
      }
      if (isIdentStart(c)) { this.word(IDENT, this.i); continue }
      if (c === 35) { // '#'
        if (!isIdentStart(s.charCodeAt(this.i + 1))) throw STOP
        this.word(PRIVATE, this.i++)
        continue
      }
      if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(this.i + 1)))) { this.number(); continue }
      if (c === 39 || c === 34) { this.string(c); continue }
      if (c === 96) { this.template(this.i, HEAD); continue }
      if (c === 125 && this.open.length && this.t.kind[this.open[this.open.length - 1]!] !== PUNCT) {
        this.template(this.i, MIDDLE)
        continue
      }
      if (c >= 128) throw STOP
      this.punct()
    }
    if (this.open.length) throw STOP
    this.push(EOF, n, n, '')
    return this.t
  }

  /** Records the line that starts after the line break at `at`; returns the index after the break. */
  private lineBreak(at: number): number {
    const next = this.s.charCodeAt(at) === 13 && this.s.charCodeAt(at + 1) === 10 ? at + 2 : at + 1
    this.t.lineStarts.push(next)
    return next
  }

  private push(kind: number, start: number, end: number, val: string, flags = 0): number {
    let t = this.t
    if (t.count === t.kind.length) t = this.t = grow(t)
    const k = t.count++
    t.kind[k] = kind
    t.start[k] = start
    t.end[k] = end
    t.val[k] = val
    t.flags[k] = (this.nl ? NL : 0) | flags
    t.match[k] = -1
    t.line[k] = this.line
    this.nl = false
    this.i = end
    return k
  }

  private skipLine(): void {
    const s = this.s
    let j = this.i
    while (j < s.length && !isLineBreak(s.charCodeAt(j))) j++
    this.i = j
  }

  private skipBlockComment(): void {
    const end = this.s.indexOf('*/', this.i + 2)
    if (end < 0) throw STOP
    for (let j = this.i + 2; j < end; j++) {
      if (isLineBreak(this.s.charCodeAt(j))) {
        this.nl = true
        j = this.lineBreak(j) - 1
      }
    }
    this.i = end + 2
  }

  private word(kind: number, start: number): void {
    const s = this.s
    let j = this.i + 1
    while (isIdentPart(s.charCodeAt(j))) j++
    const next = s.charCodeAt(j)
    if (next >= 128 || next === 92) throw STOP // unicode identifiers and escapes
    const word = s.slice(start, j)
    this.push(kind, start, j, word, kind === IDENT && !RESERVED.has(word) ? NAME : 0)
  }

  private number(): void {
    const s = this.s
    const start = this.i
    let j = start
    const c = s.charCodeAt(j)
    const d = s.charCodeAt(j + 1) | 0x20
    let kind = NUMBER
    if (c === 48 && (d === 120 || d === 98 || d === 111)) { // 0x 0b 0o
      j += 2
      const ok = d === 120 ? isHex : d === 98 ? (x: number) => x === 48 || x === 49 : (x: number) => x >= 48 && x <= 55
      j = this.digits(j, ok)
      if (s.charCodeAt(j) === 110) { kind = BIGINT; j++ }
    } else {
      if (c === 48 && isDigit(s.charCodeAt(j + 1))) throw STOP // legacy octal
      let fraction = false
      if (c !== 46) j = this.digits(j, isDigit)
      if (s.charCodeAt(j) === 46) {
        fraction = true
        j++
        if (isDigit(s.charCodeAt(j))) j = this.digits(j, isDigit)
      }
      const e = s.charCodeAt(j) | 0x20
      if (e === 101) {
        fraction = true
        j++
        if (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45) j++
        j = this.digits(j, isDigit)
      }
      if (s.charCodeAt(j) === 110) {
        if (fraction) throw STOP
        kind = BIGINT
        j++
      }
    }
    const after = s.charCodeAt(j)
    if (isIdentPart(after) || after >= 128 || after === 92) throw STOP
    this.push(kind, start, j, '')
  }

  /** One or more digits with single `_` separators between them; returns the end. */
  private digits(from: number, ok: (c: number) => boolean): number {
    const s = this.s
    if (!ok(s.charCodeAt(from))) throw STOP
    let j = from + 1
    for (;;) {
      const c = s.charCodeAt(j)
      if (ok(c)) j++
      else if (c === 95 && ok(s.charCodeAt(j + 1))) j += 2
      else return j
    }
  }

  /** Checks one escape sequence at `j` (just after the backslash); returns the index after it. */
  private escape(j: number): number {
    const s = this.s
    const c = s.charCodeAt(j)
    if (c === 120) { // \xHH
      if (!isHex(s.charCodeAt(j + 1)) || !isHex(s.charCodeAt(j + 2))) throw STOP
      return j + 3
    }
    if (c === 117) { // \uHHHH or \u{H…}
      if (s.charCodeAt(j + 1) === 123) {
        const close = s.indexOf('}', j + 2)
        if (close < 0 || close === j + 2 || close - j > 9) throw STOP
        for (let k = j + 2; k < close; k++) if (!isHex(s.charCodeAt(k))) throw STOP
        if (parseInt(s.slice(j + 2, close), 16) > 0x10ffff) throw STOP
        return close + 1
      }
      for (let k = 1; k <= 4; k++) if (!isHex(s.charCodeAt(j + k))) throw STOP
      return j + 5
    }
    if (isDigit(c) && (c !== 48 || isDigit(s.charCodeAt(j + 1)))) throw STOP // octal escapes
    if (isLineBreak(c)) return this.lineBreak(j)
    if (Number.isNaN(c)) throw STOP
    return j + 1
  }

  private string(quote: number): void {
    const s = this.s
    const start = this.i
    let j = start + 1
    let escaped = false
    for (;;) {
      const c = s.charCodeAt(j)
      if (c === quote) break
      if (Number.isNaN(c) || c === 10 || c === 13) throw STOP
      if (c === 92) { escaped = true; j = this.escape(j + 1) } else if (c === 0x2028 || c === 0x2029) j = this.lineBreak(j)
      else j++
    }
    this.push(STRING, start, j + 1, '', escaped ? ESCAPED : 0)
  }

  /** A template part from `start` (a backtick or the `}` closing a substitution). */
  private template(start: number, headKind: number): void {
    const s = this.s
    let j = start + 1
    let escaped = false
    for (;;) {
      const c = s.charCodeAt(j)
      if (Number.isNaN(c)) throw STOP
      if (c === 96) {
        if (headKind === HEAD) this.push(TEMPLATE, start, j + 1, '', escaped ? ESCAPED : 0)
        else {
          const open = this.open.pop()!
          const tail = this.push(TAIL, start, j + 1, '', escaped ? ESCAPED : 0)
          this.t.match[open] = tail
        }
        return
      }
      if (c === 36 && s.charCodeAt(j + 1) === 123) {
        if (headKind === MIDDLE) this.t.match[this.open.pop()!] = this.t.count
        this.open.push(this.push(headKind, start, j + 2, '', escaped ? ESCAPED : 0))
        return
      }
      if (c === 92) { escaped = true; j = this.escape(j + 1) } else if (isLineBreak(c)) j = this.lineBreak(j)
      else j++
    }
  }

  private regex(): void {
    const s = this.s
    const start = this.i
    let j = start + 1
    let inClass = false
    for (;;) {
      const c = s.charCodeAt(j)
      if (Number.isNaN(c) || isLineBreak(c)) throw STOP
      if (c === 92) {
        // not even an escaped line break: a regular expression is one line
        if (isLineBreak(s.charCodeAt(j + 1))) throw STOP
        j += 2
        continue
      }
      if (c === 91) inClass = true
      else if (c === 93) inClass = false
      else if (c === 47 && !inClass) break
      j++
    }
    j++
    while (isIdentPart(s.charCodeAt(j))) j++
    this.push(REGEX, start, j, '')
  }

  /** Whether a `/` here starts a regular expression (else it divides); stops when it cannot tell. */
  private regexAllowed(): boolean {
    const t = this.t
    const last = t.count - 1
    if (last < 0) return true
    const kind = t.kind[last]
    if (kind === IDENT) return REGEX_AFTER_WORD.has(t.val[last]!)
    if (kind !== PUNCT) return kind === HEAD || kind === MIDDLE
    const v = t.val[last]
    if (v === ']') return false
    if (v === ')') {
      const open = t.match[last]!
      return open > 0 && t.kind[open - 1] === IDENT && CONDITION_WORDS.has(t.val[open - 1]!)
    }
    if (v === '}' || v === '++' || v === '--') throw STOP
    return true
  }

  private punct(): void {
    const s = this.s
    const i = this.i
    const c = s[i]!
    let p = c
    const long = LONG_BY_FIRST[c.charCodeAt(0)]!
    for (let k = 0; k < long.length; k++) {
      if (s.startsWith(long[k]!, i)) { p = long[k]!; break }
    }
    // `a?.5:b` is a conditional, not an optional chain
    if (p === '?.' && isDigit(s.charCodeAt(i + 2))) p = '?'
    if (p.length === 1 && !SINGLE_PUNCTUATORS.has(p)) throw STOP
    const k = this.push(PUNCT, i, i + p.length, p)
    if (p === '(' || p === '[' || p === '{') this.open.push(k)
    else if (p === ')' || p === ']' || p === '}') {
      const o = this.open.pop()
      if (o === undefined) throw STOP
      const want = p === ')' ? '(' : p === ']' ? '[' : '{'
      if (this.t.kind[o] !== PUNCT || this.t.val[o] !== want) throw STOP
      this.t.match[o] = k
      this.t.match[k] = o
    }
  }
}

/**
 * Whether `text` has a decorator (an `@` token, not one in a comment, a string or a template) or a string literal
 * that reads `literal`, as written (an import's module name, say); `null` when the tokenizer cannot read the text
 * (it cannot be told without a parse).
 */
export function hasDecoratorOrString(text: string, literal: string): boolean | null {
  const t = tokenize(text)
  if (!t) return null
  for (let i = 0; i < t.count; i++) {
    if (t.kind[i] === PUNCT && t.val[i] === '@') return true
    if (t.kind[i] === STRING && t.end[i]! - t.start[i]! === literal.length + 2 && text.startsWith(literal, t.start[i]! + 1)) return true
  }
  return false
}
