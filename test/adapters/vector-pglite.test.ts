import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgliteVectorStore } from '../../runtime/adapters/vector/pglite.js'
import { seeded } from '../random.js'
import { bytes, media, readAll } from './vector-data.js'
import { vectorStoreContract } from './vector-contract.js'

const dir = mkdtempSync(join(tmpdir(), 'koan-pglite-'))
// one PGlite (in memory) for the contract, a schema per store: starting PGlite takes seconds
let shared: PGlite
let n = 0
beforeAll(async () => {
  shared = await PGlite.create({ extensions: { vector } })
})
afterAll(async () => {
  await shared.close()
  rmSync(dir, { recursive: true, force: true })
})

vectorStoreContract('pglite', () => pgliteVectorStore({ db: shared, schema: `contract_${++n}` }), { refusesNul: true, refusesLoneSurrogates: true })

describe('pglite vector store', () => {
  it('keeps vectors, dimension and metric in a data folder, across close and reopen', async () => {
    const dataDir = join(dir, 'data')
    const store = pgliteVectorStore({ dataDir })
    const c = await store.collection(media, { dimension: 3, metric: 'dot' })
    await c.upsert([{ id: 1, vector: Float32Array.of(1, 2, 3) }, { id: '1', vector: Float32Array.of(-0, 1e-45, 3.4e38) }])
    await store.close()
    const again = pgliteVectorStore({ dataDir })
    const reopened = await again.collection(media)
    expect([reopened.dimension, reopened.metric]).toEqual([3, 'dot'])
    const all = await readAll(reopened)
    expect(all.map((r) => r.id)).toEqual([1, '1'])
    expect(bytes(all[1]!.vector).equals(bytes(Float32Array.of(-0, 1e-45, 3.4e38)))).toBe(true)
    await again.close()
  })

  it('stores a table per entity with a "C" text id and a vector(N) column, and a catalog', async () => {
    const store = pgliteVectorStore({ db: shared, schema: 'layout' })
    await (await store.collection(media, { dimension: 5, metric: 'cosine' })).upsert([{ id: 7, vector: Float32Array.of(1, 2, 3, 4, 5) }])
    const columns = await shared.query<{ column_name: string; type: string; collation: string | null }>(`SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, c.collname AS collation FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation AND a.attcollation <> 0 WHERE a.attrelid = 'layout."src.entities.Media"'::regclass AND a.attnum > 0 ORDER BY a.attnum`)
    expect(columns.rows).toEqual([{ column_name: 'id', type: 'text', collation: 'C' }, { column_name: 'vector', type: 'vector(5)', collation: null }])
    expect((await shared.query('SELECT entity, dimension, metric FROM layout.koan_vector_collections')).rows).toEqual([{ entity: 'src.entities.Media', dimension: 5, metric: 'cosine' }])
    expect((await shared.query(`SELECT id, vector::text AS v FROM layout."src.entities.Media"`)).rows).toEqual([{ id: 'n:c01c000000000000', v: '[1,2,3,4,5]' }])
    await store.close()
    // the app's PGlite stays open
    expect((await shared.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })

  it('float32 values cross pgvector text input and binary output bit-exactly (20k random bit patterns)', async () => {
    const store = pgliteVectorStore({ db: shared, schema: 'bits' })
    const c = await store.collection(media, { dimension: 200, metric: 'l2' })
    const random = seeded(3)
    const records = Array.from({ length: 100 }, (_, i) => {
      const v = new Float32Array(Uint32Array.from({ length: 200 }, () => Math.floor(random() * 2 ** 32)).buffer)
      for (let j = 0; j < v.length; j++) if (!Number.isFinite(v[j]!)) v[j] = -0
      return { id: i, vector: v }
    })
    await c.upsert(records)
    const back = await readAll(c)
    for (const [i, r] of back.entries()) expect(bytes(r.vector).equals(bytes(records[i]!.vector))).toBe(true)
    // pgvector's own text output agrees (shortest float4 digits)
    const text = (await shared.query<{ v: string }>(`SELECT vector::text AS v FROM bits."src.entities.Media" ORDER BY id LIMIT 1`)).rows[0]!.v
    expect(bytes(Float32Array.from(JSON.parse(text) as number[])).equals(bytes(records[0]!.vector))).toBe(true)
    await store.close()
  })

  it('streams a page per query, fetched as the stream is read', async () => {
    const seen: string[] = []
    const spy = new Proxy(shared, {
      get(target, key) {
        if (key === 'query') return (sql: string, params?: unknown[]) => (seen.push(sql), target.query(sql, params))
        const value = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const store = pgliteVectorStore({ db: spy, schema: 'pages', pageSize: 100 })
    const c = await store.collection(media, { dimension: 2, metric: 'l2' })
    await c.upsert(Array.from({ length: 250 }, (_, i) => ({ id: i, vector: Float32Array.of(i, 0) })))
    seen.length = 0
    const iterator = c.stream()[Symbol.asyncIterator]()
    await iterator.next()
    expect(seen.filter((q) => q.includes('vector_send'))).toHaveLength(1)
    let rows = 1
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rows++
    expect(rows).toBe(250)
    expect(seen.filter((q) => q.includes('vector_send'))).toHaveLength(3)
    await store.close()
  })

  it('refuses a PGlite without the vector extension, saying how to make one', async () => {
    // what PGlite made without `extensions: { vector }` answers (a real one takes seconds to start)
    const plain = { exec: async () => Promise.reject(new Error('extension "vector" is not available')) } as unknown as PGlite
    const store = pgliteVectorStore({ db: plain })
    await expect(store.collection(media, { dimension: 2, metric: 'l2' })).rejects.toThrow(/the PGlite database has no pgvector extension \(extension "vector" is not available\); create it with `new PGlite\(\{ extensions: \{ vector \} \}\)`/)
    await store.close()
  })
})
