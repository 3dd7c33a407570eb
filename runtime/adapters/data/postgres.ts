import { createRequire } from 'node:module'
import type pg from 'pg'
import { BackupError } from '../../errors.js'
import { TableModel } from './columns.js'
import { PostgresCollection, postgresName } from './postgres-collection.js'
import { PostgresSession } from './postgres-session.js'
import { closedStore, quoteIdentifier } from './sql.js'
import type { Collection, DataStore, EntityDescriptor } from './types.js'

/** Where the PostgreSQL store keeps its rows, and how. */
export type PostgresStoreOptions = (
  /** A connection string (`postgres://user@host:5432/db`); the store makes a pool and ends it on `close()`. */
  | { connectionString: string; pool?: never }
  /** A `pg` Pool of the app; `close()` leaves it open. */
  | { pool: pg.Pool; connectionString?: never }
) & {
  /** The schema of the tables, created if missing. @default the connection's current schema (`search_path`) */
  schema?: string
  /** The table of an entity (names over 63 bytes end with a hash). @default the entity's full name */
  tableName?: (entity: EntityDescriptor) => string
  /**
   * Column type of fields kept as JSON. `jsonb` can be indexed and queried; `json` keeps the text
   * exactly (object key order, and `\u0000` in strings, which `jsonb` refuses).
   * @default 'jsonb'
   */
  jsonType?: 'jsonb' | 'json'
  /** Rows per `FETCH` of a stream. @default 1000 */
  fetchSize?: number
  /** Connections of the pool the store makes. @default 10 */
  max?: number
}

/** A data store on PostgreSQL (`pg`, loaded on first use). */
export interface PostgresStore extends DataStore {
  readonly kind: 'postgres'
  collection(entity: EntityDescriptor): Promise<Collection>
  /** Releases what the store holds; idempotent. Later use fails with a clear error. */
  close(): Promise<void>
}

/**
 * A data store on PostgreSQL through `pg`, an optional dependency loaded on first use. One table per
 * entity, named by its full name, created if missing, with native column types (text, double
 * precision, boolean, numeric for bigints, text for dates — JavaScript dates reach years PostgreSQL
 * timestamps cannot — and jsonb for the rest) and `id` as primary key (text ids in `"C"` collation,
 * so they stream in code point order). Streams read a cursor in a REPEATABLE READ transaction, a
 * page at a time; upserts are `INSERT … SELECT * FROM unnest(…) ON CONFLICT (id) DO UPDATE`;
 * `transaction(fn)` runs every statement of the store made inside `fn` on one client.
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (!options || (typeof options.connectionString !== 'string' && !options.pool)) {
    throw new BackupError('BAD_OPTION', 'postgresStore needs `{ connectionString: "postgres://…" }` or `{ pool }` (a pg Pool)')
  }
  const fetchSize = options.fetchSize ?? 1000
  if (!Number.isInteger(fetchSize) || fetchSize < 1) throw new BackupError('BAD_OPTION', `[koan-backup] option \`fetchSize\`: expected a positive integer, found ${fetchSize}`)
  const json = options.jsonType ?? 'jsonb'
  const tableName = options.tableName ?? ((entity: EntityDescriptor) => entity.fullName)
  const schema = options.schema === undefined ? undefined : quoteIdentifier(postgresName(options.schema))
  let session: Promise<PostgresSession> | null = null
  let closed = false

  const open = async (): Promise<PostgresSession> => {
    if (options.pool) return new PostgresSession(options.pool, false)
    const { Pool } = await loadDriver()
    const pool = new Pool({ connectionString: options.connectionString, max: options.max ?? 10 })
    // an idle client losing its connection must not end the process; the next query reports it
    pool.on('error', () => {})
    return new PostgresSession(pool, true)
  }

  return {
    kind: 'postgres',
    async collection(entity) {
      if (closed) throw closedStore('postgres')
      session ??= open().catch((error: unknown) => {
        session = null
        throw error instanceof BackupError ? error : new BackupError('STORE_FAILED', `cannot use the PostgreSQL database: ${(error as Error).message}`, {}, { cause: error })
      })
      const s = await session
      // outside any transaction of the caller: a table exists from here on, whatever the transaction does
      if (schema) await s.query({ text: `CREATE SCHEMA IF NOT EXISTS ${schema}` }, s.pool).catch(ignoreDuplicate)
      const table = `${schema ? `${schema}.` : ''}${quoteIdentifier(postgresName(tableName(entity)))}`
      const c = new PostgresCollection(s, new TableModel(entity, { store: 'PostgreSQL', rejectNul: true, jsonRejectsNul: json === 'jsonb' }), table, { json }, fetchSize)
      await c.prepare()
      return c
    },
    async close() {
      closed = true
      const s = await session?.catch(() => null)
      await s?.close()
    },
  }
}

// two creators at once: the other one won
function ignoreDuplicate(error: unknown): void {
  if (!['23505', '42P06'].includes((error as { code?: string }).code ?? '')) {
    throw new BackupError('STORE_FAILED', `cannot create the PostgreSQL schema: ${(error as Error).message}`, {}, { cause: error })
  }
}

/** The `pg` module; a clear error when the optional package is missing. */
async function loadDriver(): Promise<typeof pg> {
  try {
    // required, not imported: bundlers then leave the driver (CommonJS, native for SQLite) to Node
    return createRequire(import.meta.url)('pg') as typeof pg
  } catch (error) {
    throw new BackupError('BAD_OPTION', `postgresStore needs the optional package pg (8.x), which could not be loaded (${(error as Error).message}); install it with \`npm install pg@8\``, {}, { cause: error })
  }
}
