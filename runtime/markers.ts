import type { BackupScopeOptions, EntityBackupOptions } from './types.js'

/**
 * Base class of backed-up entities: `class Media extends Entity<Media> {}`.
 * The build plugin recognises subclasses (directly or through intermediate classes).
 */
export abstract class Entity<T = unknown> {
  /** Phantom type link to the concrete entity type; never set at run time. */
  declare protected readonly __entity?: T
}

const declared = new WeakMap<object, EntityBackupOptions>()

/** Decorator accepted under TC39 decorators (`(value, context)`) and `experimentalDecorators` (`(target)`). */
export type EntityBackupDecorator = (target: abstract new (...args: never[]) => unknown, context?: unknown) => void

function remember(target: unknown, options: EntityBackupOptions, context?: unknown): void {
  if (typeof target === 'function') declared.set(target, options)
  // Node 20 has no Symbol.metadata: only write metadata when the runtime provides it
  const metadataKey = (Symbol as { metadata?: symbol }).metadata
  const metadata = (context as { metadata?: Record<PropertyKey, unknown> } | undefined)?.metadata
  if (metadataKey && metadata && typeof metadata === 'object') metadata['koan-backup'] = options
}

/**
 * Declares an entity's backup policy. A run-time no-op marker: the build plugin reads its
 * arguments from the source (they must be statically known) and removes it from emitted code.
 * Usable as `@EntityBackup()`, `@EntityBackup({ ... })` or bare `@EntityBackup`.
 */
export function EntityBackup(options?: EntityBackupOptions): EntityBackupDecorator
export function EntityBackup(target: abstract new (...args: never[]) => unknown, context?: unknown): void
export function EntityBackup(arg?: unknown, context?: unknown): EntityBackupDecorator | void {
  if (typeof arg === 'function') return remember(arg, {}, context)
  const options = (arg ?? {}) as EntityBackupOptions
  return (target, ctx) => remember(target, options, ctx)
}

/** The options an `@EntityBackup` declared on a class at run time, when the decorator ran. */
export function getEntityBackupOptions(target: object): EntityBackupOptions | undefined {
  return declared.get(target)
}

/**
 * Declares the backup scope of a folder and everything below it. Use as the default export
 * of a `backup.scope.ts` (or `.mts`, `.js`) file; the nearest scope file wins.
 */
export function defineBackupScope(options: BackupScopeOptions): BackupScopeOptions {
  if (options?.mode !== 'all' && options?.mode !== 'none') {
    throw new TypeError(`[koan-backup] defineBackupScope: \`mode\` must be 'all' or 'none', got ${JSON.stringify(options?.mode)}`)
  }
  return options
}
