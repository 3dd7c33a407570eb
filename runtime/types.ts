/** Options of `@EntityBackup(...)`, read statically by the build plugin. */
export interface EntityBackupOptions {
  /** Encrypt this entity's backups. @default the scope's `encryptByDefault`, else `false` */
  encrypt?: boolean
  /** Store the entity's JSON Schema in each backup's metadata. @default true */
  includeSchema?: boolean
  /** `false` opts the entity out of backups (give a `reason`). @default true */
  enabled?: boolean
  /** Why the entity is opted out; shown in the inventory. */
  reason?: string
}

/** How a scope treats entities without `@EntityBackup`. */
export type BackupScopeMode = 'all' | 'none'

/** The declaration in a `backup.scope.ts` file (`export default defineBackupScope({...})`). */
export interface BackupScopeOptions {
  /** `'all'`: every entity in this folder and below is backed up; `'none'`: each must opt in. */
  mode: BackupScopeMode
  /** Default for `encrypt` of every entity this scope covers. @default false */
  encryptByDefault?: boolean
}

/** Where an entity's policy came from. */
export type PolicySource =
  | { kind: 'decorator'; file: string; line: number; column: number }
  | { kind: 'scope'; file: string; line: number; column: number }
  | { kind: 'option' }
  | { kind: 'none' }

/** What the inventory decided for an entity. */
export type EntityStatus = 'included' | 'excluded' | 'uncovered' | 'unreadable'

/** An entity of the registry (JSON-serialisable). */
export interface RegistryEntity {
  /** The class name, e.g. `Media`. */
  name: string
  /** Project-relative module path + class name, e.g. `src.models.media.Media`; also the backup folder. */
  fullName: string
  /** Root-relative file, forward slashes. */
  file: string
  line: number
  column: number
  status: EntityStatus
  /** The resolved policy; `null` unless included. */
  policy: { encrypt: boolean; includeSchema: boolean } | null
  /** Opt-out reason, for excluded entities. */
  reason?: string
  /** The scope mode that left an uncovered entity uncovered. */
  scopeMode?: BackupScopeMode
  source: PolicySource
}

/** A scope of the registry: a `backup.scope.*` file or the plugin option. */
export interface RegistryScope {
  file: string
  /** Root-relative folder the scope covers ('.' for the root). */
  dir: string
  mode: BackupScopeMode
  encryptByDefault: boolean
  line: number
  column: number
  /** `false` when the declaration could not be read; entities under it are treated as mode `none`. */
  valid: boolean
}

/** A located build diagnostic. */
export interface RegistryDiagnostic {
  code: string
  severity: 'error' | 'warning' | 'info'
  message: string
  hint: string
  file: string
  line: number
  column: number
}

/** The static inventory emitted by the build plugin as `registry` of `koan-backup/registry`. */
export interface BackupRegistry {
  formatVersion: 1
  tool: string
  defaultScope: { mode: BackupScopeMode; encryptByDefault: boolean }
  entities: RegistryEntity[]
  scopes: RegistryScope[]
  diagnostics: RegistryDiagnostic[]
}
