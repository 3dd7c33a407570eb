import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { parseExpression } from './expressions.js'

/**
 * Top-level statements that declare nothing (expression statements, `if`, loops, `try`, blocks):
 * read so the reader knows where they end, and otherwise passed over, as the syntax-tree reader does.
 */
export function otherStatement(c: Cursor): void {
  if (c.isPunct('{')) return c.skipGroup()
  if (c.isIdent()) {
    const word = c.val()
    switch (word) {
      case 'if':
        c.i++
        condition(c)
        nested(c)
        if (c.is('else') && c.isIdent()) {
          c.i++
          nested(c)
        }
        return
      case 'while':
        c.i++
        condition(c)
        return nested(c)
      case 'for':
        c.i++
        if (c.is('await') && c.isIdent()) c.i++
        if (!c.isPunct('(')) throw MISMATCH
        c.skipGroup()
        return nested(c)
      case 'switch':
        c.i++
        condition(c)
        return block(c)
      case 'try':
        c.i++
        block(c)
        if (c.is('catch') && c.isIdent()) {
          c.i++
          if (c.isPunct('(')) c.skipGroup()
          block(c)
        }
        if (c.is('finally') && c.isIdent()) {
          c.i++
          block(c)
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
      case 'label':
        throw GIVE_UP
      case 'using':
        if (c.isName(c.i + 1) && !c.nl(c.i + 1)) throw GIVE_UP
    }
    if (c.isPunct(':', c.i + 1)) throw GIVE_UP // a labelled statement
  }
  parseExpression(c)
  c.semicolon()
}

function condition(c: Cursor): void {
  c.expect('(')
  parseExpression(c)
  c.expect(')')
}

function block(c: Cursor): void {
  if (!c.isPunct('{')) throw MISMATCH
  c.skipGroup()
}

/** The statement of an `if`, `else` or loop: a block, or another statement that declares nothing. */
function nested(c: Cursor): void {
  if (c.is('const') || c.is('let') || c.is('var') || c.is('enum') || c.is('interface') || c.is('type') || c.is('import') || c.is('export')) throw GIVE_UP
  if (!c.eat(';')) otherStatement(c)
}
