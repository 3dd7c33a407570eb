import { existsSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import type { BackupScopeMode } from '../../runtime/types.js'
import type { KoanBackupOptions, PluginLogger, SymbolSpec } from '../types.js'
import { defaultCacheFile } from './scan/facts-cache.js'

/** A resolved symbol spec; `from` undefined matches the name from any module. */
export interface ResolvedSpec {
  name: string
  from?: string
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  root: string
  tsconfig: string | null
  scope: { mode: BackupScopeMode; encryptByDefault: boolean }
  strict: boolean
  entityBases: ResolvedSpec[]
  entityDecorators: ResolvedSpec[]
  dts: string | null
  report: boolean
  logger: PluginLogger | null
  /** File of the on-disk facts cache, or `null`. */
  cache: string | null
  /** Root-relative run-time config module imported by the generated module, or `null`. */
  config: string | null
}

/** The package every marker comes from. */
export const PACKAGE_NAME = 'koan-backup'

/** Defaults of every option. */
export const defaultOptions = {
  tsconfig: 'tsconfig.json',
  scope: { mode: 'none', encryptByDefault: false },
  strict: false,
  entityBases: [] as SymbolSpec[],
  entityDecorators: [] as SymbolSpec[],
  dts: 'koan-backup.d.ts',
  report: true,
  cache: true,
} as const

function fail(name: string, message: string): never {
  throw new Error(`[koan-backup] option \`${name}\`: ${message}`)
}

/** Parses `'Name'`, `'Name@module'` (module may be scoped: `'Entity@@mikro-orm/core'`) or `{ name, from }`. */
export function parseSpec(spec: SymbolSpec, option: string): ResolvedSpec {
  if (typeof spec === 'string') {
    const at = spec.indexOf('@', 1)
    const name = at === -1 ? spec : spec.slice(0, at)
    const from = at === -1 ? undefined : spec.slice(at + 1)
    return parseSpec(from === undefined ? { name } : { name, from }, option)
  }
  if (!spec || typeof spec !== 'object' || typeof spec.name !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(spec.name)) {
    fail(option, `expected 'Name', 'Name@module' or { name, from }, got ${JSON.stringify(spec)}`)
  }
  if (spec.from !== undefined && (typeof spec.from !== 'string' || spec.from === '')) {
    fail(option, `\`from\` of ${spec.name} must be a module name, got ${JSON.stringify(spec.from)}`)
  }
  return spec.from === undefined ? { name: spec.name } : { name: spec.name, from: spec.from }
}

function specList(value: unknown, option: string): ResolvedSpec[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) fail(option, `expected an array, got ${JSON.stringify(value)}`)
  return value.map((s) => parseSpec(s as SymbolSpec, option))
}

function bool(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') fail(option, `expected true or false, got ${JSON.stringify(value)}`)
  return value
}

/** The run-time config files looked for in the root, in order. */
export const CONFIG_FILES = ['koan-backup.config.ts', 'koan-backup.config.mts', 'koan-backup.config.js', 'koan-backup.config.mjs']

function runtimeConfig(value: unknown, root: string): string | null {
  if (value === false) return null
  if (value === undefined) return CONFIG_FILES.find((f) => existsSync(resolve(root, f))) ?? null
  if (typeof value !== 'string') fail('config', `expected a path or false, got ${JSON.stringify(value)}`)
  if (!existsSync(resolve(root, value))) fail('config', `${value} does not exist under ${root}`)
  return relative(root, resolve(root, value)).replaceAll('\\', '/')
}

/** Applies defaults and validates; `bundlerRoot` is used when `root` is not given. */
export function resolveOptions(options: KoanBackupOptions = {}, bundlerRoot?: string): ResolvedOptions {
  if (options === null || typeof options !== 'object') fail('options', `expected an object, got ${JSON.stringify(options)}`)
  const root = resolve(options.root ?? bundlerRoot ?? process.cwd())
  const tsconfig = options.tsconfig ?? defaultOptions.tsconfig
  if (tsconfig !== false && typeof tsconfig !== 'string') fail('tsconfig', `expected a path or false, got ${JSON.stringify(tsconfig)}`)
  const scope = options.scope ?? defaultOptions.scope
  if (!scope || (scope.mode !== 'all' && scope.mode !== 'none')) {
    fail('scope', `\`mode\` must be 'all' or 'none', got ${JSON.stringify(scope?.mode)}`)
  }
  const dts = options.dts ?? defaultOptions.dts
  if (typeof dts !== 'string' && typeof dts !== 'boolean') fail('dts', `expected a path or a boolean, got ${JSON.stringify(dts)}`)
  if (options.logger && (typeof options.logger.info !== 'function' || typeof options.logger.warn !== 'function')) {
    fail('logger', 'expected an object with info() and warn()')
  }
  const at = (p: string) => (isAbsolute(p) ? p : resolve(root, p))
  const cache = options.cache ?? defaultOptions.cache
  if (typeof cache !== 'string' && typeof cache !== 'boolean') fail('cache', `expected a path or a boolean, got ${JSON.stringify(cache)}`)
  return {
    root,
    tsconfig: tsconfig === false ? null : at(tsconfig),
    scope: { mode: scope.mode, encryptByDefault: bool(scope.encryptByDefault, 'scope.encryptByDefault', false) },
    strict: bool(options.strict, 'strict', defaultOptions.strict),
    entityBases: [{ name: 'Entity', from: PACKAGE_NAME }, ...specList(options.entityBases, 'entityBases')],
    entityDecorators: specList(options.entityDecorators, 'entityDecorators'),
    dts: dts === false ? null : at(dts === true ? defaultOptions.dts : dts),
    report: bool(options.report, 'report', defaultOptions.report),
    logger: options.logger ?? null,
    cache: cache === false ? null : cache === true ? defaultCacheFile(root) : at(cache),
    config: runtimeConfig(options.config, root),
  }
}
