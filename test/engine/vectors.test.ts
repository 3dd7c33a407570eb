import { afterEach, describe, expect, it } from 'vitest'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import type { VectorStore } from '../../runtime/adapters/vector/types.js'
import { cleanup, engine, mediaRows, tempRoot } from './setup.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'

const MEDIA = 'src.entities.Media'
const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) cleanup(r) })

/** A seeded pseudo-random float32 vector. */
function vec(seed: number, dim = 16): Float32Array {
  let x = seed * 2654435761 % 2 ** 32
  return Float32Array.from({ length: dim }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1)
}

async function seeded(n: number, vectors: VectorStore, path = tempRoot(), options: { embedder?: (t: string[], m: string) => Promise<Float32Array[]> } = {}) {
  roots.push(path)
  const e = await engine({ path, config: { vectors, ...(options.embedder ? { embedder: options.embedder } : {}) } })
  const codec = e.m.codecs[MEDIA]!
  await (await e.store.collection(descriptorOf(codec))).upsert(mediaRows(e.m, n))
  return e
}

async function fillVectors(store: VectorStore, n: number, dim = 16) {
  const c = await store.collection({ fullName: MEDIA, name: 'Media' }, { dimension: dim, metric: 'cosine' })
  await c.upsert(Array.from({ length: n }, (_, i) => ({ id: `m${i}`, vector: vec(i + 1, dim) })))
  return c
}

async function allVectors(store: VectorStore) {
  const c = await store.collection({ fullName: MEDIA, name: 'Media' })
  const out: Array<{ id: unknown; bytes: string }> = []
  for await (const r of c.stream()) out.push({ id: r.id, bytes: Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength).toString('hex') })
  return out
}

describe('vector backups', () => {
  it('back up from one vector store and restore into another: bit-identical, same neighbours, zero embedding calls', async () => {
    const source = memoryVectorStore()
    const a = await seeded(30, source)
    const sourceVectors = await fillVectors(source, 30)
    const created = await a.backup.Media!.create()
    expect(created.vectorCount).toBe(30)
    const target = memoryVectorStore()
    let calls = 0
    const b = await engine({ path: a.path, config: { vectors: target, embedder: async (texts) => { calls++; return texts.map(() => new Float32Array(16)) } } })
    const restored = await b.backup.Media!.restore()
    expect(restored.vectorCount).toBe(30)
    expect(restored.vectors).toEqual({ model: 'text-embedding-3-small', reused: 30, changed: 0, missing: 0, embedded: 0, unembedded: 0 })
    expect(calls).toBe(0)
    expect(await allVectors(target)).toEqual(await allVectors(source))
    const targetVectors = await target.collection({ fullName: MEDIA, name: 'Media' })
    for (const q of [vec(1), vec(7), vec(99)]) expect(await targetVectors.query(q, 5)).toEqual(await sourceVectors.query(q, 5))
  })

  it('capabilities report vectors only for entities with a recipe and a vector store', async () => {
    const a = await seeded(1, memoryVectorStore())
    const caps = a.backup.capabilities()
    expect(caps.availableSources).toEqual(['data', 'vectors'])
    expect(caps.entities.Media!.availableSources).toEqual(['data', 'vectors'])
    expect(caps.entities.Sample!.availableSources).toEqual(['data'])
  })

  it('entities whose text changed or that had no vector are reported; an embedder re-embeds exactly those', async () => {
    const source = memoryVectorStore()
    const a = await seeded(10, source)
    await fillVectors(source, 8) // m8, m9 have no vector
    await a.backup.Media!.create()
    // two entities had no vector: the dry run reports them
    const b = await engine({ path: a.path, config: { vectors: memoryVectorStore() } })
    const dry = await b.backup.Media!.restore({ dryRun: true })
    expect(dry.vectors).toMatchObject({ reused: 8, missing: 2, changed: 0 })
    expect(dry.vectorCount).toBe(0)
    // strict without an embedder: refused before any write
    const strict = await b.backup.Media!.restore({ strict: true }).catch((x) => x)
    expect(strict.details.failures[0].code).toBe('DATA_CONFLICT')
    expect(strict.message).toMatch(/0 entities changed their text and 2 have no stored vector/)
    // not strict: restored, the two reported as unembedded
    const loose = await b.backup.Media!.restore()
    expect(loose.vectors).toMatchObject({ reused: 8, missing: 2, unembedded: 2, embedded: 0 })
    // with an embedder: exactly the two missing ones are embedded
    const texts: string[] = []
    const target = memoryVectorStore()
    const c = await engine({ path: a.path, config: { vectors: target, embedder: async (t) => { texts.push(...t); return t.map(() => new Float32Array(16).fill(0.5)) } } })
    const withEmbedder = await c.backup.Media!.restore()
    expect(withEmbedder.vectors).toMatchObject({ reused: 8, missing: 2, embedded: 2 })
    expect(texts).toEqual(['title 8\ndesc "8"\nt2', 'title 9\ndesc "9"\nt0'])
    expect(await (await target.collection({ fullName: MEDIA, name: 'Media' })).count()).toBe(10)
  })

  it('a dimension or model mismatch with the target is refused before any write', async () => {
    const source = memoryVectorStore()
    const a = await seeded(5, source)
    await fillVectors(source, 5, 16)
    await a.backup.Media!.create()
    const target = memoryVectorStore()
    await target.collection({ fullName: MEDIA, name: 'Media' }, { dimension: 32, metric: 'cosine' })
    const b = await engine({ path: a.path, config: { vectors: target } })
    const error = await b.backup.Media!.restore().catch((x) => x)
    expect(error.details.failures[0].code).toBe('DATA_CONFLICT')
    expect(error.message).toMatch(/16 dimensions, the target vector store's collection has 32; nothing was written/)
    expect(await (await target.collection({ fullName: MEDIA, name: 'Media' })).count()).toBe(0)
    const rows = await (await b.store.collection({ fullName: MEDIA, name: 'Media', fields: b.m.codecs[MEDIA]!.fields, toStored: (x) => x as Record<string, unknown>, fromStored: (x) => x })).count()
    expect(rows).toBe(0)
  })

  it('vectors are stored in one KBV1 file per model, listed with its checksum in metadata', async () => {
    const source = memoryVectorStore()
    const a = await seeded(5, source)
    await fillVectors(source, 5)
    const r = await a.backup.Media!.create()
    const { readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const file = join(a.path, MEDIA, r.timestamp, 'vectors/text-embedding-3-small/vectors.kbv')
    expect(readFileSync(file).subarray(0, 4).toString()).toBe('KBV1')
    const metadata = JSON.parse(readFileSync(join(a.path, MEDIA, r.timestamp, 'metadata.json'), 'utf8'))
    expect(metadata.vectors).toMatchObject({ model: 'text-embedding-3-small', dimension: 16, metric: 'cosine', count: 5, missing: 0 })
    expect(metadata.files[1]).toMatchObject({ name: 'vectors/text-embedding-3-small/vectors.kbv', role: 'vectors/text-embedding-3-small', compressed: false, encrypted: false })
    // a flipped bit in the vector file is refused before anything is written
    const { flipBit } = await import('./tamper.js')
    flipBit(file, 200)
    const target = memoryVectorStore()
    const b = await engine({ path: a.path, config: { vectors: target } })
    const error = await b.backup.Media!.restore().catch((x) => x)
    expect(error.message).toMatch(/vectors\.kbv failed its checksum/)
    expect(await (await target.collection({ fullName: MEDIA, name: 'Media' }, { dimension: 16, metric: 'cosine' })).count()).toBe(0)
  })
})

describe('texts that changed since the backup', () => {
  it('a changed recipe makes every text differ: reported, and re-embedded only with an embedder', async () => {
    const { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { loadRegistry } = await import('../codec/load.js')
    const { fixture } = await import('../helpers.js')
    const { createBackup } = await import('../../runtime/engine/api.js')
    const { memoryStore } = await import('../../runtime/adapters/data/memory.js')
    const source = memoryVectorStore()
    const a = await seeded(6, source)
    await fillVectors(source, 6)
    await a.backup.Media!.create()
    const dir = mkdtempSync(join(fixture('..'), '.tmp-recipe-'))
    try {
      cpSync(fixture('codec'), dir, { recursive: true })
      const file = join(dir, 'src/entities.ts')
      writeFileSync(file, readFileSync(file, 'utf8').replace("fields: ['title', 'description', 'tags']", "fields: ['title', 'description', 'tags'], joiner: ' | '"))
      const m = await loadRegistry(`../${dir.split('/').pop()}`, ['./src/entities.ts'])
      const make = (vectors: ReturnType<typeof memoryVectorStore>, embedder?: (t: string[]) => Promise<Float32Array[]>) => createBackup({
        registry: m.registry, codecs: m.codecs, classes: { [MEDIA]: m.Media }, config: { data: memoryStore(), vectors, path: a.path, logger: false, ...(embedder ? { embedder } : {}) },
      }) as ReturnType<typeof createBackup> & Record<string, any>
      const without = await make(memoryVectorStore()).Media.restore()
      expect(without.vectors).toMatchObject({ reused: 0, changed: 6, unembedded: 6, embedded: 0 })
      const seen: string[] = []
      const target = memoryVectorStore()
      const withEmbedder = await make(target, async (t) => { seen.push(...t); return t.map(() => new Float32Array(16).fill(1)) }).Media.restore()
      expect(withEmbedder.vectors).toMatchObject({ reused: 0, changed: 6, embedded: 6 })
      expect(seen[0]).toBe('title 0 | desc "0" | t0')
      expect(await (await target.collection({ fullName: MEDIA, name: 'Media' })).count()).toBe(6)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
