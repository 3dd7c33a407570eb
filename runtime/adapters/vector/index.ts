/**
 * Vector stores: the embedded memory store (the default, and the brute force reference), LanceDB,
 * PGlite with pgvector, and SQLite with sqlite-vec. Their client libraries are loaded when a store
 * is first used, so importing this module loads none of them.
 */
export { memoryVectorStore, type MemoryVectorStore } from './memory.js'
export { lancedbStore, type LancedbStoreOptions, type LancedbVectorStore } from './lancedb.js'
export { pgliteVectorStore, type PgliteVectorStore, type PgliteVectorStoreOptions } from './pglite.js'
export { sqliteVecStore, type SqliteVecStore, type SqliteVecStoreOptions } from './sqlite-vec.js'
export { vectorDistance } from './distance.js'
export type * from './types.js'
