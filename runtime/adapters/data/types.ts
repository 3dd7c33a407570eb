import type { FieldInfo } from '../../types.js'

/** An entity's id: a string or a number (the entity's `id` field). */
export type EntityId = string | number

/** What a store knows of the entity a collection holds. */
export interface EntityDescriptor {
  /** Full name (`src.models.media.Media`): unique, filesystem-safe; stores derive table names from it. */
  fullName: string
  /** Class name, for messages. */
  name: string
  /** The stored fields in declared order (includes `id`). */
  fields: FieldInfo[]
  /** Turns an entity into its stored JSON form (an object), and back (validated, an instance). */
  toStored(entity: unknown): Record<string, unknown>
  fromStored(stored: unknown, row?: number): unknown
}

/** Optional abilities of a collection, reported by `capabilities`. */
export interface CollectionCapabilities {
  /** `transaction()` runs its callback atomically. */
  transactions: boolean
  /** `disableConstraints()` / `enableConstraints()` exist. */
  constraints: boolean
  /** `stream()` reads one consistent snapshot (e.g. a repeatable-read transaction). */
  snapshot: boolean
}

/** One entity's rows in a store (a table, a collection, a map). */
export interface Collection {
  readonly capabilities: CollectionCapabilities
  /** Every row, in a stable order (by id where the store can), as entity instances. */
  stream(): AsyncIterable<unknown>
  get(id: EntityId): Promise<unknown | undefined>
  /** Inserts or replaces rows by id; atomic for the batch where the store has transactions. */
  upsert(rows: unknown[]): Promise<void>
  /**
   * Inserts or replaces rows given in their canonical stored form (the parsed JSON `serialize`
   * writes, already validated: a restore checks every row first), skipping the entity → stored
   * conversion. Same atomicity as `upsert`. Optional: without it, the engine revives and `upsert`s.
   * `texts`, when given, holds for each row the JSON text it was parsed from (its line in the backup):
   * a store that keeps rows as JSON text may keep that text instead of writing the row out again.
   */
  upsertStored?(rows: Array<Record<string, unknown>>, texts?: string[]): Promise<void>
  /**
   * Inserts the stored rows (as `upsertStored` takes them) whose id the store does not hold, leaves
   * every existing row untouched, and returns the ids it skipped; of two rows with one id, the first
   * is inserted. Same atomicity as `upsert`. Optional: a restore that keeps existing rows then needs
   * no `existing()` lookup per batch (the store finds the conflicts while it inserts).
   */
  insertNewStored?(rows: Array<Record<string, unknown>>, texts?: string[]): Promise<EntityId[]>
  /**
   * For a store that keeps each row as the JSON text of its stored form: `upsertStored` with each row
   * given by its id and that text alone (validated already: the engine passes only texts it checked,
   * and never parses them again for a store that has this). Optional, with `insertNewTexts`.
   */
  upsertTexts?(ids: EntityId[], texts: string[]): Promise<void>
  /** `insertNewStored` with rows given as for `upsertTexts`; returns the ids it skipped. */
  insertNewTexts?(ids: EntityId[], texts: string[]): Promise<EntityId[]>
  /** The subset of `ids` that exist. */
  existing(ids: EntityId[]): Promise<Set<EntityId>>
  count(): Promise<number>
  /** Runs `fn` in a transaction (all its upserts commit together or not at all). */
  transaction?<R>(fn: () => Promise<R>): Promise<R>
  /** Drops indexes/constraints for a bulk load; `enableConstraints` must always follow. */
  disableConstraints?(): Promise<void>
  enableConstraints?(): Promise<void>
}

/** A data store: hands out one collection per entity. Adapters are thin; the engine does the rest. */
export interface DataStore {
  /** Adapter name for reports (`memory`, `sqlite`, `postgres`). */
  readonly kind: string
  collection(entity: EntityDescriptor): Collection | Promise<Collection>
  /** Releases connections and handles. */
  close?(): Promise<void>
}
