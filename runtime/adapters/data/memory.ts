import { AsyncLocalStorage } from 'node:async_hooks'
import { BackupError } from '../../errors.js'
import { compareIds } from './ids.js'
import { closedStore } from './sql.js'
import type { Collection, CollectionCapabilities, DataStore, EntityDescriptor, EntityId } from './types.js'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Give collections `disableConstraints()` / `enableConstraints()` that do nothing but record their
   * calls in `constraintCalls` (for tests of code that manages constraints).
   * @default false
   */
  constraints?: boolean
}

/** The embedded store: rows live in this process only. */
export interface MemoryStore extends DataStore {
  readonly kind: 'memory'
  /** `disable <fullName>` / `enable <fullName>` in call order (with `constraints: true`). */
  readonly constraintCalls: string[]
  collection(entity: EntityDescriptor): Promise<Collection>
  /** Releases what the store holds; idempotent. Later use fails with a clear error. */
  close(): Promise<void>
}

/** One entity's rows: id → JSON text of the stored form (immutable, so copies are free). */
class Table {
  rows = new Map<EntityId, string>()
  private sorted: EntityId[] | null = null

  /** The ids in stream order (cached until an id is added). */
  ids(): EntityId[] {
    return (this.sorted ??= [...this.rows.keys()].sort(compareIds))
  }

  set(id: EntityId, text: string): void {
    if (!this.rows.has(id)) this.sorted = null
    this.rows.set(id, text)
  }

  /** Applies committed writes; an empty table takes the map itself (a restore into an empty store copies nothing). */
  setAll(rows: Map<EntityId, string>): void {
    if (this.rows.size === 0) {
      this.rows = rows
      this.sorted = null
    } else {
      for (const [id, text] of rows) this.set(id, text)
    }
  }
}

/** Writes staged by a running transaction (per entity), above its parent's. */
interface Frame {
  parent: Frame | undefined
  writes: Map<string, Map<EntityId, string>>
}

/**
 * The embedded default store: a map per entity keyed by id, holding each row's stored JSON text
 * (`toStored`), revived with `fromStored` on every read. So it behaves like a real store: a row is
 * validated when written, later changes to an object passed to `upsert` (or returned by `get`) do
 * not change stored data, and every read returns fresh instances. Streams iterate the rows as they
 * were when `stream()` was called (a snapshot), ordered by id. `transaction(fn)` stages the writes
 * of every collection of this store made inside `fn` (read back inside it) and applies them when
 * `fn` resolves; nested transactions stage above their parent.
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const tables = new Map<string, Table>()
  const frames = new AsyncLocalStorage<Frame>()
  const constraintCalls: string[] = []
  let closed = false
  const capabilities: CollectionCapabilities = { transactions: true, constraints: options.constraints === true, snapshot: true }

  const tableOf = (name: string): Table => {
    let table = tables.get(name)
    if (!table) tables.set(name, (table = new Table()))
    return table
  }
  const live = (): void => {
    if (closed) throw closedStore('memory')
  }
  const apply = (writes: Map<string, Map<EntityId, string>>, into: Frame | undefined): void => {
    for (const [name, rows] of writes) {
      if (into) {
        const staged = into.writes.get(name) ?? new Map<EntityId, string>()
        into.writes.set(name, staged)
        for (const [id, text] of rows) staged.set(id, text)
      } else {
        tableOf(name).setAll(rows)
      }
    }
  }

  const collection = (entity: EntityDescriptor): Collection => {
    const table = tableOf(entity.fullName)
    /** The text of a row as the current transaction sees it. */
    const read = (id: EntityId): string | undefined => {
      for (let f = frames.getStore(); f; f = f.parent) {
        const text = f.writes.get(entity.fullName)?.get(id)
        if (text !== undefined) return text
      }
      return table.rows.get(id)
    }
    /** Ids staged by the current transaction that the table does not have yet. */
    const stagedNew = (): Set<EntityId> => {
      const ids = new Set<EntityId>()
      for (let f = frames.getStore(); f; f = f.parent) {
        for (const id of f.writes.get(entity.fullName)?.keys() ?? []) if (!table.rows.has(id)) ids.add(id)
      }
      return ids
    }
    const revive = (text: string, row?: number): unknown => entity.fromStored(JSON.parse(text), row)
    /** Whether an id exists as the current transaction sees it (its frames are looked up once, not per id). */
    const presence = (): ((id: EntityId) => boolean) => {
      const staged: Array<Map<EntityId, string>> = []
      for (let f = frames.getStore(); f; f = f.parent) {
        const rows = f.writes.get(entity.fullName)
        if (rows) staged.push(rows)
      }
      return (id) => {
        if (table.rows.has(id)) return true
        for (const rows of staged) if (rows.has(id)) return true
        return false
      }
    }
    /** Every id is a string or number (checked before any row is kept). */
    const checkIdValues = (ids: Iterable<unknown>): void => {
      for (const id of ids) {
        if (typeof id !== 'string' && typeof id !== 'number') {
          throw new BackupError('ROW_UNSERIALIZABLE', `cannot store ${entity.fullName}: a row has no string or number id (found ${JSON.stringify(id)})`, { entity: entity.fullName })
        }
      }
    }
    /** Where a write goes: the current transaction's staged rows of this entity (created here), or the table. */
    const sink = (): ((id: EntityId, text: string) => void) => {
      const frame = frames.getStore()
      if (!frame) return (id, text) => table.set(id, text)
      // staged in the transaction's own map (no copy per batch)
      let staged = frame.writes.get(entity.fullName)
      if (!staged) frame.writes.set(entity.fullName, (staged = new Map()))
      const into = staged
      return (id, text) => void into.set(id, text)
    }
    /**
     * Inserts the rows whose id is not there (as the current transaction sees it); returns the ids skipped.
     * The sink first: a transaction's staged map exists before the lookups, so an id twice in one batch
     * finds its first row (kept) as it would a row of an earlier batch.
     */
    const insertNew = (ids: EntityId[], texts: string[]): EntityId[] => {
      const put = sink()
      const exists = presence()
      const skipped: EntityId[] = []
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!
        if (exists(id)) skipped.push(id)
        else put(id, texts[i]!)
      }
      return skipped
    }
    /** Rows given by id and text: one text per id, every id a string or number (checked before any is kept). */
    const checkIdTexts = (ids: EntityId[], texts: string[]): void => {
      checkTexts(ids, texts)
      checkIdValues(ids)
    }
    /** Stored rows as ids and texts (all checked before any is kept); `texts[i]` is row i's JSON text when known. */
    const idsAndTexts = (rows: Array<Record<string, unknown>>, texts?: string[]): [EntityId[], string[]] => {
      checkTexts(rows, texts)
      const ids = rows.map((row) => row.id) as EntityId[]
      checkIdValues(ids)
      return [ids, texts ?? rows.map((row) => JSON.stringify(row))]
    }
    /** Stages rows in the current transaction, or writes them. */
    const putAll = (ids: EntityId[], texts: string[]): void => {
      const put = sink()
      for (let i = 0; i < ids.length; i++) put(ids[i]!, texts[i]!)
    }

    const c: Collection = {
      capabilities,
      stream() {
        live()
        const extra = frames.getStore() ? [...stagedNew()] : []
        const ids = extra.length > 0 ? [...table.ids(), ...extra].sort(compareIds) : table.ids()
        const texts = ids.map((id) => read(id)!)
        return (async function* () {
          for (let i = 0; i < texts.length; i++) {
            live()
            yield revive(texts[i]!, i)
          }
        })()
      },
      async get(id) {
        live()
        const text = read(id)
        return text === undefined ? undefined : revive(text)
      },
      async upsert(rows) {
        live()
        // every row is converted before any is written: a bad row leaves the batch unwritten
        putAll(...idsAndTexts(rows.map((row) => entity.toStored(row))))
      },
      async upsertStored(rows, texts) {
        live()
        putAll(...idsAndTexts(rows, texts))
      },
      async insertNewStored(rows, texts) {
        live()
        return insertNew(...idsAndTexts(rows, texts))
      },
      async upsertTexts(ids, texts) {
        live()
        checkIdTexts(ids, texts)
        putAll(ids, texts)
      },
      async insertNewTexts(ids, texts) {
        live()
        checkIdTexts(ids, texts)
        return insertNew(ids, texts)
      },
      async existing(ids) {
        live()
        const exists = presence()
        return new Set(ids.filter(exists))
      },
      async count() {
        live()
        return table.rows.size + (frames.getStore() ? stagedNew().size : 0)
      },
      async transaction(fn) {
        live()
        const parent = frames.getStore()
        const frame: Frame = { parent, writes: new Map() }
        const result = await frames.run(frame, fn)
        live()
        apply(frame.writes, parent)
        return result
      },
    }
    if (options.constraints) {
      c.disableConstraints = async () => void constraintCalls.push(`disable ${entity.fullName}`)
      c.enableConstraints = async () => void constraintCalls.push(`enable ${entity.fullName}`)
    }
    return c
  }

  return {
    kind: 'memory',
    constraintCalls,
    async collection(entity) {
      live()
      return collection(entity)
    },
    async close() {
      closed = true
      tables.clear()
    },
  }
}

/** `texts`, when given, has one text per row (a caller error otherwise, not a data error). */
function checkTexts(rows: unknown[], texts: string[] | undefined): void {
  if (texts !== undefined && texts.length !== rows.length) throw new Error(`${texts.length} texts for ${rows.length} rows`)
}
