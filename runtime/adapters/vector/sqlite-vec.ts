import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { BackupError } from '../../errors.js'
import { quoteIdentifier, storeFailure } from '../data/sql.js'
import { checkCollectionOptions } from './checks.js'
import { closedVectorStore, pendingCollection } from './pending.js'
import { SqliteVecCollection, type SqliteVecSession, type SqliteVecTables } from './sqlite-vec-collection.js'
import type { VectorCollection, VectorCollectionOptions, VectorEntity, VectorMetric, VectorStore } from './types.js'

/** Where the sqlite-vec store keeps its vectors. */
export type SqliteVecStoreOptions = (
  /** A database file, opened (and created if missing) by the store, in WAL mode; closed by `close()`. */
  | { file: string; database?: never }
  /** An open better-sqlite3 database (sqlite-vec is loaded into it); `close()` leaves it open. */
  | { database: BetterSqlite3.Database; file?: never }
) & {
  /** Vectors read per page of a stream. @default 1000 */
  pageSize?: number
}

/** A vector store on SQLite with sqlite-vec. */
export interface SqliteVecStore extends VectorStore {
  readonly kind: 'sqlite-vec'
  /** Releases what the store holds (the database it opened); idempotent. Later use fails with a clear error. */
  close(): Promise<void>
}

/** vec0 holds at most 8192 dimensions. */
const maxDimension = 8192
const catalog = quoteIdentifier('koan_vector_collections')

/** The tables of an entity: named by its full name, apart from the data store's table of the same name. */
export function sqliteVecTables(fullName: string): SqliteVecTables {
  return { vectors: `${fullName}:vectors`, ids: `${fullName}:vector_ids` }
}

/**
 * A vector store on SQLite through better-sqlite3 with the sqlite-vec extension (`vec0` virtual
 * tables), both loaded on first use. A catalog table (`koan_vector_collections`) keeps every
 * entity's dimension and metric, so a reopened database reports its own; the vectors of an entity
 * are in `<full name>:vectors` (vec0) and `<full name>:vector_ids` (typed id keys → rowids), so
 * they can share a file with the SQLite data store. See `SqliteVecCollection` for streams and
 * queries (`dot` is brute force: vec0 has no inner-product metric).
 */
export function sqliteVecStore(options: SqliteVecStoreOptions): SqliteVecStore {
  if (!options || (typeof options.file !== 'string' && !options.database)) {
    throw new BackupError('BAD_OPTION', 'sqliteVecStore needs `{ file: "path/to/vectors.db" }` or `{ database }` (an open better-sqlite3 Database)')
  }
  const pageSize = options.pageSize ?? 1000
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new BackupError('BAD_OPTION', `option \`pageSize\`: expected a positive integer, found ${String(pageSize)}`)
  let session: SqliteVecSession | null = null
  let closed = false
  const live = (): void => {
    if (closed) throw closedVectorStore('sqlite-vec', 'sqliteVecStore')
  }

  const open = (): SqliteVecSession => {
    const { Database, sqliteVec } = loadDrivers()
    let db = options.database
    if (!db) {
      if (options.file !== ':memory:' && options.file !== '') mkdirSync(dirname(options.file!), { recursive: true })
      db = new Database(options.file!)
      db.pragma('journal_mode = WAL')
    }
    try {
      try {
        // an app's database may have it already
        db.prepare('SELECT vec_version()').get()
      } catch {
        sqliteVec.load(db)
      }
    } catch (error) {
      if (!options.database) db.close()
      throw new BackupError('STORE_FAILED', `cannot load sqlite-vec into the SQLite database: ${(error as Error).message}`, {}, { cause: error })
    }
    db.exec(`CREATE TABLE IF NOT EXISTS ${catalog} (
      table_name TEXT PRIMARY KEY,
      entity TEXT NOT NULL UNIQUE,
      dimension INTEGER NOT NULL,
      metric TEXT NOT NULL CHECK (metric IN ('cosine', 'l2', 'dot'))
    )`)
    return { db, live, pageSize }
  }

  const find = (s: SqliteVecSession, entity: VectorEntity): VectorCollection | null => {
    live()
    const row = s.db.prepare(`SELECT table_name, dimension, metric FROM ${catalog} WHERE entity = ?`).get(entity.fullName) as { table_name: string; dimension: number; metric: VectorMetric } | undefined
    return row ? new SqliteVecCollection(s, entity, sqliteVecTables(entity.fullName), row.dimension, row.metric) : null
  }

  const create = (s: SqliteVecSession, entity: VectorEntity, wanted: VectorCollectionOptions): void => {
    const { dimension, metric } = checkCollectionOptions(entity, wanted, maxDimension)
    const tables = sqliteVecTables(entity.fullName)
    // vec0 has cosine and l2 (Euclidean); dot tables are searched by brute force, so their vec0 metric is unused
    const column = `vector float[${dimension}] distance_metric=${metric === 'cosine' ? 'cosine' : 'l2'}${metric === 'cosine' ? ', zero integer' : ''}`
    s.db.transaction(() => {
      const added = s.db.prepare(`INSERT INTO ${catalog} (table_name, entity, dimension, metric) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`).run(tables.vectors, entity.fullName, dimension, metric)
      if (added.changes === 0) return
      s.db.exec(`CREATE VIRTUAL TABLE ${quoteIdentifier(tables.vectors)} USING vec0(${column})`)
      s.db.exec(`CREATE TABLE ${quoteIdentifier(tables.ids)} (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)`)
    })()
  }

  return {
    kind: 'sqlite-vec',
    async collection(entity, wanted) {
      live()
      const site = { store: 'sqlite-vec', entity: entity.fullName, table: sqliteVecTables(entity.fullName).vectors }
      try {
        session ??= open()
      } catch (error) {
        throw error instanceof BackupError ? error : new BackupError('STORE_FAILED', `cannot open the SQLite database ${options.file ?? ''} with sqlite-vec: ${(error as Error).message}`, { file: options.file }, { cause: error })
      }
      const s = session
      try {
        const existing = find(s, entity)
        if (existing) return existing
        if (!wanted) return pendingCollection(entity, async () => find(s, entity))
        create(s, entity, wanted)
        return find(s, entity)!
      } catch (error) {
        throw storeFailure(site, 'opening the vector table', error)
      }
    },
    async close() {
      if (closed) return
      closed = true
      if (session && !options.database) session.db.close()
    },
  }
}

/** better-sqlite3 and sqlite-vec; a clear error when the optional packages are missing. */
function loadDrivers(): { Database: typeof BetterSqlite3; sqliteVec: { load(db: BetterSqlite3.Database): void } } {
  try {
    // required, not imported: bundlers then leave the native packages to Node
    const require = createRequire(import.meta.url)
    return { Database: require('better-sqlite3') as typeof BetterSqlite3, sqliteVec: require('sqlite-vec') as { load(db: BetterSqlite3.Database): void } }
  } catch (error) {
    throw new BackupError('BAD_OPTION', `sqliteVecStore needs the optional packages better-sqlite3 (12.x) and sqlite-vec (0.1), which could not be loaded (${(error as Error).message}); install them with \`npm install better-sqlite3@12 sqlite-vec@0.1\``, {}, { cause: error })
  }
}
