import { descriptorOf, type VectorStore } from 'koan-backup'
import { backup, codecs } from 'koan-backup/registry'
import { sameDistance, type Hit, type Snapshot } from './diff'
import { mediaVectors } from './seed'

/** Every row of every included entity in the current data store, and every Media vector in `vectors`. */
export async function snapshot(vectors: VectorStore): Promise<Snapshot> {
  const data: Record<string, string[]> = {}
  for (const [fullName, codec] of Object.entries(codecs)) {
    const rows: string[] = []
    for await (const row of (await backup.store.collection(descriptorOf(codec))).stream()) rows.push(codec.serialize(row))
    data[fullName] = rows
  }
  const out: string[] = []
  for await (const r of (await mediaVectors(vectors)).stream()) {
    out.push(`${String(r.id)} ${Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength).toString('hex')}`)
  }
  return { data, vectors: out }
}

/** The `k` Media nearest to `query` in `vectors`; hits at the same distance (equal texts) by id, so every store lists ties alike. */
export async function nearest(vectors: VectorStore, query: Float32Array, k = 5): Promise<Hit[]> {
  const hits = (await (await mediaVectors(vectors)).query(query, k)).map((hit) => ({ id: String(hit.id), distance: hit.distance }))
  return hits.sort((a, b) => (sameDistance(a.distance, b.distance) ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.distance - b.distance))
}

