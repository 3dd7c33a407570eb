import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import { cleanup, engine, fixtureRegistry, tempRoot } from './setup.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'

const ACCOUNT = 'src.entities.Account'
const key = (n: number) => `base64:${Buffer.alloc(32, n).toString('base64')}`
const roots: string[] = []
afterAll(() => { for (const r of roots) cleanup(r) })

describe('vectors of an encrypted entity', () => {
  it('are written encrypted (KBE1, bound to the vectors role) and restore with the key only', async () => {
    // Account is encrypted; give it an embedding recipe through a registry copy of the fixture
    const m = await fixtureRegistry()
    const registry = structuredClone(m.registry)
    const account = registry.entities.find((e) => e.fullName === ACCOUNT)!
    account.embedding = { fields: ['email'], model: 'demo-model', joiner: '\n', recipe: 'sha256:test' }
    const codecs = { ...m.codecs, [ACCOUNT]: { ...m.codecs[ACCOUNT]!, embedding: account.embedding, embeddingText: (e: { email: string }) => e.email } }
    const { createBackup } = await import('../../runtime/engine/api.js')
    const { memoryStore } = await import('../../runtime/adapters/data/memory.js')
    const path = tempRoot()
    roots.push(path)
    const vectors = memoryVectorStore()
    const data = memoryStore()
    const make = (config: Record<string, unknown>) => createBackup({ registry, codecs: codecs as never, classes: { [ACCOUNT]: m.Account }, config: { path, logger: false, ...config } })
    const a = make({ data, vectors, encryption: { keys: { k: key(1) } } })
    const codec = m.codecs[ACCOUNT]!
    const Account = m.Account as new () => object
    await (await data.collection(descriptorOf(codec)))
      .upsert([1, 2, 3].map((i) => Object.assign(new Account(), { id: `a${i}`, email: `secret-${i}@example.com`, balance: 1n, openedAt: new Date(0) })))
    await (await vectors.collection({ fullName: ACCOUNT, name: 'Account' }, { dimension: 4, metric: 'cosine' }))
      .upsert([1, 2, 3].map((i) => ({ id: `a${i}`, vector: Float32Array.of(i, 0.5, -i, 0.25) })))
    const created = await a.entity('Account').create()
    expect(created.vectorCount).toBe(3)
    const file = join(path, ACCOUNT, created.timestamp, 'vectors/demo-model/vectors.kbv')
    const bytes = readFileSync(file)
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('KBE1')
    expect(bytes.includes(Buffer.from('KBV1'))).toBe(false)
    const target = memoryVectorStore()
    const wrong = await make({ data: memoryStore(), vectors: target, encryption: { keys: { k: key(2) } } }).entity('Account').restore().catch((x) => x)
    expect(wrong.details.failures[0].code).toBe('WRONG_KEY')
    const restored = await make({ data: memoryStore(), vectors: target, encryption: { keys: { k: key(1) } } }).entity('Account').restore()
    expect(restored.vectors).toMatchObject({ reused: 3, missing: 0, changed: 0 })
    const out: number[][] = []
    for await (const r of (await target.collection({ fullName: ACCOUNT, name: 'Account' })).stream()) out.push([...r.vector])
    expect(out).toEqual([[1, 0.5, -1, 0.25], [2, 0.5, -2, 0.25], [3, 0.5, -3, 0.25]])
  })
})
