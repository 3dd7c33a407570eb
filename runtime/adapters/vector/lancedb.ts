import { createRequire } from 'node:module'
import type * as Arrow from 'apache-arrow'
import type * as LanceDb from '@lancedb/lancedb'
import { BackupError } from '../../errors.js'
import { storeFailure } from '../data/sql.js'
import { checkCollectionOptions } from './checks.js'
import { LanceCollection, type LanceSession } from './lancedb-collection.js'
import { lanceSchema, lanceTableName, readLanceSchema } from './lancedb-arrow.js'
import { closedVectorStore, pendingCollection } from './pending.js'
import type { VectorCollection, VectorCollectionOptions, VectorEntity, VectorStore } from './types.js'

/** Where the LanceDB store keeps its tables. */
export interface LancedbStoreOptions {
  /** The database: a local directory (created on first write). */
  uri: string
  /** Vectors read per page of a stream. @default 1000 */
  pageSize?: number
}

/** A vector store on LanceDB (`@lancedb/lancedb`, loaded on first use). */
export interface LancedbVectorStore extends VectorStore {
  readonly kind: 'lancedb'
  /** Releases the connection and every table handle; idempotent. Later use fails with a clear error. */
  close(): Promise<void>
}

/**
 * A vector store on a local LanceDB database through `@lancedb/lancedb` (native, loaded on first
 * use: importing this module loads nothing). One table per entity, named from its full name
 * (`lanceTableName`), with `id` (Utf8: the typed id key of `idKey`, so `1` and `"1"` stay apart
 * and sort as `compareIds` sorts) and `vector` (fixed-size list of float32, stored bit for bit).
 * The entity, metric and id format are kept in the table's schema metadata, so a reopened table
 * reports its own dimension and metric. Reads check for the latest version on every call
 * (`readConsistencyInterval: 0`), so writes of other handles and processes are seen at once.
 */
export function lancedbStore(options: LancedbStoreOptions): LancedbVectorStore {
  if (!options || typeof options.uri !== 'string' || options.uri === '') {
    throw new BackupError('BAD_OPTION', 'lancedbStore needs `{ uri: "path/to/vectors" }` (a local directory)')
  }
  const pageSize = options.pageSize ?? 1000
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new BackupError('BAD_OPTION', `option \`pageSize\`: expected a positive integer, found ${String(pageSize)}`)
  let session: Promise<LanceSession> | null = null
  const tables = new Map<string, LanceDb.Table>()
  let closed = false
  const live = (): void => {
    if (closed) throw closedVectorStore('lancedb', 'lancedbStore')
  }

  const connect = async (): Promise<LanceSession> => {
    const { lancedb, arrow } = loadLance()
    try {
      const connection = await lancedb.connect(options.uri, { readConsistencyInterval: 0 })
      return { arrow, connection, live, pageSize }
    } catch (error) {
      throw new BackupError('STORE_FAILED', `cannot open the LanceDB database ${options.uri}: ${(error as Error).message}`, { uri: options.uri }, { cause: error })
    }
  }

  /** The collection of an existing table, or null when the entity has none. */
  const open = async (s: LanceSession, entity: VectorEntity): Promise<VectorCollection | null> => {
    live()
    const name = lanceTableName(entity.fullName)
    const site = { store: 'lancedb', entity: entity.fullName, table: name }
    let table = tables.get(name)
    if (!table) {
      let opened: LanceDb.Table
      try {
        opened = await s.connection.openTable(name)
      } catch (error) {
        if (/was not found/i.test(String((error as Error)?.message))) return null
        throw storeFailure(site, 'opening the table', error)
      }
      // one handle per table: a concurrent call may have cached one meanwhile, or the store closed
      table = closed ? undefined : tables.get(name)
      if (table || closed) opened.close()
      live()
      if (!table) tables.set(name, (table = opened))
    }
    const schema = await table.schema().catch((error: unknown) => {
      throw storeFailure(site, 'reading the schema', error)
    })
    const found = readLanceSchema(schema, entity.fullName)
    if (typeof found === 'string') {
      throw new BackupError('STORE_FAILED', `${entity.fullName}: the LanceDB table ${name} is not its vector table: ${found}; remove it or keep the vectors in another database`, { entity: entity.fullName, table: name })
    }
    return new LanceCollection(s, entity, table, schema, found.dimension, found.metric)
  }

  const create = async (s: LanceSession, entity: VectorEntity, wanted: VectorCollectionOptions): Promise<void> => {
    const { dimension, metric } = checkCollectionOptions(entity, wanted, 1_000_000)
    const name = lanceTableName(entity.fullName)
    try {
      // existOk: a table made meanwhile (another call, another process) is kept as it is
      const table = await s.connection.createEmptyTable(name, lanceSchema(s.arrow, entity.fullName, dimension, metric), { mode: 'create', existOk: true })
      table.close()
    } catch (error) {
      throw storeFailure({ store: 'lancedb', entity: entity.fullName, table: name }, 'creating the table', error)
    }
  }

  return {
    kind: 'lancedb',
    async collection(entity, wanted) {
      live()
      session ??= connect().catch((error: unknown) => {
        session = null
        throw error
      })
      const s = await session
      const existing = await open(s, entity)
      if (existing) return existing
      if (!wanted) return pendingCollection(entity, () => open(s, entity))
      await create(s, entity, wanted)
      return (await open(s, entity))!
    },
    async close() {
      if (closed) return
      closed = true
      const s = await session?.catch(() => null)
      for (const table of tables.values()) table.close()
      tables.clear()
      s?.connection.close()
    },
  }
}

/** LanceDB, and the Arrow it uses (its peer dependency), so schemas and tables are of one copy. */
function loadLance(): { lancedb: typeof LanceDb; arrow: typeof Arrow } {
  try {
    // required, not imported: bundlers then leave the native package to Node
    const require = createRequire(import.meta.url)
    const lancedb = require('@lancedb/lancedb') as typeof LanceDb
    const arrow = createRequire(require.resolve('@lancedb/lancedb'))('apache-arrow') as typeof Arrow
    return { lancedb, arrow }
  } catch (error) {
    throw new BackupError('BAD_OPTION', `lancedbStore needs the optional package @lancedb/lancedb (0.31) and its peer apache-arrow, which could not be loaded (${(error as Error).message}); install them with \`npm install @lancedb/lancedb@0.31 apache-arrow@18\``, {}, { cause: error })
  }
}
