import fc from 'fast-check'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { compareIds } from '../../runtime/adapters/data/ids.js'
import type { Collection, CollectionCapabilities, DataStore, EntityDescriptor, EntityId } from '../../runtime/adapters/data/types.js'
import { Arbitraries } from '../codec/arbitraries.js'
import { transactionContract, type ContractEnv } from './contract-transactions.js'
import { ContractEntities } from './entities.js'

/** What an adapter promises, checked by the contract. */
export interface ContractOptions {
  /** The capabilities every collection must report. */
  capabilities: CollectionCapabilities
  /** The store's text cannot hold U+0000 (PostgreSQL): the property test leaves such values out. */
  rejectsNul?: boolean
  /** The store has the optional restore paths `upsertStored` and `insertNewStored` (default: it must). */
  storedWrites?: boolean
}

/**
 * The shared contract of data stores: every adapter's test calls it with a factory of fresh, empty
 * stores. Rows are entities of the codec fixture (Sample has every stored type kind).
 */
export function dataStoreContract(name: string, makeStore: () => DataStore | Promise<DataStore>, options: ContractOptions): void {
  describe(`${name}: data store contract`, () => {
    let e: ContractEntities
    const opened: DataStore[] = []
    beforeAll(async () => {
      e = await ContractEntities.load()
    })
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close?.()
    })
    const open = async (): Promise<DataStore> => {
      const store = await makeStore()
      opened.push(store)
      return store
    }
    const collectionOf = async (entity: EntityDescriptor, store?: DataStore): Promise<Collection> => (await (store ?? (await open())).collection(entity))
    const all = async (c: Collection): Promise<any[]> => {
      const rows: any[] = []
      for await (const row of c.stream()) rows.push(row)
      return rows
    }
    const ids = async (c: Collection): Promise<EntityId[]> => (await all(c)).map((r) => r.id)
    const env: ContractEnv = { entities: () => e, open, collectionOf, ids, storedWrites: options.storedWrites !== false }

    it('reports its capabilities and kind', async () => {
      const store = await open()
      expect(typeof store.kind).toBe('string')
      expect((await store.collection(e.mediaEntity)).capabilities).toEqual(options.capabilities)
    })

    it('an empty collection counts 0, streams nothing, has no rows', async () => {
      const c = await collectionOf(e.sampleEntity)
      expect(await c.count()).toBe(0)
      expect(await all(c)).toEqual([])
      expect(await c.get('nope')).toBeUndefined()
      expect(await c.existing(['nope', 'x'])).toEqual(new Set())
      expect(await c.existing([])).toEqual(new Set())
      await c.upsert([])
      expect(await c.count()).toBe(0)
    })

    it('round-trips every stored type kind exactly, as instances of the class', async () => {
      const c = await collectionOf(e.sampleEntity)
      const rows = [e.fullSample('s1'), e.plainSample('s2')]
      const withNulls = e.fullSample('s3')
      Object.assign(withNulls, { owner: null, deletedAt: null, extra: null, address: undefined, note: '' })
      delete withNulls.address
      delete withNulls.buffer
      rows.push(withNulls)
      await c.upsert(rows)
      expect(await c.count()).toBe(3)
      expect(await c.existing(['s1', 's2', 's3', 's4'])).toEqual(new Set(['s1', 's2', 's3']))
      for (const row of rows) {
        const back = await c.get(row.id)
        expect(back).toStrictEqual(row)
        expect(back).toBeInstanceOf(e.SampleClass)
        // a key left out stays left out (not `undefined`, not `null`)
        expect(Object.keys(back as object)).toEqual(Object.keys(row))
      }
      const streamed = await all(c)
      expect(streamed).toStrictEqual(rows)
      for (const row of streamed) expect(row).toBeInstanceOf(e.SampleClass)
    })

    it('property: what is upserted is what get returns', async () => {
      const c = await collectionOf(e.sampleEntity)
      const shape = e.loaded.registry.entities.find((x) => x.name === 'Sample')!.shape!
      const arb = new Arbitraries(e.loaded.registry.shapes, e.loaded).shape(shape)
      await fc.assert(fc.asyncProperty(arb, async (x: any) => {
        fc.pre(!(options.rejectsNul && e.sampleCodec.serialize(x).includes('\\u0000')))
        await c.upsert([x])
        expect(await c.get(x.id)).toStrictEqual(x)
      }), { numRuns: 60, seed: 20261127 })
    })

    it.skipIf(options.storedWrites === false)('upsertStored takes stored rows, with or without the JSON text each was parsed from, as upsert takes entities', async () => {
      const c = await collectionOf(e.sampleEntity)
      if (!c.upsertStored) expect.fail(`${name} has no upsertStored`)
      const rows = [e.fullSample('t1'), e.plainSample('t2'), e.fullSample('t3')]
      const texts = rows.map((r) => e.sampleCodec.serialize(r))
      await c.upsertStored(texts.slice(0, 2).map((t) => JSON.parse(t)), texts.slice(0, 2))
      await c.upsertStored([JSON.parse(texts[2]!)])
      for (const row of rows) expect(await c.get(row.id)).toStrictEqual(row)
      expect(await ids(c)).toEqual(['t1', 't2', 't3'])
      // the text of a valid row need not be canonical (a backup edited by hand): what it parses to is stored
      const spaced = texts[1]!.replace('{', '{ ').replace(/,"/g, ', "')
      await c.upsertStored([JSON.parse(spaced)], [spaced])
      expect(await c.get('t2')).toStrictEqual(rows[1])
      expect(e.sampleCodec.serialize(await c.get('t2'))).toBe(texts[1])
    })

    it.skipIf(options.storedWrites === false)('insertNewStored inserts only new ids, leaves existing rows untouched, and names what it skipped', async () => {
      const c = await collectionOf(e.mediaEntity)
      if (!c.insertNewStored) expect.fail(`${name} has no insertNewStored`)
      await c.upsert([e.media('a', 1), e.media('c', 1)])
      const skipped = await c.insertNewStored([e.storedMedia('a', 2), e.storedMedia('b', 2), e.storedMedia('c', 2), e.storedMedia('d', 2), e.storedMedia('b', 3)])
      expect([...skipped].sort()).toEqual(['a', 'b', 'c'])
      expect(((await c.get('a')) as any).views).toBe(1)
      expect(((await c.get('c')) as any).views).toBe(1)
      // of two rows with one id in a call, the first is inserted
      expect(((await c.get('b')) as any).views).toBe(2)
      expect(((await c.get('d')) as any).views).toBe(2)
      expect(await c.count()).toBe(4)
      expect(await c.insertNewStored([])).toEqual([])
      // a row that cannot be stored (no id) leaves the whole call unwritten
      await expect(c.insertNewStored([e.storedMedia('e', 1), { ...e.storedMedia('f', 1), id: null }])).rejects.toThrow()
      expect(await c.existing(['e', 'f'])).toEqual(new Set())
    })

    it('keeps copies: changing an object after upsert, or one that get returned, changes no stored row', async () => {
      const c = await collectionOf(e.sampleEntity)
      const row = e.fullSample('c1')
      await c.upsert([row])
      row.tags.push('later')
      row.counters.set('z', 9)
      row.text = 'changed'
      const back = (await c.get('c1')) as any
      expect(back.tags).toEqual(['a', ''])
      expect(back.text).toBe(e.fullSample('c1').text)
      back.tags.push('mutated')
      expect(((await c.get('c1')) as any).tags).toEqual(['a', ''])
    })

    it('upsert replaces rows by id (the last of a batch wins)', async () => {
      const c = await collectionOf(e.mediaEntity)
      await c.upsert([e.media('a', 1), e.media('b', 1)])
      await c.upsert([e.media('a', 2)])
      expect(((await c.get('a')) as any).views).toBe(2)
      expect(((await c.get('b')) as any).views).toBe(1)
      await c.upsert([e.media('b', 3), e.media('c', 1), e.media('b', 4)])
      expect(((await c.get('b')) as any).views).toBe(4)
      expect(await c.count()).toBe(3)
      // a replaced row loses fields the new version leaves out
      const s = await collectionOf(e.sampleEntity)
      await s.upsert([e.fullSample('x')])
      await s.upsert([e.plainSample('x')])
      expect(await s.get('x')).toStrictEqual(e.plainSample('x'))
    })

    it('streams in id order: strings by code point, whatever the insertion order', async () => {
      const c = await collectionOf(e.mediaEntity)
      const names = ['b', 'a', 'B', 'é', '😀', '\uffff', 'a b', '10', '9', '', 'Z', 'ä', 'a\u0301']
      await c.upsert(names.map((id) => e.media(id)))
      const expected = [...names].sort(compareIds)
      expect(expected.indexOf('\uffff')).toBeLessThan(expected.indexOf('😀'))
      expect(await ids(c)).toEqual(expected)
      expect(await ids(c)).toEqual(expected)
    })

    it('ids with quotes, SQL and unicode are plain data', async () => {
      const c = await collectionOf(e.mediaEntity)
      const awkward = [`it's`, `"quoted"`, 'back\\slash', `'; DROP TABLE x; --`, '%_*?', 'é😀', '  spaces ', 'line\nbreak', '$1', 'NULL', 'null', '{"a":1}']
      await c.upsert(awkward.map((id, i) => e.media(id, i)))
      for (const [i, id] of awkward.entries()) expect(((await c.get(id)) as any)?.views).toBe(i)
      expect(await c.existing([...awkward, 'missing'])).toEqual(new Set(awkward))
      expect(await c.get(`it''s`)).toBeUndefined()
      expect(new Set(await ids(c))).toEqual(new Set(awkward))
    })

    it('existing() answers for long id lists', async () => {
      const c = await collectionOf(e.mediaEntity)
      await c.upsert(Array.from({ length: 1500 }, (_, i) => e.media(`k${i}`)))
      const asked = Array.from({ length: 3000 }, (_, i) => `k${i * 2}`)
      const found = await c.existing(asked)
      expect(found.size).toBe(750)
      expect(found.has('k0') && found.has('k1498') && !found.has('k1500') && !found.has('k1')).toBe(true)
    })

    it('streams 20k rows progressively, in order, and releases a stream that is left early', async () => {
      const c = await collectionOf(e.mediaEntity)
      const n = 20_000
      const id = (i: number) => `m${String(i).padStart(6, '0')}`
      for (let i = 0; i < n; i += 5000) await c.upsert(Array.from({ length: 5000 }, (_, j) => e.media(id(i + j), i + j)))
      expect(await c.count()).toBe(n)
      const stream = c.stream()
      expect(typeof stream[Symbol.asyncIterator]).toBe('function')
      const iterator = stream[Symbol.asyncIterator]()
      const first = await iterator.next()
      expect(first.done).toBe(false)
      expect((first.value as any).id).toBe(id(0))
      if (options.capabilities.snapshot) {
        // written after the stream began: a snapshot does not see it
        await c.upsert([e.media(id(n - 1), -1), e.media('z-new', -1)])
      }
      let seen = 1
      let last = (first.value as any).id as string
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        const row = r.value as any
        expect(compareIds(last, row.id)).toBeLessThan(0)
        last = row.id
        if (options.capabilities.snapshot) expect(row.views).toBe(seen)
        seen++
      }
      expect(seen).toBe(n)
      // streams left after a few rows give back what they hold
      for (let k = 0; k < 25; k++) {
        let taken = 0
        for await (const _ of c.stream()) if (++taken === 3) break
      }
      await c.upsert([e.media('after', 1)])
      expect(await c.get('after')).toBeDefined()
    })

    it('a bad row leaves its whole batch unwritten', async () => {
      const c = await collectionOf(e.sampleEntity)
      await c.upsert([e.fullSample('keep')])
      const bad = e.fullSample('bad')
      bad.count = Number.NaN
      const replaced = e.plainSample('keep')
      await expect(c.upsert([e.plainSample('new1'), replaced, bad, e.plainSample('new2')])).rejects.toMatchObject({ code: 'ROW_UNSERIALIZABLE' })
      expect(await c.count()).toBe(1)
      expect(await c.existing(['new1', 'new2', 'bad', 'keep'])).toEqual(new Set(['keep']))
      expect(await c.get('keep')).toStrictEqual(e.fullSample('keep'))
    })

    it('two entities of one store are isolated', async () => {
      const store = await open()
      const media = await store.collection(e.mediaEntity)
      const sample = await store.collection(e.sampleEntity)
      await media.upsert([e.media('x', 7)])
      await sample.upsert([e.plainSample('x'), e.plainSample('y')])
      expect(await media.count()).toBe(1)
      expect(await sample.count()).toBe(2)
      expect(((await media.get('x')) as any).views).toBe(7)
      expect(await sample.get('x')).toStrictEqual(e.plainSample('x'))
      // a second collection() of the same entity sees the same rows
      expect(await (await store.collection(e.mediaEntity)).count()).toBe(1)
    })

    it('tables with awkward full names work and stay apart', async () => {
      const store = await open()
      const long = 'src.' + 'very-long-module-name.'.repeat(4)
      const names = ['src.my-app.v2.media-item.Media', `a"b'c;--.d e.Media`, 'src.ünïcödé.😀.Media', `${long}A`, `${long}B`, 'select.from.where.Media']
      for (const [i, fullName] of names.entries()) {
        const c = await store.collection({ ...e.mediaEntity, fullName })
        await c.upsert(Array.from({ length: i + 1 }, (_, j) => e.media(`r${j}`, i)))
      }
      for (const [i, fullName] of names.entries()) {
        const c = await store.collection({ ...e.mediaEntity, fullName })
        expect(await c.count()).toBe(i + 1)
        expect(((await c.get('r0')) as any).views).toBe(i)
      }
    })

    describe.runIf(options.capabilities.transactions)('transactions', () => transactionContract(env))

    describe.runIf(options.capabilities.constraints)('constraints', () => {
      it('disable, bulk load, enable keeps the rows', async () => {
        const c = await collectionOf(e.mediaEntity)
        await c.disableConstraints!()
        await c.upsert(Array.from({ length: 100 }, (_, i) => e.media(`c${i}`)))
        await c.enableConstraints!()
        expect(await c.count()).toBe(100)
      })
    })

    it('close() with a stream still open does not wait for it; the stream then fails clearly', async () => {
      const store = await makeStore()
      const c = await store.collection(e.mediaEntity)
      await c.upsert(Array.from({ length: 3000 }, (_, i) => e.media(`r${String(i).padStart(4, '0')}`)))
      const iterator = c.stream()[Symbol.asyncIterator]()
      expect((await iterator.next()).done).toBe(false)
      await store.close?.()
      const rest = async () => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) { /* rows read before close */ }
      }
      await expect(rest()).rejects.toThrow(/closed/)
    })

    it('close() releases the store; it can be called twice and later use fails clearly', async () => {
      const store = await makeStore()
      const c = await store.collection(e.mediaEntity)
      await c.upsert([e.media('a')])
      await store.close?.()
      await store.close?.()
      await expect(Promise.resolve().then(() => c.count())).rejects.toThrow(/closed/)
      await expect(Promise.resolve().then(() => store.collection(e.mediaEntity))).rejects.toThrow(/closed/)
    })
  })
}
