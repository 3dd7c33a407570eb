import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import { BackupError } from '../../errors.js'
import { TableModel } from './columns.js'
import { closedStore } from './sql.js'
import { SqliteCollection } from './sqlite-collection.js'
import { SqliteSession } from './sqlite-session.js'
import type { Collection, DataStore, EntityDescriptor } from './types.js'

/** Where the SQLite store keeps its rows. */
export type SqliteStoreOptions = (
  /** A database file, opened (and created if missing) by the store, in WAL mode; closed by `close()`. */
  | { file: string; database?: never }
  /** An open better-sqlite3 database; its journal mode is left as it is and `close()` leaves it open. */
  | { database: BetterSqlite3.Database; file?: never }
) & {
  /** The table of an entity. @default the entity's full name (`src.models.media.Media`) */
  tableName?: (entity: EntityDescriptor) => string
}

/** A data store on SQLite (better-sqlite3, loaded on first use). */
export interface SqliteStore extends DataStore {
  readonly kind: 'sqlite'
  collection(entity: EntityDescriptor): Promise<Collection>
  /** Releases what the store holds; idempotent. Later use fails with a clear error. */
  close(): Promise<void>
}

/**
 * A data store on a SQLite database through better-sqlite3, an optional dependency loaded on first
 * use (`import` of this module alone does not load it). One table per entity, named by its full
 * name, created if missing, with a column per stored field (see `columnKind`) and `id` as primary
 * key. Streams are in id order; on a WAL file database they read one snapshot on a connection of
 * their own, row by row. Transactions are real (`BEGIN IMMEDIATE`), across every entity of the store.
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  if (!options || (typeof options.file !== 'string' && !options.database)) {
    throw new BackupError('BAD_OPTION', 'sqliteStore needs `{ file: "path/to/data.db" }` or `{ database }` (an open better-sqlite3 Database)')
  }
  const tableName = options.tableName ?? ((entity: EntityDescriptor) => entity.fullName)
  let session: Promise<SqliteSession> | null = null
  let closed = false

  const open = async (): Promise<SqliteSession> => {
    if (options.database) {
      const db = options.database
      const wal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal'
      return new SqliteSession(db, !db.memory && db.name && wal ? db.name : null, false)
    }
    const Database = await loadDriver()
    // a new database file's folder is created, as a first run expects
    if (options.file !== ':memory:' && options.file !== '') mkdirSync(dirname(options.file!), { recursive: true })
    const db = new Database(options.file!)
    const mode = String(db.pragma('journal_mode = WAL', { simple: true })).toLowerCase()
    return new SqliteSession(db, mode === 'wal' ? db.name : null, true)
  }

  return {
    kind: 'sqlite',
    async collection(entity) {
      if (closed) throw closedStore('sqlite')
      session ??= open().catch((error: unknown) => {
        session = null
        throw error instanceof BackupError ? error : new BackupError('STORE_FAILED', `cannot open the SQLite database ${options.file ?? ''}: ${(error as Error).message}`, { file: options.file }, { cause: error })
      })
      const s = await session
      const c = new SqliteCollection(s, new TableModel(entity, { store: 'SQLite' }), tableName(entity))
      await c.prepare()
      return c
    },
    async close() {
      closed = true
      const s = await session?.catch(() => null)
      s?.close()
    },
  }
}

/** better-sqlite3's constructor; a clear error when the optional package is missing. */
async function loadDriver(): Promise<typeof BetterSqlite3> {
  try {
    // required, not imported: bundlers then leave the driver (CommonJS, native for SQLite) to Node
    return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3
  } catch (error) {
    throw new BackupError('BAD_OPTION', `sqliteStore needs the optional package better-sqlite3 (12.x), which could not be loaded (${(error as Error).message}); install it with \`npm install better-sqlite3@12\``, {}, { cause: error })
  }
}
