import { textHash } from '../../../runtime/hash.js'
import { loadTypeScript, ts } from './morph.js'
import { classFacts, classLikeFacts } from './classes.js'
import { posOf, toStatic } from './expressions.js'
import { addEnumMember, addInterface, dict, emptyFacts, type FileFacts, type StaticExpr } from './facts.js'
import { REGISTRY_IMPORT } from '../virtual.js'
import { quickFacts } from './quick/reader.js'
import { signatureMember, typeExpr, typeParams } from './type-facts.js'

/** Content hash used as the cache key of a file's facts. */
export function contentHash(text: string): string {
  return textHash('sha1', text)
}

/** TypeScript's script kind for a file name. */
export function scriptKind(file: string): ts.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX
  if (file.endsWith('.jsx')) return ts.ScriptKind.JSX
  if (/\.[mc]?js$/.test(file)) return ts.ScriptKind.JS
  return ts.ScriptKind.TS
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind)
}

function visitImport(node: ts.ImportDeclaration, sf: ts.SourceFile, facts: FileFacts): void {
  if (!ts.isStringLiteral(node.moduleSpecifier)) return
  if (!node.importClause) return void facts.moduleRefs.push(node.moduleSpecifier.text)
  const module = node.moduleSpecifier.text
  const clause = node.importClause
  if (module === REGISTRY_IMPORT && takesRegistryOnly(clause)) {
    // inside the quotes, and only when the literal is written as it reads (no escapes)
    const start = node.moduleSpecifier.getStart(sf) + 1
    if (sf.text.slice(start, node.moduleSpecifier.end - 1) === REGISTRY_IMPORT) facts.registryOnlyImports.push([start, node.moduleSpecifier.end - 1])
  }
  if (clause.name) facts.imports[clause.name.text] = { module, imported: 'default' }
  const bindings = clause.namedBindings
  if (!bindings) return
  if (ts.isNamespaceImport(bindings)) {
    facts.imports[bindings.name.text] = { module, imported: '*' }
    return
  }
  for (const el of bindings.elements) {
    facts.imports[el.name.text] = { module, imported: (el.propertyName ?? el.name).text }
  }
}

/** `import { registry } from …` (with any type-only names): nothing but the registry at run time. */
function takesRegistryOnly(clause: ts.ImportClause): boolean {
  if (clause.isTypeOnly || clause.name || !clause.namedBindings || !ts.isNamedImports(clause.namedBindings)) return false
  return clause.namedBindings.elements.every((el) => el.isTypeOnly || (el.propertyName ?? el.name).text === 'registry')
}

function visitExport(node: ts.ExportDeclaration, facts: FileFacts): void {
  const module = node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : null
  const clause = node.exportClause
  if (!clause) {
    if (module) facts.starExports.push(module)
    return
  }
  if (ts.isNamespaceExport(clause)) {
    if (module) facts.reExports.push({ module, imported: '*', exported: clause.name.text })
    return
  }
  for (const el of clause.elements) {
    const local = (el.propertyName ?? el.name).text
    if (module) facts.reExports.push({ module, imported: local, exported: el.name.text })
    else facts.localExports[el.name.text] = local
  }
}

function visitEnum(node: ts.EnumDeclaration, sf: ts.SourceFile, facts: FileFacts): void {
  const members = dict<StaticExpr>()
  let next: number | null = 0
  for (const m of node.members) {
    const key = ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : null
    if (key === null) continue
    next = addEnumMember(members, key, posOf(m, sf), m.initializer ? toStatic(m.initializer, sf) : null, next)
  }
  facts.enums[node.name.text] = members
  if (hasModifier(node, ts.SyntaxKind.ExportKeyword)) facts.localExports[node.name.text] = node.name.text
}

function visitVariables(node: ts.VariableStatement, sf: ts.SourceFile, facts: FileFacts): void {
  const exported = hasModifier(node, ts.SyntaxKind.ExportKeyword)
  const isConst = (node.declarationList.flags & ts.NodeFlags.Const) !== 0
  for (const decl of node.declarationList.declarations) {
    if (!ts.isIdentifier(decl.name)) continue
    const name = decl.name.text
    if (exported) facts.localExports[name] = name
    if (isConst && decl.initializer) facts.consts[name] = toStatic(decl.initializer, sf)
    if (decl.initializer && ts.isClassExpression(decl.initializer)) facts.otherClasses.push({ ...classLikeFacts(decl.initializer, name, decl.name, sf), kind: 'expression' })
  }
}

/**
 * The classes of a namespace that is not ambient (`namespace Billing { export class Invoice … }`), under their
 * dotted names (`Billing.Invoice`), nested namespaces too: `FileFacts.otherClasses`.
 */
function visitNamespace(node: ts.ModuleDeclaration, prefix: string, sf: ts.SourceFile, facts: FileFacts): void {
  if (!ts.isIdentifier(node.name) || hasModifier(node, ts.SyntaxKind.DeclareKeyword)) return
  const path = prefix ? `${prefix}.${node.name.text}` : node.name.text
  const body = node.body
  if (body && ts.isModuleDeclaration(body)) return visitNamespace(body, path, sf, facts)
  if (!body || !ts.isModuleBlock(body)) return
  for (const stmt of body.statements) {
    if (ts.isModuleDeclaration(stmt)) visitNamespace(stmt, path, sf, facts)
    else if (ts.isClassDeclaration(stmt) && stmt.name && !hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) {
      facts.otherClasses.push({ ...classLikeFacts(stmt, `${path}.${stmt.name.text}`, stmt.name, sf), kind: 'namespace' })
    }
  }
}

function visitStatement(stmt: ts.Statement, sf: ts.SourceFile, facts: FileFacts): void {
  if (ts.isImportDeclaration(stmt)) return visitImport(stmt, sf, facts)
  if (ts.isExportDeclaration(stmt)) return visitExport(stmt, facts)
  if (ts.isClassDeclaration(stmt)) {
    const cls = classFacts(stmt, sf)
    if (!cls) {
      // `export default class extends Y {}`: reported at its `default`
      const at = stmt.modifiers?.find((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
      if (at) facts.otherClasses.push({ ...classLikeFacts(stmt, 'default', at, sf), kind: 'default' })
      return
    }
    if (hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) facts.otherClasses.push({ ...cls, kind: 'declared' })
    else facts.classes[cls.name] = cls
    if (hasModifier(stmt, ts.SyntaxKind.ExportKeyword)) {
      facts.localExports[hasModifier(stmt, ts.SyntaxKind.DefaultKeyword) ? 'default' : cls.name] = cls.name
    }
    return
  }
  if (ts.isEnumDeclaration(stmt)) return visitEnum(stmt, sf, facts)
  if (ts.isInterfaceDeclaration(stmt)) {
    const heritage = (stmt.heritageClauses ?? []).flatMap((h) => h.types.map((t) => typeExpr(t, sf)))
    const members = stmt.members.filter(ts.isPropertySignature).flatMap((m) => signatureMember(m, sf))
    addInterface(facts, stmt.name.text, { k: 'interface', params: typeParams(stmt), members, extends: heritage, pos: posOf(stmt.name, sf) })
    if (hasModifier(stmt, ts.SyntaxKind.ExportKeyword)) facts.localExports[stmt.name.text] = stmt.name.text
    return
  }
  if (ts.isTypeAliasDeclaration(stmt)) {
    facts.types[stmt.name.text] = { k: 'alias', params: typeParams(stmt), type: typeExpr(stmt.type, sf), pos: posOf(stmt.name, sf) }
    if (hasModifier(stmt, ts.SyntaxKind.ExportKeyword)) facts.localExports[stmt.name.text] = stmt.name.text
    return
  }
  if (ts.isVariableStatement(stmt)) return visitVariables(stmt, sf, facts)
  if (ts.isModuleDeclaration(stmt)) return visitNamespace(stmt, '', sf, facts)
  if (ts.isExportAssignment(stmt) && !stmt.isExportEquals) {
    if (ts.isIdentifier(stmt.expression)) facts.localExports.default = stmt.expression.text
    facts.defaultExport = toStatic(stmt.expression, sf)
  }
}

/**
 * Reads the facts of one file by syntax alone (no type checker): with the quick declaration reader
 * when it can answer for the file, else with TypeScript's parser.
 */
export function parseFacts(file: string, text: string, hash = contentHash(text)): FileFacts {
  return quickFacts(file, text, hash) ?? tsFacts(file, text, hash)
}

/** `import('./x')` calls and `import('./x').T` types anywhere in the file; then the module refs sorted, each once. */
function dynamicImports(sf: ts.SourceFile, facts: FileFacts): void {
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const first = node.arguments[0]
      if (first && ts.isStringLiteralLike(first)) facts.moduleRefs.push(first.text)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      facts.moduleRefs.push(node.argument.literal.text)
    }
    ts.forEachChild(node, visit)
  }
  ts.forEachChild(sf, visit)
  facts.moduleRefs = [...new Set(facts.moduleRefs)].sort()
}

/** Reads the facts of one file with TypeScript's syntax tree (the reference reader). */
export function tsFacts(file: string, text: string, hash = contentHash(text)): FileFacts {
  loadTypeScript()
  // JSDoc is never read: skipping it makes parsing faster
  const sf = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKind(file))
  const facts = emptyFacts(hash)
  for (const stmt of sf.statements) visitStatement(stmt, sf, facts)
  dynamicImports(sf, facts)
  const diags = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? []
  for (const d of diags.slice(0, 5)) {
    const lc = sf.getLineAndCharacterOfPosition(d.start)
    facts.syntaxErrors.push({ message: ts.flattenDiagnosticMessageText(d.messageText, ' '), pos: { line: lc.line + 1, column: lc.character + 1 } })
  }
  return facts
}
