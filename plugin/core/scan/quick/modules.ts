import type { FileFacts } from '../facts.js'
import { REGISTRY_IMPORT } from '../../virtual.js'
import { Cursor, GIVE_UP, MISMATCH } from './cursor.js'
import { STRING } from './token-arrays.js'

/** Import and export declarations read into facts (bindings, re-exports, registry-only import ranges). */

/** A module specifier string, then import attributes and the statement's end. */
function moduleSpecifier(c: Cursor): { module: string; at: number } {
  c.expect('from')
  if (c.kind() !== STRING) throw MISMATCH
  const at = c.i
  const module = c.literal(c.i++)
  attributesAndEnd(c)
  return { module, at }
}

/** Import attributes (`with { type: 'json' }`), then the statement's end. */
function attributesAndEnd(c: Cursor): void {
  if ((c.is('with') || (c.is('assert') && !c.nl())) && c.is('{', c.i + 1)) {
    c.i++
    c.skipGroup()
  }
  c.semicolon()
}

interface Specifier {
  typeOnly: boolean
  /** The name in the other module (`propertyName ?? name`). */
  imported: string
  /** The name here (import) or the exported name (export). */
  name: string
}

function moduleExportName(c: Cursor): string {
  if (c.kind() === STRING) return c.literal(c.i++)
  if (!c.isIdent()) throw MISMATCH
  return c.val(c.i++)
}

/** `{ a, b as c, type d }` of an import or export declaration. */
function specifiers(c: Cursor, isImport: boolean): Specifier[] {
  c.expect('{')
  const list: Specifier[] = []
  while (!c.is('}')) {
    let typeOnly = false
    if (c.is('type') && !c.is(',', c.i + 1) && !c.is('}', c.i + 1)) {
      if (c.is('as', c.i + 1)) throw GIVE_UP
      typeOnly = true
      c.i++
    }
    const first = c.i
    const imported = moduleExportName(c)
    let name = imported
    if (c.is('as')) {
      c.i++
      name = moduleExportName(c)
      if (isImport && !c.isName(c.i - 1)) throw GIVE_UP
    } else if (isImport && !c.isName(first)) throw GIVE_UP
    list.push({ typeOnly, imported, name })
    if (!c.eat(',')) break
  }
  c.expect('}')
  return list
}

/** An import declaration from its `import`: the bindings it makes, and registry-only imports. */
export function importDeclaration(c: Cursor, facts: FileFacts): void {
  c.i++
  if (c.kind() === STRING) {
    facts.moduleRefs.push(c.literal(c.i++))
    return attributesAndEnd(c)
  }
  let typeOnly = false
  if (c.is('type')) {
    const next = c.i + 1
    if (c.is('from', next) || c.is(',', next) || c.is('=', next)) {
      if (!(c.is('from', next) && c.kind(next + 1) === STRING)) throw GIVE_UP
    } else {
      typeOnly = true
      c.i++
    }
  }
  if ((c.is('defer') || c.is('source')) && c.isIdent() && !c.is('from', c.i + 1) && !c.is(',', c.i + 1)) throw GIVE_UP
  let defaultName: string | null = null
  let namespace: string | null = null
  let named: Specifier[] | null = null
  if (c.isName()) {
    if (c.is('from') && c.is('from', c.i + 1)) throw GIVE_UP
    defaultName = c.name()
    if (c.is('=')) throw GIVE_UP // import x = require(…)
    if (!c.eat(',') && !c.is('from')) throw MISMATCH
  }
  if (!c.is('from')) {
    if (c.eat('*')) {
      c.expect('as')
      namespace = c.name()
    } else named = specifiers(c, true)
  }
  const { module, at } = moduleSpecifier(c)
  // the literal as written (no escapes): the transform writes over those characters
  if (c.slice(at, at + 1).slice(1, -1) === REGISTRY_IMPORT && !typeOnly && defaultName === null && named && named.every((s) => s.typeOnly || s.imported === 'registry')) {
    const start = c.start(at) + 1
    facts.registryOnlyImports.push([start, c.end(at) - 1])
  }
  if (defaultName !== null) facts.imports[defaultName] = { module, imported: 'default' }
  if (namespace !== null) facts.imports[namespace] = { module, imported: '*' }
  if (named) for (let i = 0; i < named.length; i++) facts.imports[named[i]!.name] = { module, imported: named[i]!.imported }
}

/** `export { … } [from …]`, `export * [as ns] from …` (type-only ones alike). */
export function exportDeclaration(c: Cursor, facts: FileFacts): void {
  c.i++
  if (c.is('type')) c.i++
  // an empty module name counts as none, as in the syntax-tree reader
  if (c.eat('*')) {
    if (c.is('as')) {
      c.i++
      const exported = moduleExportName(c)
      const { module } = moduleSpecifier(c)
      if (module) facts.reExports.push({ module, imported: '*', exported })
      return
    }
    const { module } = moduleSpecifier(c)
    if (module) facts.starExports.push(module)
    return
  }
  const list = specifiers(c, false)
  const module = c.is('from') ? moduleSpecifier(c).module : (c.semicolon(), '')
  for (const s of list) {
    if (module) facts.reExports.push({ module, imported: s.imported, exported: s.name })
    else facts.localExports[s.name] = s.imported
  }
}
