import { afterEach, describe, expect, it } from 'vitest'
import { compareIds } from '../../runtime/adapters/data/ids.js'
import type { EntityId } from '../../runtime/adapters/data/types.js'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import type { VectorCollection, VectorCollectionOptions, VectorEntity, VectorMetric, VectorStore } from '../../runtime/adapters/vector/types.js'
import { seeded } from '../random.js'
import { awkwardValues, bytes, expectSameNeighbours, media, randomDataset, readAll, sample } from './vector-data.js'

/** What an adapter promises beyond the common contract. */
export interface VectorContractOptions {
  /** Metrics `query` answers. @default all three */
  metrics?: VectorMetric[]
  /** Ids with U+0000 are refused (PostgreSQL text) rather than kept. */
  refusesNul?: boolean
  /** Ids with a lone surrogate are refused (UTF-8 text) rather than kept. */
  refusesLoneSurrogates?: boolean
}

const cosine4: VectorCollectionOptions = { dimension: 4, metric: 'cosine' }
const f32 = (...values: number[]) => Float32Array.from(values)

/**
 * The shared contract of vector stores: every adapter's test calls it with a factory of fresh,
 * empty stores. Distances are compared to the memory store's brute force.
 */
export function vectorStoreContract(name: string, makeStore: () => VectorStore | Promise<VectorStore>, options: VectorContractOptions = {}): void {
  const metrics = options.metrics ?? ['cosine', 'l2', 'dot']
  describe(`${name}: vector store contract`, () => {
    const opened: VectorStore[] = []
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close()
    })
    const open = async (): Promise<VectorStore> => {
      const store = await makeStore()
      opened.push(store)
      return store
    }
    const collectionOf = async (entity: VectorEntity = media, o: VectorCollectionOptions = cosine4, store?: VectorStore): Promise<VectorCollection> => (store ?? (await open())).collection(entity, o)

    it('reports its kind; a collection reports its dimension and metric, an existing one keeps its own', async () => {
      const store = await open()
      expect(typeof store.kind).toBe('string')
      const c = await store.collection(media, { dimension: 3, metric: 'l2' })
      expect([c.dimension, c.metric]).toEqual([3, 'l2'])
      await c.upsert([{ id: 'a', vector: f32(1, 2, 3) }])
      const again = await store.collection(media, { dimension: 5, metric: 'dot' })
      expect([again.dimension, again.metric]).toEqual([3, 'l2'])
      expect(await again.count()).toBe(1)
      const plain = await store.collection(media)
      expect([plain.dimension, plain.metric]).toEqual([3, 'l2'])
    })

    it('a collection asked for without options is empty and read-only until it is created', async () => {
      const store = await open()
      const missing = await store.collection(sample)
      expect([missing.dimension, missing.metric]).toEqual([null, null])
      expect(await missing.count()).toBe(0)
      expect(await readAll(missing)).toEqual([])
      expect(await missing.query(f32(1, 0), 3)).toEqual([])
      await missing.upsert([])
      await expect(missing.upsert([{ id: 'a', vector: f32(1, 0) }])).rejects.toThrow(/src\.entities\.Sample: the vector store has no collection for this entity yet; create it with store\.collection\(entity, \{ dimension, metric \}\)/)
      const created = await store.collection(sample, { dimension: 2, metric: 'dot' })
      await created.upsert([{ id: 'a', vector: f32(1, 0) }])
      // the handle made before now is that collection
      expect(await missing.count()).toBe(1)
      expect([missing.dimension, missing.metric]).toEqual([2, 'dot'])
    })

    it('refuses bad collection options, naming the option', async () => {
      const store = await open()
      await expect(store.collection(media, { dimension: 0, metric: 'l2' })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringContaining('option `dimension`') })
      await expect(store.collection(media, { dimension: 2.5, metric: 'l2' })).rejects.toMatchObject({ code: 'BAD_OPTION' })
      await expect(store.collection(media, { dimension: 2, metric: 'hamming' as VectorMetric })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringContaining('option `metric`') })
    })

    it('an empty collection counts 0, streams nothing and finds nothing', async () => {
      const c = await collectionOf()
      expect(await c.count()).toBe(0)
      expect(await readAll(c)).toEqual([])
      expect(await c.query(f32(1, 0, 0, 0), 5)).toEqual([])
      await c.upsert([])
      expect(await c.count()).toBe(0)
    })

    it('round-trips float32 values bit-exactly: subnormals, -0, extremes, values with no short decimal', async () => {
      const dimension = awkwardValues.length
      const c = await collectionOf(media, { dimension, metric: 'l2' })
      const awkward = Float32Array.from(awkwardValues)
      const reversed = awkward.slice().reverse()
      // a view into a larger buffer, at an offset
      const backing = new Float32Array(dimension + 3)
      backing.set(awkward.map((x) => -x), 2)
      const view = backing.subarray(2, 2 + dimension)
      // random bit patterns: every exponent, every mantissa
      const random = seeded(7)
      const patterns = Array.from({ length: 300 }, () => {
        const bits = Uint32Array.from({ length: dimension }, () => Math.floor(random() * 2 ** 32))
        const v = new Float32Array(bits.buffer)
        for (let i = 0; i < dimension; i++) if (!Number.isFinite(v[i]!)) v[i] = Math.fround(i / 7)
        return v
      })
      const records = [{ id: 'awkward', vector: awkward }, { id: 'reversed', vector: reversed }, { id: 'view', vector: view }, ...patterns.map((vector, i) => ({ id: i, vector }))]
      await c.upsert(records)
      expect(await c.count()).toBe(records.length)
      const back = new Map((await readAll(c)).map((r) => [r.id, r.vector]))
      for (const { id, vector } of records) {
        const got = back.get(id)!
        expect(got).toBeInstanceOf(Float32Array)
        expect(bytes(got).equals(bytes(vector)), `vector of ${String(id)}`).toBe(true)
      }
      expect(Object.is(back.get('awkward')![4], -0)).toBe(true)
      expect(back.get('awkward')![0]).toBe(1.401298464324817e-45)
    })

    it('keeps copies: changing an array after upsert, or one a stream returned, changes nothing stored', async () => {
      const c = await collectionOf()
      const v = f32(1, 2, 3, 4)
      await c.upsert([{ id: 'a', vector: v }])
      v[0] = 99
      const [first] = await readAll(c)
      expect(Array.from(first!.vector)).toEqual([1, 2, 3, 4])
      first!.vector[1] = 99
      expect(Array.from((await readAll(c))[0]!.vector)).toEqual([1, 2, 3, 4])
    })

    it('refuses NaN and ±Infinity with a clear error, writing nothing of the batch', async () => {
      const c = await collectionOf()
      await c.upsert([{ id: 'keep', vector: f32(1, 1, 1, 1) }])
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const batch = [{ id: 'new', vector: f32(1, 2, 3, 4) }, { id: 'keep', vector: f32(2, 2, 2, 2) }, { id: 'bad', vector: f32(1, bad, 0, 0) }]
        await expect(c.upsert(batch)).rejects.toMatchObject({ code: 'ROW_UNSERIALIZABLE', message: expect.stringContaining(`src.entities.Media: the vector of id "bad" holds ${bad} at index 1; vectors must be finite`) })
      }
      expect(await c.count()).toBe(1)
      expect(Array.from((await readAll(c))[0]!.vector)).toEqual([1, 1, 1, 1])
    })

    it('refuses a vector of the wrong dimension, naming the entity, id, expected and found dimension', async () => {
      const c = await collectionOf()
      await expect(c.upsert([{ id: 'ok', vector: f32(1, 2, 3, 4) }, { id: 'short', vector: f32(1, 2, 3) }])).rejects.toMatchObject({
        code: 'ROW_UNSERIALIZABLE',
        message: '[koan-backup] src.entities.Media: the vector of id "short" has the wrong dimension: expected 4, found 3',
        details: expect.objectContaining({ entity: 'src.entities.Media', id: 'short', expected: 4, found: 3 }),
      })
      await expect(c.upsert([{ id: 7, vector: new Float32Array(5) }])).rejects.toThrow('src.entities.Media: the vector of id 7 has the wrong dimension: expected 4, found 5')
      await expect(c.upsert([{ id: 'array', vector: [1, 2, 3, 4] as unknown as Float32Array }])).rejects.toThrow('the vector of id "array" must be a Float32Array, found Array')
      expect(await c.count()).toBe(0)
      await expect(c.query(f32(1, 2), 1)).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringContaining('the query vector has the wrong dimension: expected 4, found 2') })
    })

    it('refuses ids that are not strings or finite numbers', async () => {
      const c = await collectionOf()
      for (const id of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, {}, 1n]) {
        await expect(c.upsert([{ id: id as unknown as EntityId, vector: f32(1, 0, 0, 0) }])).rejects.toMatchObject({ code: 'ROW_UNSERIALIZABLE', message: expect.stringContaining('src.entities.Media: cannot store the vector of id') })
      }
      expect(await c.count()).toBe(0)
    })

    it('upsert replaces vectors by id (the last of a batch wins)', async () => {
      const c = await collectionOf()
      await c.upsert([{ id: 'a', vector: f32(1, 0, 0, 0) }, { id: 'b', vector: f32(0, 1, 0, 0) }])
      await c.upsert([{ id: 'a', vector: f32(2, 0, 0, 0) }])
      await c.upsert([{ id: 'b', vector: f32(3, 0, 0, 0) }, { id: 'c', vector: f32(4, 0, 0, 0) }, { id: 'b', vector: f32(5, 0, 0, 0) }])
      const all = await readAll(c)
      expect(all.map((r) => [r.id, r.vector[0]])).toEqual([['a', 2], ['b', 5], ['c', 4]])
      expect(await c.count()).toBe(3)
    })

    it('string and number ids come back exact, typed and distinct, in id order', async () => {
      const c = await collectionOf(media, { dimension: 1, metric: 'l2' })
      const numbers = [0, 1, -1, 1.5, -2.5, 9, 10, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e300, -1e300, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1 + 0.2]
      const strings = ['1', '0', '', 'a', 'B', `it's`, `"quoted"`, 'back\\slash', `'; DROP TABLE x; --`, 'é', 'a\u0301', '😀', '\uffff', 'line\nbreak', '  spaces ', 'NULL', 'null', '{"a":1}', '10', '9', 'n:0000', 's:x', '%_*?', '$1', '-0']
      const ids: EntityId[] = [...strings, ...numbers]
      await c.upsert(ids.map((id, i) => ({ id, vector: f32(i) })))
      expect(await c.count()).toBe(ids.length)
      const all = await readAll(c)
      const expected = [...ids].sort(compareIds)
      expect(all.map((r) => r.id)).toEqual(expected)
      for (const r of all) expect(r.vector[0], `value of ${JSON.stringify(r.id)}`).toBe(ids.indexOf(r.id))
      expect(all.map((r) => typeof r.id)).toEqual(expected.map((id) => typeof id))
      // -0 is the id 0
      await c.upsert([{ id: -0, vector: f32(-1) }])
      expect(await c.count()).toBe(ids.length)
      const zero = (await readAll(c)).find((r) => r.id === 0)!
      expect([Object.is(zero.id, 0), zero.vector[0]]).toEqual([true, -1])
    })

    it('ids a store cannot keep exactly are refused clearly; the others are kept', async () => {
      const c = await collectionOf()
      const v = f32(1, 0, 0, 0)
      for (const [id, refused, why] of [['a\u0000b', options.refusesNul, /cannot hold U\+0000/], ['x\ud800y', options.refusesLoneSurrogates, /lone surrogate/]] as const) {
        if (refused) {
          await expect(c.upsert([{ id, vector: v }])).rejects.toMatchObject({ code: 'ROW_UNSERIALIZABLE', message: expect.stringMatching(why) })
        } else {
          await c.upsert([{ id, vector: v }])
          expect((await readAll(c)).some((r) => r.id === id)).toBe(true)
        }
      }
    })

    it('streams 20k vectors of 64 dims progressively, in id order; streams left early are released', async () => {
      const c = await collectionOf(media, { dimension: 64, metric: 'l2' })
      const n = 20_000
      const id = (i: number) => `m${String(i).padStart(6, '0')}`
      const vectorOf = (i: number) => Float32Array.from({ length: 64 }, (_, j) => i + j / 64)
      // written in a scrambled order: the stream sorts
      const order = Array.from({ length: n }, (_, i) => (i * 7919) % n)
      for (let i = 0; i < n; i += 5000) await c.upsert(order.slice(i, i + 5000).map((k) => ({ id: id(k), vector: vectorOf(k) })))
      expect(await c.count()).toBe(n)
      const iterator = c.stream()[Symbol.asyncIterator]()
      const first = await iterator.next()
      expect(first.done).toBe(false)
      expect(first.value!.id).toBe(id(0))
      let seen = 1
      let last = first.value!.id
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        expect(compareIds(last, r.value.id)).toBeLessThan(0)
        last = r.value.id
        if (seen % 997 === 0) expect(bytes(r.value.vector).equals(bytes(vectorOf(seen)))).toBe(true)
        seen++
      }
      expect(seen).toBe(n)
      for (let k = 0; k < 25; k++) {
        let taken = 0
        for await (const _ of c.stream()) if (++taken === 3) break
      }
      await c.upsert([{ id: 'after', vector: vectorOf(1) }])
      expect(await c.count()).toBe(n + 1)
    })

    describe.each(metrics)('query (%s)', (metric) => {
      it('finds the same neighbours as brute force on 2000 seeded vectors of 32 dims', async () => {
        const dataset = randomDataset(2000, 32, 20261127)
        const store = await open()
        const c = await store.collection({ fullName: `src.entities.Knn_${metric}`, name: 'Knn' }, { dimension: 32, metric })
        for (let i = 0; i < dataset.length; i += 500) await c.upsert(dataset.slice(i, i + 500))
        const reference = memoryVectorStore()
        const r = await reference.collection(media, { dimension: 32, metric })
        await r.upsert(dataset)
        const byId = new Map(dataset.map((d) => [d.id, d.vector]))
        const random = seeded(99)
        const queries = [...Array.from({ length: 8 }, () => Float32Array.from({ length: 32 }, () => random() * 2 - 1)), dataset[17]!.vector, dataset[1234]!.vector]
        for (const [i, q] of queries.entries()) {
          const k = i === 0 ? 60 : 10
          const expected = await r.query(q, k)
          const actual = await c.query(q, k)
          expectSameNeighbours(actual, expected, metric, byId, q)
          if (i >= 8 && metric !== 'dot') expect(actual[0]!.id).toBe(dataset[i === 8 ? 17 : 1234]!.id)
        }
        // k over the count: every vector, nearest first
        const everything = await c.query(queries[1]!, 2500)
        expectSameNeighbours(everything, await r.query(queries[1]!, 2500), metric, byId, queries[1]!)
        expect(await c.query(queries[1]!, 0)).toEqual([])
        await expect(c.query(queries[1]!, -1)).rejects.toMatchObject({ code: 'BAD_OPTION' })
        await expect(c.query(queries[1]!, 1.5)).rejects.toMatchObject({ code: 'BAD_OPTION' })
        await reference.close()
      })
    })

    it('cosine: zero vectors are stored and streamed, never neighbours; a zero query is refused', async () => {
      const c = await collectionOf()
      await c.upsert([{ id: 'zero', vector: f32(0, 0, 0, 0) }, { id: 'minus-zero', vector: f32(-0, 0, -0, 0) }, { id: 'x', vector: f32(1, 0, 0, 0) }, { id: 'y', vector: f32(0, 1, 0, 0) }, { id: 'z', vector: f32(0, 0, 1, 0) }])
      expect((await readAll(c)).map((r) => r.id)).toEqual(['minus-zero', 'x', 'y', 'z', 'zero'])
      expect((await c.query(f32(1, 0.5, 0, 0), 2)).map((n) => n.id)).toEqual(['x', 'y'])
      expect((await c.query(f32(1, 0.5, 0, 0), 5)).map((n) => n.id)).toEqual(['x', 'y', 'z'])
      // a vector that becomes zero leaves the neighbours, and comes back when it is not zero again
      await c.upsert([{ id: 'x', vector: f32(0, 0, 0, 0) }])
      expect((await c.query(f32(1, 0.5, 0, 0), 2)).map((n) => n.id)).toEqual(['y', 'z'])
      await c.upsert([{ id: 'x', vector: f32(1, 0, 0, 0) }])
      expect((await c.query(f32(1, 0.5, 0, 0), 1)).map((n) => n.id)).toEqual(['x'])
      await expect(c.query(f32(0, -0, 0, 0), 2)).rejects.toThrow('src.entities.Media: the query vector is all zeros, which has no cosine distance to anything')
    })

    it('two entities of one store are isolated', async () => {
      const store = await open()
      const a = await store.collection(media, { dimension: 2, metric: 'l2' })
      const b = await store.collection(sample, { dimension: 3, metric: 'dot' })
      await a.upsert([{ id: 'x', vector: f32(1, 2) }])
      await b.upsert([{ id: 'x', vector: f32(3, 4, 5) }, { id: 'y', vector: f32(6, 7, 8) }])
      expect(await a.count()).toBe(1)
      expect(await b.count()).toBe(2)
      expect((await readAll(a)).map((r) => Array.from(r.vector))).toEqual([[1, 2]])
      expect((await a.query(f32(0, 0), 5)).map((n) => n.id)).toEqual(['x'])
      expect((await b.query(f32(1, 1, 1), 5)).map((n) => n.id)).toEqual(['y', 'x'])
      // a second collection() of the same entity sees the same vectors
      expect(await (await store.collection(media)).count()).toBe(1)
    })

    it('entities with awkward full names work and stay apart', async () => {
      const store = await open()
      const long = 'src.' + 'very-long-module-name.'.repeat(4)
      const names = ['src.my-app.v2.media-item.Media', `a"b'c;--.d e.Media`, 'src.ünïcödé.😀.Media', `${long}A`, `${long}B`, 'select.from.where.Media', 'koan_vector_collections']
      for (const [i, fullName] of names.entries()) {
        const c = await store.collection({ fullName, name: 'Media' }, { dimension: 2, metric: 'l2' })
        await c.upsert(Array.from({ length: i + 1 }, (_, j) => ({ id: `r${j}`, vector: f32(i, j) })))
      }
      for (const [i, fullName] of names.entries()) {
        const c = await store.collection({ fullName, name: 'Media' })
        expect(await c.count()).toBe(i + 1)
        expect(Array.from((await readAll(c))[0]!.vector)).toEqual([i, 0])
      }
    })

    it('close() with a stream still open: the stream then fails clearly', async () => {
      const store = await makeStore()
      const c = await store.collection(media, { dimension: 2, metric: 'l2' })
      await c.upsert(Array.from({ length: 3000 }, (_, i) => ({ id: `r${String(i).padStart(4, '0')}`, vector: f32(i, 1) })))
      const iterator = c.stream()[Symbol.asyncIterator]()
      expect((await iterator.next()).done).toBe(false)
      await store.close()
      const rest = async () => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) { /* what was read before close */ }
      }
      await expect(rest()).rejects.toThrow(/closed/)
    })

    it('close() releases the store; it can be called twice and later use fails clearly', async () => {
      const store = await makeStore()
      const c = await store.collection(media, cosine4)
      await c.upsert([{ id: 'a', vector: f32(1, 0, 0, 0) }])
      await store.close()
      await store.close()
      await expect(Promise.resolve().then(() => c.count())).rejects.toThrow(/closed/)
      await expect(Promise.resolve().then(() => c.upsert([]))).rejects.toThrow(/closed/)
      await expect(Promise.resolve().then(() => c.query(f32(1, 0, 0, 0), 1))).rejects.toThrow(/closed/)
      await expect(Promise.resolve().then(() => store.collection(media))).rejects.toThrow(/closed/)
    })
  })
}
