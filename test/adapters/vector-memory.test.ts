import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { idFromKey, idKey } from '../../runtime/adapters/vector/ids.js'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import { compareIds } from '../../runtime/adapters/data/ids.js'
import { readAll } from './vector-data.js'
import { vectorStoreContract } from './vector-contract.js'

vectorStoreContract('memory', () => memoryVectorStore())

describe('memory vector store', () => {
  it('computes the documented distances: 1 − cos, Euclidean (not squared), −(a·b)', async () => {
    const store = memoryVectorStore()
    const entity = (metric: string) => ({ fullName: `src.D.${metric}`, name: 'D' })
    const a = Float32Array.from([1, 2, 3])
    const b = Float32Array.from([3, 2, 1])
    for (const [metric, distance] of [['cosine', 1 - 10 / 14], ['l2', Math.sqrt(8)], ['dot', -10]] as const) {
      const c = await store.collection(entity(metric), { dimension: 3, metric })
      await c.upsert([{ id: 'b', vector: b }])
      expect((await c.query(a, 1))[0]!.distance).toBeCloseTo(distance, 12)
    }
  })

  it('a stream reads the collection as it was when it began', async () => {
    const c = await memoryVectorStore().collection({ fullName: 'src.S', name: 'S' }, { dimension: 1, metric: 'l2' })
    await c.upsert([{ id: 'a', vector: Float32Array.of(1) }, { id: 'b', vector: Float32Array.of(2) }])
    const stream = c.stream()
    await c.upsert([{ id: 'a', vector: Float32Array.of(9) }, { id: 'c', vector: Float32Array.of(3) }])
    const seen: Array<[unknown, number]> = []
    for await (const r of stream) seen.push([r.id, r.vector[0]!])
    expect(seen).toEqual([['a', 1], ['b', 2]])
    expect((await readAll(c)).length).toBe(3)
  })
})

describe('vector stores module', () => {
  it('importing every vector store loads none of their client libraries', async () => {
    const stores = await import('../../runtime/adapters/vector/index.js')
    expect(Object.keys(stores).sort()).toEqual(['lancedbStore', 'memoryVectorStore', 'pgliteVectorStore', 'sqliteVecStore', 'vectorDistance'])
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    expect(loaded.filter((path) => /lancedb|pglite|sqlite-vec|better-sqlite3|apache-arrow/.test(path))).toEqual([])
  })
})

describe('vector id keys', () => {
  it('decode to the exact id and sort by code point as compareIds sorts ids', () => {
    const ids = [0, -0, 1, -1, 0.5, -0.5, 1e-300, -1e-300, 5e-324, -5e-324, 2 ** 53, Number.MAX_VALUE, -Number.MAX_VALUE, 1 / 3, '', 'a', 'n:', 's:', '😀', '\uffff', 'é', '0', '1']
    for (const id of ids) expect(idFromKey(idKey(id))).toBe(id === 0 ? 0 : id)
    const byKey = [...ids].sort((x, y) => {
      const a = Buffer.from(idKey(x))
      const b = Buffer.from(idKey(y))
      return Buffer.compare(a, b)
    })
    const byId = [...ids].sort(compareIds)
    expect(byKey.map(String)).toEqual(byId.map(String))
    expect(idKey(1)).toBe('n:bff0000000000000')
    expect(idKey('1')).toBe('s:1')
    expect(() => idFromKey('x:1')).toThrow(/not a vector id key/)
  })
})
