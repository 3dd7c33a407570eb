/**
 * koan-backup runtime: the markers the build plugin reads (`Entity`, `@EntityBackup`,
 * `defineBackupScope`), the run-time configuration (`defineBackupConfig`), the data stores,
 * the error class, the registry types and the inventory report. The engine itself is reached
 * through `backup` of `koan-backup/registry`.
 */
export { Entity, EntityBackup, defineBackupScope, getEntityBackupOptions, type EntityBackupDecorator } from './markers.js'
export { defineBackupConfig, type BackupConfig, type Embedder, type EncryptionConfig } from './config.js'
export { descriptorOf, memoryStore, postgresStore, sqliteStore, type MemoryStoreOptions, type PostgresStoreOptions, type SqliteStoreOptions } from './adapters/data/index.js'
export type { Collection, CollectionCapabilities, DataStore, EntityDescriptor, EntityId } from './adapters/data/types.js'
export { lancedbStore, memoryVectorStore, pgliteVectorStore, sqliteVecStore, type LancedbStoreOptions, type PgliteVectorStoreOptions, type SqliteVecStoreOptions } from './adapters/vector/index.js'
export type { VectorCollection, VectorCollectionOptions, VectorMetric, VectorRecord, VectorStore } from './adapters/vector/types.js'
export { BackupError, isBackupError, type BackupErrorCode } from './errors.js'
export { formatReport, type ReportLine, reportLines } from './report.js'
export type { BackupApi, BackupInfo, BackupOptions, BackupSetResult, Capabilities, EntityBackupApi, RestoreOptions, RestoreSetResult } from './engine/api.js'
export type { BackupResult } from './engine/create.js'
export type { RestoreResult } from './engine/restore.js'
export type { VerifyOptions } from './engine/api.js'
export type { ProgressEvent, ProgressListener, ProgressPhase } from './engine/progress.js'
export { createBackupHandler, toNodeListener, type BackupHandler, type BackupHandlerOptions, type NodeListener } from './web/index.js'
export type * from './types.js'
