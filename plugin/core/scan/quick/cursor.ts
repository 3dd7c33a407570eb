import type { Pos } from '../facts.js'
import { EOF, ESCAPED, IDENT, NAME, NL, PUNCT, STRING, TEMPLATE, type Tokens } from './token-arrays.js'

/** Thrown when the file holds something the quick reader does not read: TypeScript reads it instead. */
export class GiveUp {}
export const GIVE_UP = new GiveUp()
/** Thrown where the tokens do not fit the syntax expected (a speculative parse catches it and backs off). */
export class Mismatch {}
export const MISMATCH = new Mismatch()

/** A position in a file's tokens, with the helpers every part of the quick reader uses. */
export class Cursor {
  i = 0

  constructor(readonly t: Tokens, readonly text: string) {}

  kind(at = this.i): number {
    return this.t.kind[at]!
  }

  /** Identifier or punctuator text at a token ('' for literals). */
  val(at = this.i): string {
    return this.t.val[at]!
  }

  /** Whether the token at `at` is the punctuator or word `v` (literals have no text here, and punctuators and words never share one). */
  is(v: string, at = this.i): boolean {
    return this.t.val[at] === v
  }

  isIdent(at = this.i): boolean {
    return this.t.kind[at] === IDENT
  }

  /** An identifier that can name a binding or a type (not a reserved word). */
  isName(at = this.i): boolean {
    return (this.t.flags[at]! & NAME) !== 0
  }

  nl(at = this.i): boolean {
    return (this.t.flags[at]! & NL) !== 0
  }

  atEnd(): boolean {
    return this.t.kind[this.i] === EOF
  }

  /** Consumes the punctuator or word `v` when it is next. */
  eat(v: string): boolean {
    if (!this.is(v)) return false
    this.i++
    return true
  }

  /** Consumes the punctuator or word `v`, or fails with a mismatch. */
  expect(v: string): void {
    if (!this.is(v)) throw MISMATCH
    this.i++
  }

  /** Consumes a binding name and returns it. */
  name(): string {
    if (!this.isName()) throw MISMATCH
    return this.t.val[this.i++]!
  }

  /** Source offset where a token starts. */
  start(at: number): number {
    return this.t.start[at]!
  }

  /** Source offset where a token ends. */
  end(at: number): number {
    return this.t.end[at]!
  }

  /** The token of the bracket matching the one at `at` (-1 when it is not a bracket). */
  match(at = this.i): number {
    return this.t.match[at]!
  }

  /** Jumps from an opening bracket past its match. */
  skipGroup(): void {
    const m = this.t.match[this.i]!
    if (m < 0 || this.t.kind[this.i] !== PUNCT) throw MISMATCH
    this.i = m + 1
  }

  /** The end of a statement: `;`, or a line break, `}` or the end of the file before the next token (ASI). */
  semicolon(): void {
    if (this.eat(';')) return
    if (this.nl() || this.is('}') || this.atEnd()) return
    throw MISMATCH
  }

  /** Source text of tokens `[from, to)`. */
  slice(from: number, to: number): string {
    return this.text.slice(this.t.start[from]!, this.t.end[to - 1]!)
  }

  /** The value of a string or no-substitution template literal token (its escapes were checked by the tokenizer). */
  literal(at = this.i): string {
    const kind = this.t.kind[at]
    if (kind !== STRING && kind !== TEMPLATE) throw MISMATCH
    const raw = this.text.slice(this.t.start[at]! + 1, this.t.end[at]! - 1)
    return (this.t.flags[at]! & ESCAPED) !== 0 ? cook(raw, kind === TEMPLATE) : kind === TEMPLATE ? raw.replace(/\r\n?/g, '\n') : raw
  }

  /** 1-based line and column of a token's first character (columns in UTF-16 code units, as TypeScript counts). */
  pos(at: number): Pos {
    const line = this.t.line[at]!
    return { line: line + 1, column: this.t.start[at]! - this.t.lineStarts[line]! + 1 }
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' }

/** The value of a literal's text with escapes (TypeScript's cooked value; template line breaks normalised to `\n`). */
function cook(raw: string, template: boolean): string {
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!
    if (ch === '\r' && template) {
      out += '\n'
      if (raw[i + 1] === '\n') i++
      continue
    }
    if (ch !== '\\') {
      out += ch
      continue
    }
    const e = raw[++i]!
    if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e]
    else if (e === 'x') {
      out += String.fromCharCode(parseInt(raw.slice(i + 1, i + 3), 16))
      i += 2
    } else if (e === 'u') {
      if (raw[i + 1] === '{') {
        const close = raw.indexOf('}', i)
        out += String.fromCodePoint(parseInt(raw.slice(i + 2, close), 16))
        i = close
      } else {
        out += String.fromCharCode(parseInt(raw.slice(i + 1, i + 5), 16))
        i += 4
      }
    } else if (e === '\r') {
      if (raw[i + 1] === '\n') i++
    } else if (e !== '\n' && e !== '\u2028' && e !== '\u2029') out += e
  }
  return out
}
