import { addEnumMember, addInterface, dict, emptyFacts, type DecoratorFacts, type FileFacts, type StaticExpr } from '../facts.js'
import type { TypeExpr } from '../type-facts.js'
import { classDeclaration, decorator } from './classes.js'
import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { heritageType } from './calls.js'
import { parseAssignment } from './expressions.js'
import { bindingPattern, skipFunction } from './functions.js'
import { namePath, toStatic } from './statics.js'
import { block, otherStatement } from './statements.js'
import { IDENT, PUNCT, releaseTokens, STRING, TEMPLATE } from './token-arrays.js'
import { tokenize } from './tokens.js'
import { parseTypeMembers } from './members.js'
import { exportDeclaration, importDeclaration } from './modules.js'
import { parseType, parseTypeParameters } from './types.js'

/**
 * The quick declaration reader: the facts of a `.ts` file read from its tokens, without TypeScript.
 * It reads the top-level declarations the facts need (imports, exports, classes, interfaces, type
 * aliases, enums, variables), reads the other top-level statements for their syntax, and skips
 * function bodies by their matched braces. Anything it does not read exactly as TypeScript does
 * (JSX files, syntax it does not cover, a syntax error outside a function body) makes it give up,
 * and TypeScript's parser reads the file instead: so its facts, when it answers, are those the
 * syntax-tree reader gives. Syntax errors inside function bodies are left to the bundler.
 */
export function quickFacts(file: string, text: string, hash: string): FileFacts | null {
  try {
    return readQuick(file, text, hash)
  } catch {
    // a fault of the quick reader never fails a build: TypeScript reads the file
    return null
  }
}

/**
 * The same, letting the reader's own faults through (for tests); `gaveUpAt` hears the source offset
 * where it gave up (-1 when the tokenizer did).
 */
export function readQuick(file: string, text: string, hash: string, gaveUpAt?: (offset: number) => void): FileFacts | null {
  if (!/\.[mc]?ts$/.test(file) || /\.d\.[mc]?ts$/.test(file)) return null
  try {
    const tokens = tokenize(text)
    if (!tokens) return gaveUpAt?.(-1), null
    const c = new Cursor(tokens, text)
    const facts = emptyFacts(hash)
    try {
      while (!c.atEnd()) statement(c, facts)
      dynamicImports(c, facts)
    } catch (e) {
      if (e !== GIVE_UP && e !== MISMATCH) throw e
      gaveUpAt?.(c.start(c.i))
      return null
    }
    return facts
  } finally {
    releaseTokens()
  }
}

/**
 * `import('./x')` calls and `import('./x').T` types anywhere in the file (function bodies included, which the
 * statements skip): `import`, not after a `.`, then `(` and a string or a template without substitutions. Then the
 * module refs are sorted, each once, as TypeScript's reader gives them.
 */
function dynamicImports(c: Cursor, facts: FileFacts): void {
  const t = c.t
  for (let i = 0; i + 2 < t.count; i++) {
    if (t.kind[i] !== IDENT || t.val[i] !== 'import' || t.kind[i + 1] !== PUNCT || t.val[i + 1] !== '(') continue
    if (i > 0 && t.kind[i - 1] === PUNCT && (t.val[i - 1] === '.' || t.val[i - 1] === '?.')) continue
    const kind = t.kind[i + 2]
    // the whole first argument (`import('./a' + b)` names no module)
    const after = t.kind[i + 3] === PUNCT ? t.val[i + 3] : ''
    if ((kind === STRING || kind === TEMPLATE) && (after === ')' || after === ',')) facts.moduleRefs.push(c.literal(i + 2))
  }
  facts.moduleRefs = [...new Set(facts.moduleRefs)].sort()
}

/** Whether the word at the cursor is followed, on the same line, by a name (or a string). */
const beforeName = (c: Cursor, strings = false): boolean =>
  !c.nl(c.i + 1) && (c.isName(c.i + 1) || (strings && c.kind(c.i + 1) === STRING))

function statement(c: Cursor, facts: FileFacts): void {
  if (c.eat(';')) return
  const decorators: DecoratorFacts[] = []
  while (c.is('@')) decorators.push(decorator(c))
  let exported = false
  let isDefault = false
  if (c.is('export')) {
    const next = c.i + 1
    if (c.is('{', next) || c.is('*', next) || (c.is('type', next) && (c.is('{', next + 1) || c.is('*', next + 1)))) {
      if (decorators.length) throw GIVE_UP
      return exportDeclaration(c, facts)
    }
    c.i++
    exported = true
    if (c.is('default')) {
      c.i++
      isDefault = true
      if (!startsDefaultDeclaration(c)) {
        if (decorators.length) throw GIVE_UP
        return exportDefault(c, facts)
      }
    }
    while (c.is('@')) decorators.push(decorator(c))
  }
  const declared = c.is('declare') && !c.nl(c.i + 1) && c.isIdent(c.i + 1)
  if (declared) c.i++
  const abstract = c.is('abstract') && c.is('class', c.i + 1) && !c.nl(c.i + 1)
  if (abstract) c.i++
  if (!c.isIdent()) {
    if (exported || decorators.length || declared) throw GIVE_UP
    return otherStatement(c, nestedStatement)
  }
  const word = c.val()
  if (decorators.length && word !== 'class') throw GIVE_UP
  switch (word) {
    case 'class': {
      const cls = classDeclaration(c, decorators, abstract)
      // an anonymous `export default class`: TypeScript's reader records it (`FileFacts.otherClasses`), as it does
      // the class expressions this reader gives up on
      if (!cls) throw GIVE_UP
      if (declared) facts.otherClasses.push({ ...cls, kind: 'declared' })
      else facts.classes[cls.name] = cls
      if (exported) facts.localExports[isDefault ? 'default' : cls.name] = cls.name
      return
    }
    case 'interface':
      if (!beforeName(c)) break
      return interfaceDeclaration(c, facts, exported)
    case 'type':
      if (!beforeName(c) || isDefault) break
      return typeAlias(c, facts, exported)
    case 'enum':
      if (isDefault) break
      return enumDeclaration(c, facts, exported)
    case 'const':
      if (isDefault) break
      if (c.is('enum', c.i + 1)) {
        c.i++
        return enumDeclaration(c, facts, exported)
      }
      return variables(c, facts, exported, true)
    case 'let':
    case 'var':
      if (isDefault || !(c.isName(c.i + 1) || c.is('[', c.i + 1) || c.is('{', c.i + 1))) break
      return variables(c, facts, exported, false)
    case 'async':
      if (!c.is('function', c.i + 1) || c.nl(c.i + 1)) break
      return skipFunction(c, !isDefault)
    case 'function':
      return skipFunction(c, !isDefault)
    case 'namespace':
    case 'module':
      if (isDefault || !beforeName(c, true)) break
      return skipNamespace(c, declared)
    case 'global':
      if (!c.is('{', c.i + 1)) break
      c.i++
      return block(c, nestedStatement)
    case 'import':
      if (exported || c.is('(', c.i + 1) || c.is('.', c.i + 1)) break
      return importDeclaration(c, facts)
  }
  if (exported || decorators.length || abstract || declared) throw GIVE_UP
  otherStatement(c, nestedStatement)
}

/** A statement inside a block or a namespace: read for its syntax, its declarations not recorded. */
function nestedStatement(c: Cursor): void {
  statement(c, emptyFacts(''))
}

/** A statement inside a namespace that is not ambient: one that declares a class is TypeScript's reader's to read. */
function namespaceStatement(c: Cursor): void {
  const facts = emptyFacts('')
  statement(c, facts)
  if (Object.keys(facts.classes).length > 0) throw GIVE_UP
}

/** After `export default`: a declaration (class, function, interface) rather than an expression. */
function startsDefaultDeclaration(c: Cursor): boolean {
  if (c.is('@') || c.is('class') || c.is('function') || c.is('interface')) return true
  if (c.is('abstract') && c.is('class', c.i + 1) && !c.nl(c.i + 1)) return true
  return c.is('async') && c.is('function', c.i + 1) && !c.nl(c.i + 1)
}

function exportDefault(c: Cursor, facts: FileFacts): void {
  const e = parseAssignment(c)
  c.semicolon()
  if (e.k === 'ident') facts.localExports.default = e.name
  facts.defaultExport = toStatic(c, e)
}

function interfaceDeclaration(c: Cursor, facts: FileFacts, exported: boolean): void {
  c.i++
  const nameAt = c.i
  const name = c.name()
  const params = parseTypeParameters(c)
  const heritage: TypeExpr[] = []
  if (c.is('extends')) {
    c.i++
    do {
      const s = c.i
      const { expr, args } = heritageType(c)
      const path = namePath(expr)
      heritage.push(path ? { k: 'ref', path, args } : { k: 'complex', text: c.slice(s, c.i) })
    } while (c.eat(','))
  }
  if (c.is('implements')) throw GIVE_UP
  const { members } = parseTypeMembers(c)
  addInterface(facts, name, { k: 'interface', params, members, extends: heritage, pos: c.pos(nameAt) })
  if (exported) facts.localExports[name] = name
}

function typeAlias(c: Cursor, facts: FileFacts, exported: boolean): void {
  c.i++
  const nameAt = c.i
  const name = c.name()
  const params = parseTypeParameters(c)
  c.expect('=')
  if (c.is('intrinsic')) throw GIVE_UP
  const type = parseType(c)
  c.semicolon()
  facts.types[name] = { k: 'alias', params, type, pos: c.pos(nameAt) }
  if (exported) facts.localExports[name] = name
}

function enumDeclaration(c: Cursor, facts: FileFacts, exported: boolean): void {
  c.expect('enum')
  const name = c.name()
  c.expect('{')
  const members = dict<StaticExpr>()
  let next: number | null = 0
  while (!c.is('}')) {
    const at = c.i
    if (c.kind() !== IDENT && c.kind() !== STRING) throw GIVE_UP
    const key = c.kind() === STRING ? c.literal() : c.val()
    c.i++
    next = addEnumMember(members, key, c.pos(at), c.eat('=') ? toStatic(c, parseAssignment(c)) : null, next)
    if (!c.eat(',')) break
  }
  c.expect('}')
  facts.enums[name] = members
  if (exported) facts.localExports[name] = name
}

function variables(c: Cursor, facts: FileFacts, exported: boolean, isConst: boolean): void {
  c.i++
  do {
    let name: string | null = null
    if (c.isName()) name = c.name()
    else if (c.is('{') || c.is('[')) bindingPattern(c)
    else throw MISMATCH
    if (name !== null && !c.nl()) c.eat('!')
    if (c.eat(':')) parseType(c)
    const init = c.eat('=') ? parseAssignment(c) : null
    if (name === null) continue
    if (exported) facts.localExports[name] = name
    if (isConst && init) facts.consts[name] = toStatic(c, init)
  } while (c.eat(','))
  c.semicolon()
}

/**
 * `namespace A.B { … }`, `module 'x' { … }` or `module 'x';`: read for their syntax, nothing in them recorded. A class
 * declared in a namespace that is not ambient is given to TypeScript's reader, which records it
 * (`FileFacts.otherClasses`).
 */
function skipNamespace(c: Cursor, ambient: boolean): void {
  c.i++
  if (c.kind() === STRING) {
    c.i++
    ambient = true
    if (!c.is('{')) return c.semicolon()
  } else {
    c.name()
    while (c.eat('.')) {
      if (!c.isIdent()) throw MISMATCH
      c.i++
    }
  }
  block(c, ambient ? nestedStatement : namespaceStatement)
}
