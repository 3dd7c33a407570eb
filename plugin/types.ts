import type { BackupScopeOptions } from '../runtime/types.js'

/** A class or decorator by name and module: `{ name: 'Entity', from: 'typeorm' }`, or `'Entity@typeorm'`. */
export type SymbolSpec = string | { name: string; from?: string }

/** Where the plugin writes its inventory report and log lines. */
export interface PluginLogger {
  info(message: string): void
  warn(message: string): void
}

/** Options of the koan-backup build plugin. Every option is optional. */
export interface KoanBackupOptions {
  /** Project root: files, scope folders and full entity names are relative to it. @default the bundler's root, else `process.cwd()` */
  root?: string
  /** The tsconfig whose files are scanned, relative to `root`; `false` scans every `.ts`/`.tsx`/`.mts` file under `root`. @default 'tsconfig.json' */
  tsconfig?: string | false
  /** Scope applied where no `backup.scope.*` file covers an entity. @default { mode: 'none' } */
  scope?: BackupScopeOptions
  /** Turn every warning into a build error. @default false */
  strict?: boolean
  /** More base classes that make a class an entity (besides `Entity` from `koan-backup`). @default [] */
  entityBases?: SymbolSpec[]
  /** Class decorators that make a class an entity, e.g. `{ name: 'Entity', from: 'typeorm' }`. @default [] */
  entityDecorators?: SymbolSpec[]
  /** Where to write the `.d.ts` typing `koan-backup/registry`, relative to `root`; `false` disables it. @default 'koan-backup.d.ts' */
  dts?: string | boolean
  /** Print the inventory report once per build (and again in watch mode when it changes). @default true */
  report?: boolean
  /** Keep parsed per-file facts between builds: in memory for the process and in this file (relative to `root`); `false` disables both. @default 'node_modules/.cache/koan-backup/facts.json' */
  cache?: string | boolean
  /** The run-time config module (`export default defineBackupConfig({...})`) the generated `backup` uses, relative to `root`; `false` for none. @default 'koan-backup.config.ts' (or .mts/.js/.mjs) when it exists */
  config?: string | false
  /** Receives the report and log lines. @default the bundler's logger where it has one, else stdout/stderr */
  logger?: PluginLogger
}
