import { Buffer } from 'node:buffer'
import { BackupError } from '../../errors.js'
import type { EntityId } from '../../adapters/data/types.js'
import type { VectorMetric } from '../../adapters/vector/types.js'
import { ByteQueue } from '../crypto/bytes.js'

/**
 * KBV1, the portable vector file of a backup (`vectors/<model>/vectors.kbv`):
 *
 *   "KBV1\n" + one JSON line { model, dimension, metric, recipe }
 *   then one record per entity, in id order:
 *     u8 id kind (0 string, 1 number) | u32 BE id length | id (UTF-8, or float64 BE) |
 *     32-byte SHA-256 of the entity's embedding text | dimension × float32 LE
 *
 * Values are the float32 bits as stored (no decimal round trip); the text hash says which text the
 * vector embeds, so a restore reuses it only for an entity whose rebuilt text has the same hash.
 */
export interface VectorFileHeader {
  model: string
  dimension: number
  metric: VectorMetric | null
  recipe: string
}

/** One stored vector. */
export interface VectorFileRecord {
  id: EntityId
  hash: Buffer
  vector: Float32Array
}

const MAGIC = 'KBV1\n'
const MAX_HEADER = 4096
const MAX_ID = 4096

/** The header bytes. */
export function encodeHeader(h: VectorFileHeader): Buffer {
  return Buffer.from(`${MAGIC}${JSON.stringify(h)}\n`, 'utf8')
}

/** One record's bytes. */
export function encodeRecord(r: VectorFileRecord): Buffer {
  const id = typeof r.id === 'number' ? Buffer.alloc(8) : Buffer.from(r.id, 'utf8')
  if (typeof r.id === 'number') id.writeDoubleBE(r.id)
  const out = Buffer.allocUnsafe(1 + 4 + id.length + 32 + r.vector.length * 4)
  out[0] = typeof r.id === 'number' ? 1 : 0
  out.writeUInt32BE(id.length, 1)
  id.copy(out, 5)
  r.hash.copy(out, 5 + id.length)
  Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength).copy(out, 5 + id.length + 32)
  return out
}

function corrupt(where: string, what: string): BackupError {
  return new BackupError('CORRUPT', `${where}: ${what}`, {})
}

/** Reads a vector file's decoded bytes: the header, then each record; refuses anything malformed. */
export async function* decodeVectors(bytes: AsyncIterable<Buffer | string>, where: string): AsyncGenerator<VectorFileHeader | VectorFileRecord> {
  const q = new ByteQueue()
  let header: VectorFileHeader | null = null
  let index = 0
  for await (const chunk of bytes) {
    q.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    if (!header) {
      const probe = q.peek(Math.min(q.length, MAX_HEADER))
      const nl = probe.indexOf(10, MAGIC.length)
      if (nl === -1) {
        if (q.length >= MAX_HEADER) throw corrupt(where, 'no vector file header')
        continue
      }
      if (probe.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw corrupt(where, 'not a KBV1 vector file')
      try {
        header = JSON.parse(q.take(nl + 1).subarray(MAGIC.length).toString('utf8')) as VectorFileHeader
      } catch {
        throw corrupt(where, 'the vector file header is not valid JSON')
      }
      if (!Number.isInteger(header.dimension) || header.dimension < 1 || header.dimension > 65536) throw corrupt(where, `vector dimension ${header.dimension} is not valid`)
      yield header
    }
    const dim = header.dimension
    for (;;) {
      if (q.length < 5) break
      const head = q.peek(5)
      const kind = head[0]
      const idLength = head.readUInt32BE(1)
      if ((kind !== 0 && kind !== 1) || idLength > MAX_ID || (kind === 1 && idLength !== 8)) throw corrupt(where, `vector record ${index} is malformed`)
      const size = 5 + idLength + 32 + dim * 4
      if (q.length < size) break
      const rec = q.take(size)
      const idBytes = rec.subarray(5, 5 + idLength)
      const id = kind === 1 ? idBytes.readDoubleBE(0) : idBytes.toString('utf8')
      const hash = Buffer.from(rec.subarray(5 + idLength, 5 + idLength + 32))
      // copy into an aligned buffer: records start at any offset
      const vector = new Float32Array(dim)
      Buffer.from(vector.buffer).set(rec.subarray(5 + idLength + 32))
      for (let i = 0; i < dim; i++) {
        if (!Number.isFinite(vector[i]!)) throw new BackupError('CORRUPT', `${where}: the vector of id ${JSON.stringify(id)} has ${vector[i]} at position ${i}`, { id })
      }
      index++
      yield { id, hash, vector }
    }
  }
  if (!header) throw corrupt(where, 'the vector file is empty')
  if (q.length > 0) throw corrupt(where, `the vector file ends inside a record (${q.length} stray bytes)`)
}
