import { expect, it } from 'vitest'
import type { Collection, DataStore, EntityDescriptor, EntityId } from '../../runtime/adapters/data/types.js'
import type { ContractEntities } from './entities.js'

/** What the parts of the contract share. */
export interface ContractEnv {
  /** The fixture's entities (loaded in `beforeAll`). */
  entities(): ContractEntities
  /** A fresh store, closed after the test. */
  open(): Promise<DataStore>
  /** A collection of a fresh store (or of `store`). */
  collectionOf(entity: EntityDescriptor, store?: DataStore): Promise<Collection>
  /** The ids a stream yields, in order. */
  ids(c: Collection): Promise<EntityId[]>
  /** The store has the restore paths `upsertStored` and `insertNewStored`. */
  storedWrites: boolean
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The contract of `transaction(fn)`, for stores that report `capabilities.transactions`. */
export function transactionContract({ entities, open, collectionOf, ids, storedWrites }: ContractEnv): void {
  it('commit: everything written inside is visible after, and inside to itself', async () => {
    const e = entities()
    const store = await open()
    const c = await store.collection(e.mediaEntity)
    const s = await store.collection(e.sampleEntity)
    const result = await c.transaction!(async () => {
      await c.upsert([e.media('t1'), e.media('t2')])
      await s.upsert([e.plainSample('t3')])
      expect(((await c.get('t1')) as any).id).toBe('t1')
      expect(await c.count()).toBe(2)
      expect(await c.existing(['t1', 't9'])).toEqual(new Set(['t1']))
      expect(await ids(c)).toEqual(['t1', 't2'])
      return 'done'
    })
    expect(result).toBe('done')
    expect(await ids(c)).toEqual(['t1', 't2'])
    expect(await s.count()).toBe(1)
  })

  it.skipIf(!storedWrites)('insertNewStored inside a transaction: the first of two rows with one id is kept, in the first batch and across batches', async () => {
    const e = entities()
    const store = await open()
    const c = await store.collection(e.mediaEntity)
    if (!c.insertNewStored) expect.fail('the store has no insertNewStored')
    await c.transaction!(async () => {
      expect(await c.insertNewStored!([e.storedMedia('x', 1), e.storedMedia('y', 1), e.storedMedia('x', 2)])).toEqual(['x'])
      expect(await c.insertNewStored!([e.storedMedia('y', 3), e.storedMedia('z', 1)])).toEqual(['y'])
    })
    expect(((await c.get('x')) as any).views).toBe(1)
    expect(((await c.get('y')) as any).views).toBe(1)
    expect(await c.count()).toBe(3)
  })

  it('rollback: a callback that throws leaves every collection of the store as it was', async () => {
    const e = entities()
    const store = await open()
    const c = await store.collection(e.mediaEntity)
    const s = await store.collection(e.sampleEntity)
    await c.upsert([e.media('kept', 1)])
    const boom = new Error('boom')
    await expect(c.transaction!(async () => {
      await c.upsert([e.media('kept', 2), e.media('gone')])
      await s.upsert([e.plainSample('gone')])
      await sleep(5)
      throw boom
    })).rejects.toBe(boom)
    expect(await c.count()).toBe(1)
    expect(((await c.get('kept')) as any).views).toBe(1)
    expect(await s.count()).toBe(0)
    // the store is usable after a rollback
    await c.transaction!(async () => c.upsert([e.media('next')]))
    expect(await c.count()).toBe(2)
  })

  it('a failing batch inside a transaction rolls back with it, or alone when caught', async () => {
    const e = entities()
    const c = await collectionOf(e.sampleEntity)
    const bad = e.plainSample('bad')
    bad.count = Number.POSITIVE_INFINITY
    await c.transaction!(async () => {
      await c.upsert([e.plainSample('a')])
      await expect(c.upsert([e.plainSample('b'), bad])).rejects.toMatchObject({ code: 'ROW_UNSERIALIZABLE' })
      await c.upsert([e.plainSample('c')])
    })
    expect(await ids(c)).toEqual(['a', 'c'])
  })

  it('nested transactions: an inner failure undoes only the inner writes', async () => {
    const e = entities()
    const c = await collectionOf(e.mediaEntity)
    await c.transaction!(async () => {
      await c.upsert([e.media('outer')])
      await expect(c.transaction!(async () => {
        await c.upsert([e.media('inner')])
        throw new Error('inner')
      })).rejects.toThrow('inner')
      await c.transaction!(async () => c.upsert([e.media('inner2')]))
      expect(await c.existing(['outer', 'inner', 'inner2'])).toEqual(new Set(['outer', 'inner2']))
    })
    expect(await ids(c)).toEqual(['inner2', 'outer'])
  })

  it('nothing uncommitted is seen from outside the transaction', async () => {
    const e = entities()
    const c = await collectionOf(e.mediaEntity)
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let committed = false
    const tx = c.transaction!(async () => {
      await c.upsert([e.media('pending')])
      await held
    }).then(() => (committed = true))
    await sleep(20)
    const outside = c.get('pending').then((row) => ({ row, committed }))
    const counted = c.count().then((count) => ({ count, committed }))
    await sleep(20)
    release()
    await tx
    const o = await outside
    if (o.row !== undefined) expect(o.committed).toBe(true)
    const n = await counted
    if (n.count !== 0) expect(n.committed).toBe(true)
    expect(await c.get('pending')).toBeDefined()
  })

  it('a write from outside a transaction never joins it: a rollback leaves it in place', async () => {
    const e = entities()
    const c = await collectionOf(e.mediaEntity)
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const tx = c.transaction!(async () => {
      await c.upsert([e.media('inside')])
      await held
      throw new Error('rolled back')
    })
    await sleep(20)
    const outside = c.upsert([e.media('outside')])
    await sleep(20)
    release()
    await expect(tx).rejects.toThrow('rolled back')
    await outside
    expect(await ids(c)).toEqual(['outside'])
  })
}
