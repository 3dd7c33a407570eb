import type { Duplex } from 'node:stream'
import type { Collection, DataStore } from '../adapters/data/types.js'
import type { VectorCollection, VectorCollectionOptions, VectorStore } from '../adapters/vector/types.js'
import type { Embedder } from '../config.js'
import type { CanonicalField } from '../schema/canonical.js'
import type { EntityCodec } from '../schema/codec.js'
import type { BackupRegistry, RegistryEntity } from '../types.js'
import type { BackupFs } from './fs.js'

/** What binds encrypted files to their place: entity, backup timestamp and file role. */
export interface FileBinding {
  entity: string
  timestamp: string
  role: string
}

/** Encryption as the engine needs it (built from the configured key ring). */
export interface Encryption {
  /** Key id new backups are written with; `null` when no key is configured. */
  currentKeyId(): string | null
  encrypt(binding: FileBinding): Duplex
  decrypt(binding: FileBinding): Duplex
}

/** Where log lines go. */
export interface Logger {
  info(message: string): void
  warn(message: string): void
}

/** Everything the engine's operations share. */
export interface EngineContext {
  fs: BackupFs
  /** Absolute backup root. */
  root: string
  registry: BackupRegistry
  codecs: Record<string, EntityCodec>
  store: DataStore
  /** The configured vector store, if any. */
  vectors: VectorStore | null
  embedder: Embedder | null
  encryption: Encryption
  logger: Logger
  now(): Date
  /** Rows per batch when restoring. */
  batchSize: number
  /** Backups with at least this many rows get their rows checked in a worker thread (`Infinity`: never). */
  rowWorkerMinRows: number
}

/** One included entity with all the engine needs for it. */
export interface EntityHandle {
  entity: RegistryEntity
  codec: EntityCodec
  /** The canonical field model (for metadata and drift reports). */
  model: CanonicalField[]
  collection(): Promise<Collection>
  /** The entity's vector collection (created with `options` when missing); `null` without a vector store or recipe. */
  vectorCollection(options?: VectorCollectionOptions): Promise<VectorCollection | null>
}
