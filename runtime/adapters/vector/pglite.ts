import { createRequire } from 'node:module'
import type { PGliteInterface } from '@electric-sql/pglite'
import { BackupError } from '../../errors.js'
import { postgresName } from '../data/postgres-collection.js'
import { quoteIdentifier, storeFailure } from '../data/sql.js'
import { checkCollectionOptions } from './checks.js'
import { closedVectorStore, pendingCollection } from './pending.js'
import { PgliteCollection, type PgliteSession } from './pglite-collection.js'
import type { VectorCollection, VectorCollectionOptions, VectorEntity, VectorMetric, VectorStore } from './types.js'

/** Where the PGlite store keeps its vectors. */
export type PgliteVectorStoreOptions = (
  /** A database folder (created if missing), or `memory://` for one in memory; closed by `close()`. */
  | { dataDir: string; db?: never }
  /** A PGlite of the app, made with `extensions: { vector }` (from `@electric-sql/pglite-pgvector`); `close()` leaves it open. */
  | { db: PGliteInterface; dataDir?: never }
) & {
  /** The schema of the vector tables and their catalog, created if missing. @default 'koan_vectors' */
  schema?: string
  /** Vectors read per page of a stream. @default 1000 */
  pageSize?: number
}

/** A vector store on PGlite with pgvector. */
export interface PgliteVectorStore extends VectorStore {
  readonly kind: 'pglite'
  /** Releases what the store holds (the PGlite it made); idempotent. Later use fails with a clear error. */
  close(): Promise<void>
}

/** pgvector's `vector` type holds at most 16000 dimensions. */
const maxDimension = 16_000
const catalogName = 'koan_vector_collections'

/** The table of an entity: its full name (cut to 63 bytes with a hash), never the catalog's name. */
export function pgliteTableName(fullName: string): string {
  const name = postgresName(fullName)
  return name === catalogName ? `${name}~vectors` : name
}

/**
 * A vector store on PGlite — PostgreSQL compiled to WebAssembly, no server — with the pgvector
 * extension (`@electric-sql/pglite` and `@electric-sql/pglite-pgvector`, loaded on first use).
 * In its schema (`koan_vectors`) it keeps a table per entity, named by its full name (cut to 63
 * bytes with a hash, as the PostgreSQL data store does), and a catalog of every entity's table,
 * dimension and metric (`koan_vector_collections`), so a reopened database reports its own.
 * Ids are the typed id keys of `idKey`; PostgreSQL text refuses U+0000 and lone surrogates, and so
 * does the store (with a clear error, before writing).
 */
export function pgliteVectorStore(options: PgliteVectorStoreOptions): PgliteVectorStore {
  if (!options || (typeof options.dataDir !== 'string' && !options.db)) {
    throw new BackupError('BAD_OPTION', 'pgliteVectorStore needs `{ dataDir: "path/to/folder" }` (or `memory://`) or `{ db }` (a PGlite made with `extensions: { vector }`)')
  }
  const pageSize = options.pageSize ?? 1000
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new BackupError('BAD_OPTION', `option \`pageSize\`: expected a positive integer, found ${String(pageSize)}`)
  const schema = quoteIdentifier(postgresName(options.schema ?? 'koan_vectors'))
  const catalog = `${schema}.${quoteIdentifier(catalogName)}`
  let session: Promise<PgliteSession> | null = null
  let closed = false
  const live = (): void => {
    if (closed) throw closedVectorStore('pglite', 'pgliteVectorStore')
  }

  const open = async (): Promise<PgliteSession> => {
    const db = options.db ?? (await createPglite(options.dataDir!))
    try {
      await db.exec('CREATE EXTENSION IF NOT EXISTS vector')
    } catch (error) {
      if (!options.db) await db.close().catch(() => {})
      throw new BackupError('BAD_OPTION', `pgliteVectorStore: the PGlite database has no pgvector extension (${(error as Error).message}); create it with \`new PGlite({ extensions: { vector } })\`, vector from '@electric-sql/pglite-pgvector'`, {}, { cause: error })
    }
    await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema};
      CREATE TABLE IF NOT EXISTS ${catalog} (
        table_name text COLLATE "C" PRIMARY KEY,
        entity text COLLATE "C" NOT NULL UNIQUE,
        dimension integer NOT NULL,
        metric text NOT NULL CHECK (metric IN ('cosine', 'l2', 'dot'))
      )`)
    return { db, live, pageSize }
  }

  /** The collection of the entity's table, or null when it has none. */
  const find = async (s: PgliteSession, entity: VectorEntity): Promise<VectorCollection | null> => {
    live()
    const { rows } = await s.db.query<{ table_name: string; dimension: number; metric: VectorMetric }>(`SELECT table_name, dimension, metric FROM ${catalog} WHERE entity = $1`, [entity.fullName])
    const row = rows[0]
    return row ? new PgliteCollection(s, entity, `${schema}.${quoteIdentifier(row.table_name)}`, row.dimension, row.metric) : null
  }

  const create = async (s: PgliteSession, entity: VectorEntity, wanted: VectorCollectionOptions): Promise<void> => {
    const { dimension, metric } = checkCollectionOptions(entity, wanted, maxDimension)
    const name = pgliteTableName(entity.fullName)
    await s.db.transaction(async (tx) => {
      // a catalog row made meanwhile (another call) wins; its table exists already
      const added = await tx.query(`INSERT INTO ${catalog} (table_name, entity, dimension, metric) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [name, entity.fullName, dimension, metric])
      if (added.affectedRows === 1) await tx.exec(`CREATE TABLE ${schema}.${quoteIdentifier(name)} (id text COLLATE "C" PRIMARY KEY, vector vector(${dimension}) NOT NULL)`)
    })
  }

  return {
    kind: 'pglite',
    async collection(entity, wanted) {
      live()
      session ??= open().catch((error: unknown) => {
        session = null
        throw error instanceof BackupError ? error : new BackupError('STORE_FAILED', `cannot open the PGlite database ${options.dataDir ?? ''}: ${(error as Error).message}`, { dataDir: options.dataDir }, { cause: error })
      })
      const s = await session
      const site = { store: 'pglite', entity: entity.fullName, table: pgliteTableName(entity.fullName) }
      try {
        const existing = await find(s, entity)
        if (existing) return existing
        if (!wanted) return pendingCollection(entity, () => find(s, entity))
        await create(s, entity, wanted)
        const made = await find(s, entity)
        if (!made) throw new BackupError('STORE_FAILED', `${entity.fullName}: the PGlite table ${site.table} belongs to another entity; choose another schema`, { entity: entity.fullName })
        return made
      } catch (error) {
        live()
        throw storeFailure(site, 'opening the vector table', error)
      }
    },
    async close() {
      if (closed) return
      closed = true
      const s = await session?.catch(() => null)
      if (s && !options.db) await s.db.close()
    },
  }
}

/** A PGlite with pgvector, from the optional packages. */
async function createPglite(dataDir: string): Promise<PGliteInterface> {
  let modules: { PGlite: { create(options: object): Promise<PGliteInterface> }; vector: unknown }
  try {
    // required, not imported: bundlers then leave PGlite (and its WebAssembly files) to Node
    const require = createRequire(import.meta.url)
    modules = { PGlite: require('@electric-sql/pglite').PGlite, vector: require('@electric-sql/pglite-pgvector').vector }
  } catch (error) {
    throw new BackupError('BAD_OPTION', `pgliteVectorStore needs the optional packages @electric-sql/pglite (0.5) and @electric-sql/pglite-pgvector, which could not be loaded (${(error as Error).message}); install them with \`npm install @electric-sql/pglite@0.5 @electric-sql/pglite-pgvector\``, {}, { cause: error })
  }
  return modules.PGlite.create({ dataDir, extensions: { vector: modules.vector } })
}
