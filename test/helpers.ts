import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveOptions } from '../plugin/core/options.js'
import { Scanner } from '../plugin/core/scan/scanner.js'
import type { KoanBackupOptions } from '../plugin/types.js'
import type { BackupRegistry, RegistryEntity } from '../runtime/types.js'

/** Absolute path of a fixture project. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
}

/**
 * A copy of a fixture in a temp folder under test/ (`.tmp-<prefix>-…`, removed by the caller), with an
 * empty default cache folder: created up front, so a first build does not change the root folder.
 */
export function fixtureCopy(name: string, prefix: string): string {
  const root = mkdtempSync(join(fixture('..'), `.tmp-${prefix}-`))
  cpSync(fixture(name), root, { recursive: true })
  rmSync(join(root, 'node_modules'), { recursive: true, force: true })
  mkdirSync(join(root, 'node_modules/.cache/koan-backup'), { recursive: true })
  return root
}

/** Scans a fixture with the given plugin options (no .d.ts written). */
export function scanFixture(name: string, options: KoanBackupOptions = {}): BackupRegistry {
  return new Scanner(resolveOptions({ dts: false, cache: false, ...options, root: fixture(name) })).scan()
}

/** `name → status` of every entity, for compact assertions. */
export function statuses(registry: BackupRegistry): Record<string, string> {
  return Object.fromEntries(registry.entities.map((e) => [e.name, e.status]))
}

/** The entity with that class name (first match). */
export function entity(registry: BackupRegistry, name: string): RegistryEntity {
  const found = registry.entities.find((e) => e.name === name)
  if (!found) throw new Error(`no entity ${name} in ${registry.entities.map((e) => e.name).join(', ')}`)
  return found
}

/** Diagnostics as `code file:line:col` strings. */
export function codes(registry: BackupRegistry): string[] {
  return registry.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`)
}
