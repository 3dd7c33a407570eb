import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import { sqliteVecStore } from '../../runtime/adapters/vector/sqlite-vec.js'
import { bytes, expectSameNeighbours, media, randomDataset, readAll } from './vector-data.js'
import { vectorStoreContract } from './vector-contract.js'

const dir = mkdtempSync(join(tmpdir(), 'koan-sqlite-vec-'))
let n = 0
const file = () => join(dir, `vectors-${++n}.db`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

vectorStoreContract('sqlite-vec (WAL file)', () => sqliteVecStore({ file: file() }), { refusesLoneSurrogates: true })
vectorStoreContract('sqlite-vec (in memory)', () => sqliteVecStore({ file: ':memory:' }), { refusesLoneSurrogates: true })

describe('sqlite-vec vector store', () => {
  it('keeps vectors, dimension and metric in a file, across close and reopen, in vec0 tables', async () => {
    const path = file()
    const store = sqliteVecStore({ file: path })
    const c = await store.collection(media, { dimension: 3, metric: 'cosine' })
    await c.upsert([{ id: 1, vector: Float32Array.of(1, 2, 3) }, { id: '1', vector: Float32Array.of(-0, 1e-45, 3.4e38) }])
    await store.close()
    const db = new Database(path, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'src.entities.Media:vectors'`).pluck().get()
    expect(sql).toBe('CREATE VIRTUAL TABLE "src.entities.Media:vectors" USING vec0(vector float[3] distance_metric=cosine, zero integer)')
    expect(db.prepare(`SELECT id FROM "src.entities.Media:vector_ids" ORDER BY id`).pluck().all()).toEqual(['n:bff0000000000000', 's:1'])
    expect(db.prepare('SELECT entity, dimension, metric FROM koan_vector_collections').all()).toEqual([{ entity: 'src.entities.Media', dimension: 3, metric: 'cosine' }])
    db.close()
    const again = sqliteVecStore({ file: path })
    const reopened = await again.collection(media)
    expect([reopened.dimension, reopened.metric]).toEqual([3, 'cosine'])
    const all = await readAll(reopened)
    expect(all.map((r) => r.id)).toEqual([1, '1'])
    expect(bytes(all[1]!.vector).equals(bytes(Float32Array.of(-0, 1e-45, 3.4e38)))).toBe(true)
    await again.close()
  })

  it('uses an open database, next to the data store tables, without closing it', async () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE "src.entities.Media" (id TEXT PRIMARY KEY, title TEXT)')
    const store = sqliteVecStore({ database: db })
    const c = await store.collection(media, { dimension: 2, metric: 'l2' })
    await c.upsert([{ id: 'a', vector: Float32Array.of(3, 4) }])
    expect(await c.query(Float32Array.of(0, 0), 1)).toEqual([{ id: 'a', distance: 5 }])
    await store.close()
    expect(db.open).toBe(true)
    expect(db.prepare('SELECT vec_version()').pluck().get()).toBe('v0.1.9')
    // a second store on the same database finds sqlite-vec loaded already
    const second = sqliteVecStore({ database: db })
    expect(await (await second.collection(media)).count()).toBe(1)
    await second.close()
    db.close()
  })

  it('streams with one statement per page, the id index driving the join', async () => {
    const db = new Database(':memory:')
    const store = sqliteVecStore({ database: db, pageSize: 100 })
    const c = await store.collection(media, { dimension: 2, metric: 'l2' })
    await c.upsert(Array.from({ length: 250 }, (_, i) => ({ id: i, vector: Float32Array.of(i, 0) })))
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT m.id, v.vector FROM "src.entities.Media:vector_ids" m CROSS JOIN "src.entities.Media:vectors" v ON v.rowid = m.rid WHERE m.id > ? ORDER BY m.id LIMIT ?`).all('', 100) as Array<{ detail: string }>
    expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/TEMP B-TREE/)
    const iterator = c.stream()[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toMatchObject({ id: 0 })
    // written after the first page was read: seen, in order, once
    await c.upsert([{ id: 200, vector: Float32Array.of(-1, -1) }, { id: 1000, vector: Float32Array.of(1, 1) }])
    const seen: Array<[unknown, number]> = []
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) seen.push([r.value.id, r.value.vector[0]!])
    expect(seen).toHaveLength(250)
    expect(seen.find(([id]) => id === 200)).toEqual([200, -1])
    await store.close()
    db.close()
  })

  it('answers k over vec0’s limit of 4096 and dot by brute force, as the memory store does', async () => {
    const store = sqliteVecStore({ file: file() })
    const dataset = randomDataset(5000, 8, 11)
    const byId = new Map(dataset.map((d) => [d.id, d.vector]))
    for (const metric of ['l2', 'dot'] as const) {
      const c = await store.collection({ fullName: `src.Big_${metric}`, name: 'Big' }, { dimension: 8, metric })
      await c.upsert(dataset)
      const r = await memoryVectorStore().collection(media, { dimension: 8, metric })
      await r.upsert(dataset)
      const q = dataset[42]!.vector
      expectSameNeighbours(await c.query(q, 4500), await r.query(q, 4500), metric, byId, q)
    }
    await store.close()
  })
})
