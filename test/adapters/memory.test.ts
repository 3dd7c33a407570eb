import { describe, expect, it } from 'vitest'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import { dataStoreContract } from './contract.js'
import { ContractEntities } from './entities.js'

dataStoreContract('memory', () => memoryStore(), { capabilities: { transactions: true, constraints: false, snapshot: true } })
dataStoreContract('memory with constraint hooks', () => memoryStore({ constraints: true }), { capabilities: { transactions: true, constraints: true, snapshot: true } })

describe('memory store', () => {
  it('records constraint hook calls only when asked to', async () => {
    const e = await ContractEntities.load()
    const plain = await memoryStore().collection(e.mediaEntity)
    expect(plain.disableConstraints).toBeUndefined()
    const store = memoryStore({ constraints: true })
    const c = await store.collection(e.mediaEntity)
    await c.disableConstraints!()
    await c.enableConstraints!()
    expect(store.constraintCalls).toEqual(['disable src.entities.Media', 'enable src.entities.Media'])
  })

  it('takes rows as ids and JSON texts (upsertTexts, insertNewTexts), with the checks and transaction semantics of the stored paths', async () => {
    const e = await ContractEntities.load()
    const c = await memoryStore().collection(e.mediaEntity)
    const text = (id: string, views: number) => JSON.stringify(e.storedMedia(id, views))
    await c.upsertTexts!(['a', 'b'], [text('a', 1), text('b', 1)])
    expect(await c.insertNewTexts!(['b', 'c', 'c'], [text('b', 2), text('c', 2), text('c', 3)])).toEqual(['b', 'c'])
    await c.upsertTexts!(['a'], [text('a', 4)])
    expect(((await c.get('a')) as { views: number }).views).toBe(4)
    expect(((await c.get('b')) as { views: number }).views).toBe(1)
    expect(((await c.get('c')) as { views: number }).views).toBe(2)
    // a bad id or a missing text refuses the whole batch before any row is kept
    await expect(c.insertNewTexts!(['d', null as unknown as string], [text('d', 1), text('d', 1)])).rejects.toThrow(/no string or number id/)
    await expect(c.upsertTexts!(['d', 'e'], [text('d', 1)])).rejects.toThrow(/1 texts for 2 rows/)
    expect(await c.existing(['d', 'e'])).toEqual(new Set())
    // inside a transaction: staged, read back, the first of two rows with one id kept across batches, gone on rollback
    await expect(c.transaction!(async () => {
      expect(await c.insertNewTexts!(['x', 'y'], [text('x', 1), text('y', 1)])).toEqual([])
      expect(await c.insertNewTexts!(['x'], [text('x', 2)])).toEqual(['x'])
      expect(((await c.get('x')) as { views: number }).views).toBe(1)
      throw new Error('rolled back')
    })).rejects.toThrow('rolled back')
    expect(await c.count()).toBe(3)
  })
})
