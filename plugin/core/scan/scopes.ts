import { dirname, posix } from 'node:path'
import type { RegistryScope } from '../../../runtime/types.js'
import { diagnostic, type Diagnostic } from '../diagnostics.js'
import { PACKAGE_NAME } from '../options.js'
import type { Evaluator } from './evaluate.js'
import type { FileFacts } from './facts.js'
import type { Linker } from './link.js'
import { relative } from './names.js'

/** File names that declare a scope, in order of precedence. */
export const SCOPE_FILE_NAMES = ['backup.scope.ts', 'backup.scope.mts', 'backup.scope.js'] as const

/** True for a `backup.scope.*` file. */
export function isScopeFile(file: string): boolean {
  return (SCOPE_FILE_NAMES as readonly string[]).includes(posix.basename(file))
}

const HINT = "write `export default defineBackupScope({ mode: 'all' | 'none', encryptByDefault?: boolean })` with `defineBackupScope` imported from 'koan-backup'"

/** Reads a scope file's default export; an unreadable one is returned with `valid: false` and an error. */
export function readScope(
  file: string, rel: string, facts: FileFacts, linker: Linker, evaluator: Evaluator, diagnostics: Diagnostic[],
): RegistryScope {
  const relDir = posix.dirname(rel)
  const scope: RegistryScope = { file: rel, dir: relDir, mode: 'none', encryptByDefault: false, line: 1, column: 1, valid: false }
  const fail = (line: number, column: number, message: string) => {
    diagnostics.push(diagnostic('KB010', { file: rel, line, column }, `backup scope ${rel}: ${message}; entities under ${relDir === '.' ? 'the root' : relDir + '/'} are treated as mode 'none'`, HINT))
    return scope
  }
  const exported = facts.defaultExport
  if (!exported) return fail(1, 1, 'has no `export default`')
  scope.line = exported.pos.line
  scope.column = exported.pos.column
  let arg = exported
  if (exported.k === 'call') {
    const callee = exported.callee ? linker.resolvePath(file, exported.callee) : null
    if (!callee || callee.k !== 'external' || callee.module !== PACKAGE_NAME || callee.name !== 'defineBackupScope') {
      return fail(scope.line, scope.column, 'the default export must be a call to defineBackupScope from koan-backup')
    }
    if (exported.args.length !== 1) return fail(scope.line, scope.column, `defineBackupScope takes one options object, got ${exported.args.length} arguments`)
    arg = exported.args[0]!
  }
  const r = evaluator.evaluate(arg, file)
  if (!r.ok) return fail(r.pos.line, r.pos.column, `\`${r.text}\` is not statically known (${r.why})`)
  const value = r.value as Record<string, unknown> | null
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(arg.pos.line, arg.pos.column, 'the declaration must be an object')
  for (const key of Object.keys(value)) {
    if (key !== 'mode' && key !== 'encryptByDefault') return fail(arg.pos.line, arg.pos.column, `unknown option \`${key}\``)
  }
  if (value.mode !== 'all' && value.mode !== 'none') return fail(arg.pos.line, arg.pos.column, `\`mode\` must be 'all' or 'none', got ${JSON.stringify(value.mode)}`)
  if (value.encryptByDefault !== undefined && typeof value.encryptByDefault !== 'boolean') {
    return fail(arg.pos.line, arg.pos.column, `\`encryptByDefault\` must be true or false, got ${JSON.stringify(value.encryptByDefault)}`)
  }
  return { ...scope, mode: value.mode, encryptByDefault: value.encryptByDefault ?? false, valid: true }
}

/** Reads every scope file: one per folder (a second one is KB011), each with its declaration. */
export function readScopes(
  files: string[], root: string, facts: (file: string) => FileFacts | undefined, linker: Linker, evaluator: Evaluator, diagnostics: Diagnostic[],
): { byDir: Map<string, RegistryScope>; scopes: RegistryScope[] } {
  const byDir = new Map<string, RegistryScope>()
  const scopes: RegistryScope[] = []
  const rank = (f: string) => SCOPE_FILE_NAMES.indexOf(posix.basename(f) as (typeof SCOPE_FILE_NAMES)[number])
  // grouped by folder (code-unit order: no locale), the preferred file name first in each
  const byFolder = (a: string, b: string) => { const x = posix.dirname(a), y = posix.dirname(b); return x < y ? -1 : x > y ? 1 : 0 }
  const ordered = [...files].sort((a, b) => byFolder(a, b) || rank(a) - rank(b))
  for (const file of ordered) {
    const rel = relative(root, file)
    const dir = posix.dirname(file)
    const first = byDir.get(dir)
    if (first) {
      diagnostics.push(diagnostic('KB011', { file: rel, line: 1, column: 1 }, `${rel} and ${first.file} both declare the scope of ${relative(root, dir) || 'the root'}`,
        `keep one scope file per folder (${first.file} is used); delete or merge ${posix.basename(rel)}`))
      continue
    }
    const f = facts(file)
    if (!f) continue
    const scope = readScope(file, rel, f, linker, evaluator, diagnostics)
    byDir.set(dir, scope)
    scopes.push(scope)
  }
  return { byDir, scopes: scopes.sort((a, b) => (a.file < b.file ? -1 : 1)) }
}

/** Finds the nearest scope of a file: its folder, then each parent up to the root. */
export function nearestScope(file: string, root: string, byDir: Map<string, RegistryScope>): RegistryScope | undefined {
  let dir = dirname(file)
  for (;;) {
    const scope = byDir.get(dir)
    if (scope) return scope
    if (dir === root || dir.length <= root.length) return undefined
    dir = dirname(dir)
  }
}
