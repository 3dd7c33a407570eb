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
})
