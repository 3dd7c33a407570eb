import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { lancedbStore } from '../../runtime/adapters/vector/lancedb.js'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import { pgliteVectorStore } from '../../runtime/adapters/vector/pglite.js'
import { sqliteVecStore } from '../../runtime/adapters/vector/sqlite-vec.js'
import type { VectorStore } from '../../runtime/adapters/vector/types.js'
import { engine, mediaRows, tempRoot } from './setup.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'

const MEDIA = 'src.entities.Media'
const DIM = 32
const N = 200
const cleanups: Array<() => unknown> = []
afterAll(async () => { for (const c of cleanups.reverse()) await c() })

function dir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  cleanups.push(() => rmSync(d, { recursive: true, force: true }))
  return d
}

const kinds: Record<string, () => VectorStore> = {
  memory: () => memoryVectorStore(),
  lancedb: () => lancedbStore({ uri: dir('kb-lance-') }),
  pglite: () => pgliteVectorStore({ dataDir: dir('kb-pglite-') }),
  'sqlite-vec': () => sqliteVecStore({ file: join(dir('kb-vec-'), 'vectors.db') }),
}

function vec(seed: number): Float32Array {
  let x = seed
  return Float32Array.from({ length: DIM }, () => Math.fround(((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1))
}

async function bytes(store: VectorStore): Promise<string[]> {
  const out: string[] = []
  for await (const r of (await store.collection({ fullName: MEDIA, name: 'Media' })).stream()) {
    out.push(`${String(r.id)}:${Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength).toString('hex')}`)
  }
  return out
}

describe.each(Object.keys(kinds))('vectors backed up from %s', (from) => {
  it.each(Object.keys(kinds).filter((to) => to !== from))('restore into %s: bit-identical, same nearest neighbours, embedder never called', async (to) => {
    const path = tempRoot()
    cleanups.push(() => rmSync(path, { recursive: true, force: true }))
    const source = kinds[from]!()
    cleanups.push(() => source.close())
    const a = await engine({ path, config: { vectors: source } })
    const codec = a.m.codecs[MEDIA]!
    await (await a.store.collection(descriptorOf(codec))).upsert(mediaRows(a.m, N))
    const sc = await source.collection({ fullName: MEDIA, name: 'Media' }, { dimension: DIM, metric: 'cosine' })
    await sc.upsert(Array.from({ length: N }, (_, i) => ({ id: `m${i}`, vector: vec(i + 1) })))
    expect((await a.backup.Media!.create()).vectorCount).toBe(N)

    const target = kinds[to]!()
    cleanups.push(() => target.close())
    let calls = 0
    const b = await engine({ path, config: { vectors: target, embedder: async (t) => { calls++; return t.map(() => new Float32Array(DIM)) } } })
    const r = await b.backup.Media!.restore({ strict: true })
    expect(r.vectors).toMatchObject({ reused: N, changed: 0, missing: 0, embedded: 0 })
    expect(calls).toBe(0)
    expect(await bytes(target)).toEqual(await bytes(source))
    const tc = await target.collection({ fullName: MEDIA, name: 'Media' })
    for (const seed of [3, 50, 777]) {
      const q = vec(seed)
      const [x, y] = [await sc.query(q, 10), await tc.query(q, 10)]
      expect(y.map((h) => h.id)).toEqual(x.map((h) => h.id))
      y.forEach((h, i) => expect(h.distance).toBeCloseTo(x[i]!.distance, 5))
    }
  }, 60_000)
})
