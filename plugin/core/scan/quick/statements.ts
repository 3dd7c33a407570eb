import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { parseExpression } from './expressions.js'
import { parseType } from './types.js'

/**
 * Top-level statements that declare nothing (expression statements, `if`, `while`, `try`, blocks):
 * read so the reader knows where they end, and otherwise passed over, as the syntax-tree reader does.
 */
export function otherStatement(c: Cursor, statement: (c: Cursor) => void): void {
  if (c.is('{')) return block(c, statement)
  if (c.isIdent()) {
    const word = c.val()
    switch (word) {
      case 'if':
        c.i++
        condition(c)
        nested(c, statement)
        if (c.is('else')) {
          c.i++
          nested(c, statement)
        }
        return
      case 'while':
        c.i++
        condition(c)
        return nested(c, statement)
      case 'for':
      case 'switch':
        throw GIVE_UP
      case 'try':
        c.i++
        block(c, statement)
        if (!c.is('catch') && !c.is('finally')) throw MISMATCH
        if (c.is('catch')) {
          c.i++
          if (c.eat('(')) {
            c.name()
            if (c.eat(':')) parseType(c)
            c.expect(')')
          }
          block(c, statement)
        }
        if (c.is('finally')) {
          c.i++
          block(c, statement)
        }
        return
      case 'throw':
        if (c.nl(c.i + 1)) throw GIVE_UP
        c.i++
        parseExpression(c)
        return c.semicolon()
      case 'function':
      case 'class':
      case 'do':
      case 'return':
      case 'break':
      case 'continue':
      case 'debugger':
      case 'with':
        throw GIVE_UP
      case 'using':
        if (c.isName(c.i + 1) && !c.nl(c.i + 1)) throw GIVE_UP
    }
    if (c.is(':', c.i + 1)) throw GIVE_UP // a labelled statement
    // a declaration word that did not start a declaration (`interface` then a line break, say)
    if (DECLARATION_WORDS.has(word)) throw GIVE_UP
  }
  parseExpression(c)
  c.semicolon()
}

/** TypeScript's declaration words: as the start of an expression statement they are given up on. */
const DECLARATION_WORDS = new Set(['interface', 'namespace', 'module', 'type', 'declare', 'abstract', 'global', 'enum', 'let', 'using'])

function condition(c: Cursor): void {
  c.expect('(')
  parseExpression(c)
  c.expect(')')
}

/**
 * A block `{ … }` whose statements are read with `statement` (so a syntax error in them is seen) and
 * whose declarations count for nothing.
 */
export function block(c: Cursor, statement: (c: Cursor) => void): void {
  c.expect('{')
  while (!c.eat('}')) statement(c)
  if (c.is('=')) throw GIVE_UP // see Cursor.skipBody
}

/** The statement of an `if`, `else` or loop: a block, or another statement that declares nothing. */
function nested(c: Cursor, statement: (c: Cursor) => void): void {
  if (c.is('const') || c.is('let') || c.is('var') || c.is('enum') || c.is('interface') || c.is('type') || c.is('import') || c.is('export')) throw GIVE_UP
  if (!c.eat(';')) otherStatement(c, statement)
}
