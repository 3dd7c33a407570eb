/**
 * Data stores: the embedded memory store, SQLite (better-sqlite3) and PostgreSQL (pg). The client
 * libraries are loaded when a store is first used, so importing this module loads neither.
 */
export { descriptorOf } from './descriptor.js'
export { compareIds } from './ids.js'
export { columnKind, type ColumnKind } from './columns.js'
export { memoryStore, type MemoryStore, type MemoryStoreOptions } from './memory.js'
export { sqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite.js'
export { postgresStore, type PostgresStore, type PostgresStoreOptions } from './postgres.js'
export type * from './types.js'
