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
  /** How the entity's embedding text is built, so backups keep its vectors keyed by that text. */
  embedding?: EmbeddingRecipe
}

/** An embedding recipe: the text is the named fields' values joined by `joiner`, embedded by `model`. */
export interface EmbeddingRecipe {
  /** Text fields, in order (arrays of strings are joined with ', '; null/undefined give ''). */
  fields: string[]
  /** The embedding model id, e.g. `text-embedding-3-small`; also the folder of the vectors. */
  model: string
  /** Between fields. @default '\n' */
  joiner?: string
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
  /** The embedding recipe with its hash (fields, order, joiner, model); included entities that declare one. */
  embedding?: Required<EmbeddingRecipe> & { recipe: string }
  /** Id of the entity's shape in `shapes` (its stored fields); included entities only. */
  shape?: string
  /** Stable hash of the canonical field model: which shape a backup holds. Included entities only. */
  fingerprint?: string
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
  /** Named shapes (entities, classes, interfaces, object type aliases) referenced by entities, by id. */
  shapes: ShapeInfo[]
  diagnostics: RegistryDiagnostic[]
}

/** The stored (JSON) type of a field, as the build plugin read it from the entity's TypeScript. */
export type FieldType =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'bigint' }
  | { kind: 'date' }
  /** `Uint8Array` (or `Buffer` with `buffer: true`), stored as base64. */
  | { kind: 'bytes'; buffer?: boolean }
  /** `unknown` / `any`: any JSON value. */
  | { kind: 'unknown' }
  /** A type that cannot be represented exactly, carried as plain JSON (a build warning says why). */
  | { kind: 'json' }
  | { kind: 'literal'; values: Array<string | number | boolean> }
  | { kind: 'enum'; name: string; values: Array<string | number> }
  /** A union of JSON-native members (string, number, boolean, literals). */
  | { kind: 'union'; of: FieldType[] }
  | { kind: 'array'; of: FieldType }
  | { kind: 'tuple'; items: FieldType[] }
  | { kind: 'record'; of: FieldType }
  | { kind: 'map'; key: FieldType; value: FieldType }
  | { kind: 'set'; of: FieldType }
  | { kind: 'object'; fields: FieldInfo[] }
  /** A named shape (interface, type alias, class or entity) of `registry.shapes`, by id. */
  | { kind: 'shape'; id: string }

/** One stored property of an entity or shape. */
export interface FieldInfo {
  name: string
  optional: boolean
  nullable: boolean
  type: FieldType
}

/** A named object shape: an interface, a type alias of an object type, a class, or an entity. */
export interface ShapeInfo {
  /** `file#Name`, root-relative. */
  id: string
  name: string
  /** Set when the shape is an entity class: revived as an instance of that class. */
  entity?: string
  /** Set for classes (entities or not): revived with the class prototype. */
  isClass: boolean
  /** The name the class is exported under from its file; absent when it is not exported (revived as a plain object). */
  exportName?: string
  fields: FieldInfo[]
}
