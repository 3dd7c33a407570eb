import type { EntityBackupOptions } from '../../../runtime/types.js'
import type { DeclaredPolicy } from '../coverage.js'
import { diagnostic, type Diagnostic } from '../diagnostics.js'
import { PACKAGE_NAME } from '../options.js'
import type { Evaluator } from './evaluate.js'
import type { ClassFacts, DecoratorFacts, Pos, StaticExpr } from './facts.js'
import type { Linker } from './link.js'

const OPTION_TYPES: Record<keyof EntityBackupOptions, 'boolean' | 'string' | 'object'> = {
  encrypt: 'boolean', includeSchema: 'boolean', enabled: 'boolean', reason: 'string', embedding: 'object',
}

/** Checks `embedding: { fields, model, joiner? }`; returns why not, or null. */
function embeddingProblem(v: Record<string, unknown>): string | null {
  for (const key of Object.keys(v)) if (!['fields', 'model', 'joiner'].includes(key)) return `unknown key \`${key}\` (known: fields, model, joiner)`
  if (!Array.isArray(v.fields) || v.fields.length === 0 || !v.fields.every((f) => typeof f === 'string' && f !== '')) return '`fields` must be a non-empty array of field names'
  if (typeof v.model !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(v.model)) return '`model` must be a model id (letters, digits, . _ : -; it names the vectors folder)'
  if (v.joiner !== undefined && typeof v.joiner !== 'string') return '`joiner` must be a string'
  return null
}
const OPTION_NAMES = Object.keys(OPTION_TYPES) as Array<keyof EntityBackupOptions>

/** True when the decorator's callee is `EntityBackup` from koan-backup (through any import or re-export). */
export function isEntityBackup(linker: Linker, file: string, dec: DecoratorFacts): boolean {
  if (!dec.callee) return false
  const target = linker.resolvePath(file, dec.callee)
  return target.k === 'external' && target.module === PACKAGE_NAME && target.name === 'EntityBackup'
}

function closest(key: string): string | undefined {
  const lower = key.toLowerCase()
  return OPTION_NAMES.find((n) => n.toLowerCase() === lower || n.toLowerCase().startsWith(lower.slice(0, 4)))
}

interface ReadContext {
  file: string
  rel: string
  className: string
  evaluator: Evaluator
  diagnostics: Diagnostic[]
}

function at(ctx: ReadContext, pos: Pos) {
  return { file: ctx.rel, line: pos.line, column: pos.column }
}

function notStatic(ctx: ReadContext, pos: Pos, what: string, r: Extract<ReturnType<Evaluator['evaluate']>, { ok: false }>): void {
  const where = r.file === ctx.file ? '' : ` (in ${r.file.split('/').slice(-2).join('/')}:${r.pos.line}:${r.pos.column})`
  ctx.diagnostics.push(diagnostic('KB002', at(ctx, pos),
    `${ctx.className}: ${what} is not statically known: \`${r.text}\` is ${r.why}${where}; the entity is not backed up until this is fixed`,
    'use literals, top-level `const` values or enum members in @EntityBackup(...) so the build can read them'))
}

/** Reads the `{...}` argument statically, key by key, so each problem is located at its key. */
function readOptions(ctx: ReadContext, arg: StaticExpr): EntityBackupOptions | null {
  const whole = ctx.evaluator.evaluate(arg, ctx.file)
  if (!whole.ok) {
    // locate the failure at the offending key when the argument is an object literal
    const entry = arg.k === 'obj' ? arg.entries.find((e) => !ctx.evaluator.evaluate('spread' in e ? e.spread : e.value, ctx.file).ok) : undefined
    const label = entry && 'key' in entry ? `option \`${entry.key}\`` : 'the options argument'
    notStatic(ctx, entry?.pos ?? arg.pos, label, whole)
    return null
  }
  const value = whole.value
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.diagnostics.push(diagnostic('KB004', at(ctx, arg.pos), `${ctx.className}: @EntityBackup expects an options object, got ${JSON.stringify(value)}`,
      'pass an object such as { encrypt: true }, or nothing'))
    return null
  }
  const options: EntityBackupOptions = {}
  let valid = true
  for (const [key, v] of Object.entries(value)) {
    const pos = (arg.k === 'obj' && arg.entries.find((e) => 'key' in e && e.key === key)?.pos) || arg.pos
    const type = Object.prototype.hasOwnProperty.call(OPTION_TYPES, key) ? OPTION_TYPES[key as keyof EntityBackupOptions] : undefined
    if (!type) {
      const near = closest(key)
      ctx.diagnostics.push(diagnostic('KB003', at(ctx, pos), `${ctx.className}: unknown @EntityBackup option \`${key}\``,
        near ? `did you mean \`${near}\`? Known options: ${OPTION_NAMES.join(', ')}` : `known options: ${OPTION_NAMES.join(', ')}`))
      continue
    }
    if (v === undefined) continue
    if (type === 'object') {
      const problem = v !== null && typeof v === 'object' && !Array.isArray(v) ? embeddingProblem(v as Record<string, unknown>) : 'expected an object'
      if (problem) {
        ctx.diagnostics.push(diagnostic('KB004', at(ctx, pos), `${ctx.className}: @EntityBackup option \`${key}\`: ${problem}`,
          "write `embedding: { fields: ['title', 'description'], model: 'text-embedding-3-small' }`; the entity is not backed up until this is fixed"))
        valid = false
        continue
      }
    } else if (typeof v !== type) {
      ctx.diagnostics.push(diagnostic('KB004', at(ctx, pos), `${ctx.className}: @EntityBackup option \`${key}\` must be a ${type}, got ${JSON.stringify(v)}`,
        `write \`${key}: ${type === 'boolean' ? 'true' : "'…'"}\`; the entity is not backed up until this is fixed`))
      valid = false
      continue
    }
    ;(options as Record<string, unknown>)[key] = v
  }
  return valid ? options : null
}

/**
 * Reads a class's `@EntityBackup(...)` declaration from its decorators that are koan-backup's
 * (`decorators`, told apart with `isEntityBackup`), collecting located diagnostics.
 */
export function readDeclaredPolicy(
  cls: ClassFacts, decorators: DecoratorFacts[], file: string, rel: string, evaluator: Evaluator, diagnostics: Diagnostic[],
): DeclaredPolicy {
  const first = decorators[0]
  if (!first) return { kind: 'absent' }
  const ctx: ReadContext = { file, rel, className: cls.name, evaluator, diagnostics }
  if (decorators.length > 1) {
    diagnostics.push(diagnostic('KB006', at(ctx, decorators[1]!.pos), `${cls.name}: @EntityBackup is used ${decorators.length} times`,
      'keep a single @EntityBackup({...}) with all options; the entity is not backed up until this is fixed'))
    return { kind: 'unreadable' }
  }
  const source = { kind: 'decorator' as const, file: rel, line: first.pos.line, column: first.pos.column }
  const args = first.args ?? []
  if (args.length > 1) {
    diagnostics.push(diagnostic('KB004', at(ctx, args[1]!.pos), `${cls.name}: @EntityBackup takes one options object, got ${args.length} arguments`,
      'merge the arguments into one object'))
    return { kind: 'unreadable' }
  }
  if (args.length === 0) return { kind: 'declared', options: {}, source }
  const options = readOptions(ctx, args[0]!)
  return options ? { kind: 'declared', options, source } : { kind: 'unreadable' }
}
