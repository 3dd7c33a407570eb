import { createHash } from 'node:crypto'
import { compareIds } from '../../adapters/data/ids.js'
import type { Collection, EntityId } from '../../adapters/data/types.js'
import type { VectorCollection, VectorRecord } from '../../adapters/vector/types.js'
import type { EntityCodec } from '../../schema/codec.js'
import { encodeHeader, encodeRecord, type VectorFileHeader } from './format.js'

/** SHA-256 of an embedding text. */
export function textHash(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

/** Folder-safe form of a model id (`:` is not allowed in Windows paths). */
export function modelDir(model: string): string {
  return model.replace(/[^A-Za-z0-9._-]/g, '_')
}

/** Counters of a vector backup. */
export interface VectorCounts {
  vectors: number
  /** Entities without a vector. */
  missing: number
  /** Vectors whose id is no entity. */
  orphans: number
}

/**
 * The vector file's bytes: the store's vectors joined to the entities by id (both stream in id
 * order), each keyed by the hash of the entity's embedding text. Constant memory.
 */
export async function* vectorFileBytes(
  codec: EntityCodec, rows: Collection, vectors: VectorCollection, header: VectorFileHeader, counts: VectorCounts,
): AsyncGenerator<Buffer> {
  yield encodeHeader(header)
  const vs = vectors.stream()[Symbol.asyncIterator]()
  let next = await vs.next()
  let batch: Buffer[] = []
  let size = 0
  for await (const row of rows.stream()) {
    const id = (row as { id: EntityId }).id
    while (!next.done && compareIds(next.value.id, id) < 0) {
      counts.orphans++
      next = await vs.next()
    }
    if (next.done || compareIds(next.value.id, id) > 0) {
      counts.missing++
      continue
    }
    const record = encodeRecord({ id, hash: textHash(codec.embeddingText!(row)), vector: next.value.vector })
    counts.vectors++
    batch.push(record)
    size += record.length
    if (size >= 1 << 20) {
      yield Buffer.concat(batch)
      batch = []
      size = 0
    }
    next = await vs.next()
  }
  while (!next.done) {
    counts.orphans++
    next = await vs.next()
  }
  if (batch.length) yield Buffer.concat(batch)
}

/** Writes vectors in batches. */
export class VectorWriter {
  private batch: VectorRecord[] = []
  written = 0
  constructor(private target: VectorCollection, private size = 500) {}
  async add(record: VectorRecord): Promise<void> {
    this.batch.push(record)
    if (this.batch.length >= this.size) await this.flush()
  }
  async flush(): Promise<void> {
    if (this.batch.length === 0) return
    await this.target.upsert(this.batch)
    this.written += this.batch.length
    this.batch = []
  }
}
