import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as lancedb from '@lancedb/lancedb'
import { afterAll, describe, expect, it } from 'vitest'
import { compareIds } from '../../runtime/adapters/data/ids.js'
import { lanceTableName } from '../../runtime/adapters/vector/lancedb-arrow.js'
import { lancedbStore } from '../../runtime/adapters/vector/lancedb.js'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import { bytes, expectSameNeighbours, media, randomDataset, readAll } from './vector-data.js'
import { vectorStoreContract } from './vector-contract.js'

const dir = mkdtempSync(join(tmpdir(), 'koan-lancedb-'))
let n = 0
const uri = () => join(dir, `db-${++n}`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

vectorStoreContract('lancedb', () => lancedbStore({ uri: uri() }), { refusesLoneSurrogates: true })

describe('lancedb vector store', () => {
  it('keeps vectors, dimension and metric across close and reopen, in a table LanceDB reads as id + vector', async () => {
    const path = uri()
    const store = lancedbStore({ uri: path })
    const c = await store.collection(media, { dimension: 3, metric: 'dot' })
    await c.upsert([{ id: 1, vector: Float32Array.of(1, 2, 3) }, { id: '1', vector: Float32Array.of(-0, 1e-45, 3.4e38) }])
    await store.close()
    const db = await lancedb.connect(path)
    const table = await db.openTable('src.entities.Media')
    const schema = await table.schema()
    expect(schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toEqual(['id: Utf8', 'vector: FixedSizeList[3]<Float32>'])
    expect(Object.fromEntries(schema.metadata)).toEqual({ 'koan-backup.entity': 'src.entities.Media', 'koan-backup.metric': 'dot', 'koan-backup.ids': 'typed-key-1' })
    expect((await table.query().select(['id']).toArray()).map((r) => r.id).sort()).toEqual(['n:bff0000000000000', 's:1'])
    db.close()
    const again = lancedbStore({ uri: path })
    const reopened = await again.collection(media)
    expect([reopened.dimension, reopened.metric]).toEqual([3, 'dot'])
    const all = await readAll(reopened)
    expect(all.map((r) => r.id)).toEqual([1, '1'])
    expect(bytes(all[1]!.vector).equals(bytes(Float32Array.of(-0, 1e-45, 3.4e38)))).toBe(true)
    await again.close()
  })

  it('names tables from full names LanceDB accepts, and makes other names safe and distinct', async () => {
    expect(lanceTableName('src.my-app.v2.media_item.Media')).toBe('src.my-app.v2.media_item.Media')
    const awkward = ['src.ünïcödé.😀.Media', `a"b'c;--.d e.Media`, 'a b.Media', 'a_b.Media', '.hidden.Media', 'src/../x.Media', 'src.' + 'long-module.'.repeat(20) + 'A', 'src.' + 'long-module.'.repeat(20) + 'B']
    const names = awkward.map(lanceTableName)
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/)
    expect(new Set(names).size).toBe(awkward.length)
    const store = lancedbStore({ uri: uri() })
    for (const [i, fullName] of awkward.entries()) {
      const c = await store.collection({ fullName, name: 'Media' }, { dimension: 2, metric: 'l2' })
      await c.upsert(Array.from({ length: i + 1 }, (_, j) => ({ id: j, vector: Float32Array.of(i, j) })))
    }
    for (const [i, fullName] of awkward.entries()) expect(await (await store.collection({ fullName, name: 'Media' })).count()).toBe(i + 1)
    await store.close()
  })

  it('refuses a table of the same name that holds another entity or is not a vector table', async () => {
    const path = uri()
    const db = await lancedb.connect(path)
    await db.createTable('src.entities.Media', [{ id: 'x', text: 'not vectors' }])
    db.close()
    const store = lancedbStore({ uri: path })
    await expect(store.collection(media, { dimension: 2, metric: 'l2' })).rejects.toThrow('src.entities.Media: the LanceDB table src.entities.Media is not its vector table: it has no `id` (Utf8) and `vector` (fixed-size list of Float32) columns')
    await store.close()
  })

  it('pages end on any id: quotes, backslashes, U+0000 and unicode are plain data in its filters', async () => {
    const store = lancedbStore({ uri: uri(), pageSize: 1 })
    const c = await store.collection(media, { dimension: 1, metric: 'l2' })
    const ids = [`it's`, `''`, `"q"`, 'back\\slash', '\\', `'; DROP TABLE x; --`, 'a\u0000b', '\u0000', 'é😀', 'line\nbreak', '%', '_', '*', 'x OR 1=1', 3, -1, 0.5]
    await c.upsert(ids.map((id, i) => ({ id, vector: Float32Array.of(i) })))
    const all = await readAll(c)
    expect(all.map((r) => r.id)).toEqual([...ids].sort(compareIds))
    for (const r of all) expect(r.vector[0]).toBe(ids.indexOf(r.id))
    await store.close()
  })

  it('a stream reads the version current when it began, a page at a time', async () => {
    const store = lancedbStore({ uri: uri(), pageSize: 100 })
    const c = await store.collection(media, { dimension: 2, metric: 'l2' })
    await c.upsert(Array.from({ length: 250 }, (_, i) => ({ id: i, vector: Float32Array.of(i, 0) })))
    const iterator = c.stream()[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toMatchObject({ id: 0 })
    await c.upsert([{ id: 5, vector: Float32Array.of(-1, -1) }, { id: 1000, vector: Float32Array.of(1, 1) }])
    const seen: Array<[unknown, number]> = []
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) seen.push([r.value.id, r.value.vector[0]!])
    expect(seen).toHaveLength(249)
    expect(seen[4]).toEqual([5, 5])
    expect(await c.count()).toBe(251)
    await store.close()
  })

  it('searches exactly even when the table has an approximate index', async () => {
    const store = lancedbStore({ uri: uri() })
    const c = await store.collection(media, { dimension: 16, metric: 'l2' })
    const dataset = randomDataset(1000, 16, 5)
    await c.upsert(dataset)
    const db = await lancedb.connect(join(dir, `db-${n}`))
    const table = await db.openTable('src.entities.Media')
    await table.createIndex('vector', { config: lancedb.Index.ivfPq({ numPartitions: 4, numSubVectors: 2, distanceType: 'l2' }) })
    expect((await table.listIndices()).map((i) => i.name)).toEqual(['vector_idx'])
    db.close()
    const reference = memoryVectorStore()
    const r = await reference.collection(media, { dimension: 16, metric: 'l2' })
    await r.upsert(dataset)
    const byId = new Map(dataset.map((d) => [d.id, d.vector]))
    for (const q of [dataset[3]!.vector, dataset[700]!.vector]) expectSameNeighbours(await c.query(q, 20), await r.query(q, 20), 'l2', byId, q)
    await store.close()
  })
})
