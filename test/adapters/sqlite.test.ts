import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteStore } from '../../runtime/adapters/data/sqlite.js'
import { dataStoreContract } from './contract.js'
import { ContractEntities } from './entities.js'

const dir = mkdtempSync(join(tmpdir(), 'koan-sqlite-'))
let n = 0
const file = () => join(dir, `store-${++n}.db`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

dataStoreContract('sqlite (WAL file)', () => sqliteStore({ file: file() }), { capabilities: { transactions: true, constraints: false, snapshot: true } })
dataStoreContract('sqlite (in memory)', () => sqliteStore({ file: ':memory:' }), { capabilities: { transactions: true, constraints: false, snapshot: false } })

describe('sqlite store', () => {
  let e: ContractEntities
  beforeAll(async () => {
    e = await ContractEntities.load()
  })

  it('keeps rows in a WAL file that another process can read, across close and reopen', async () => {
    const path = file()
    const store = sqliteStore({ file: path })
    await (await store.collection(e.sampleEntity)).upsert([e.fullSample('s1')])
    await store.close()
    expect(existsSync(`${path}-wal`)).toBe(false)
    const db = new Database(path, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    const columns = db.prepare(`SELECT name, type, pk FROM pragma_table_info('src.entities.Sample')`).all() as Array<{ name: string; type: string; pk: number }>
    expect(Object.fromEntries(columns.map((c) => [c.name, c.type]))).toMatchObject({ id: 'TEXT', text: 'TEXT', count: 'REAL', flag: 'INTEGER', big: 'TEXT', when: 'TEXT', status: 'TEXT', priority: 'REAL', kind: 'TEXT', idOrCode: 'TEXT', tags: 'TEXT', owner: 'TEXT', bytes: 'TEXT', deletedAt: 'TEXT' })
    expect(columns.find((c) => c.pk === 1)?.name).toBe('id')
    const row = db.prepare(`SELECT * FROM "src.entities.Sample"`).get() as Record<string, unknown>
    expect(row).toMatchObject({ id: 's1', flag: 1, big: '-123456789012345678901234567890', when: '2024-02-29T23:59:59.999Z', priority: 2, idOrCode: '42', tags: '["a",""]', bytes: 'AP+A', note: 'n' })
    db.close()
    const again = sqliteStore({ file: path })
    expect(await (await again.collection(e.sampleEntity)).get('s1')).toStrictEqual(e.fullSample('s1'))
    await again.close()
  })

  it('uses an open database without closing it or changing its journal mode', async () => {
    const path = file()
    const db = new Database(path)
    const store = sqliteStore({ database: db })
    const c = await store.collection(e.mediaEntity)
    expect(c.capabilities.snapshot).toBe(false)
    await c.upsert([e.media('a')])
    await store.close()
    expect(db.open).toBe(true)
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete')
    expect(db.prepare('SELECT count(*) FROM "src.entities.Media"').pluck().get()).toBe(1)
    db.close()
  })

  it('refuses a table that lacks a column of a stored field, saying how to fix it', async () => {
    const path = file()
    const db = new Database(path)
    db.exec('CREATE TABLE "src.entities.Media" (id TEXT PRIMARY KEY, title TEXT)')
    db.close()
    const store = sqliteStore({ file: path })
    await expect(store.collection(e.mediaEntity)).rejects.toThrow(/no column description, views, rating, createdAt, dimensions, tags .*ALTER TABLE "src.entities.Media" ADD COLUMN/)
    await store.close()
  })

  it('reads and opens existing tables from outside a transaction without waiting for it', async () => {
    const store = sqliteStore({ file: file() })
    const c = await store.collection(e.mediaEntity)
    await c.upsert([e.media('before')])
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const tx = c.transaction!(async () => {
      await c.upsert([e.media('inside')])
      await held
    })
    // the transaction is open: reads see the last commit, at once
    const again = await store.collection(e.mediaEntity)
    expect(await again.count()).toBe(1)
    expect(await again.existing(['before', 'inside'])).toEqual(new Set(['before']))
    release()
    await tx
    expect(await again.count()).toBe(2)
    await store.close()
  })

  it('refuses text that UTF-8 cannot carry (a lone surrogate) instead of changing it', async () => {
    const store = sqliteStore({ file: file() })
    const c = await store.collection(e.mediaEntity)
    await expect(c.upsert([e.media('ok'), Object.assign(e.media('bad'), { title: 'x\ud800' })])).rejects.toThrow('cannot store src.entities.Media (id "bad") in SQLite: field title contains a lone surrogate')
    expect(await c.count()).toBe(0)
    // inside JSON a lone surrogate is an escape, kept exactly
    await c.upsert([Object.assign(e.media('json'), { tags: ['x\ud800'] })])
    expect(((await c.get('json')) as any).tags).toEqual(['x\ud800'])
    await store.close()
  })

  it('does not load better-sqlite3 until a store is used', () => {
    // a fresh process: importing the package root and creating a store loads no driver; using it does
    const root = new URL('../../dist/runtime/index.js', import.meta.url).href
    const script = `const kb = await import(${JSON.stringify(root)})
const req = (await import('node:module')).createRequire(import.meta.url)
const loaded = () => Object.keys(req.cache).some((k) => k.includes('better-sqlite3'))
const store = kb.sqliteStore({ file: ':memory:' })
const before = loaded()
await store.collection({ fullName: 'x', name: 'x', fields: [{ name: 'id', optional: false, nullable: false, type: { kind: 'string' } }], toStored: (e) => e, fromStored: (s) => s })
console.log(JSON.stringify({ before, after: loaded() }))
await store.close()`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
    expect(JSON.parse(out)).toEqual({ before: false, after: true })
  })
})
