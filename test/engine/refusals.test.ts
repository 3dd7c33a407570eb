import { appendFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Collection, DataStore } from '../../runtime/adapters/data/types.js'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import { isBackupError } from '../../runtime/errors.js'
import { cleanup, dump, engine, mediaRows } from './setup.js'
import { backupFiles, flipBit, rewriteData, rewriteMetadata } from './tamper.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'
import { RowChecker } from '../../runtime/engine/row-checker.js'

const MEDIA = 'src.entities.Media'
const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) cleanup(r) })

/** Rows are checked in a worker thread (from the first row) by the restoring engine, or never. */
let rowWorker = false

async function backedUp(n = 30, compress = true) {
  const e = await engine()
  roots.push(e.path)
  const codec = e.m.codecs[MEDIA]!
  const c = await e.store.collection(descriptorOf(codec))
  await c.upsert(mediaRows(e.m, n))
  const result = await e.backup.Media!.create({ compress })
  const target = await engine({ path: e.path, config: { rowWorkerMinRows: rowWorker ? 0 : false } })
  return { ...e, ts: result.timestamp, target }
}

/** Restores into the empty target store, expects a refusal with `code`, and checks nothing was written. */
async function refused(t: Awaited<ReturnType<typeof backedUp>>, code: string, message: RegExp, options = {}) {
  let error: unknown
  try {
    await t.target.backup.Media!.restore(options)
  } catch (e) {
    error = e
  }
  expect(isBackupError(error), String(error)).toBe(true)
  const failure = (error as { details: { failures: Array<{ code: string; message: string }> } }).details.failures[0]!
  expect(failure.code, failure.message).toBe(code)
  expect(failure.message).toMatch(message)
  expect(await dump(t.target.store, t.m, MEDIA)).toEqual([])
  return failure.message
}

// every refusal, with rows checked on the main thread and in a worker: the same error, nothing written
for (const worker of [false, true]) describe(`restore refuses before anything is written${worker ? ' (rows checked in a worker thread)' : ''}`, () => {
  beforeEach(() => {
    rowWorker = worker
    // rows wait for the starting worker (instead of being read on the main thread meanwhile): every row goes to it
    if (worker) vi.spyOn(RowChecker.prototype, 'ready', 'get').mockReturnValue(true)
  })
  afterEach(() => {
    rowWorker = false
    vi.restoreAllMocks()
  })
  for (const compress of [true, false]) {
    it(`a flipped bit in data.json${compress ? '.gz' : ''}`, async () => {
      const t = await backedUp(30, compress)
      const f = backupFiles(t.path, MEDIA, t.ts)
      flipBit(f.dataFile, Math.floor(readFileSync(f.dataFile).length / 2), 3)
      await refused(t, 'CORRUPT', /failed its checksum/)
    })
  }

  it('truncation and appended bytes (size check names the file)', async () => {
    const t = await backedUp()
    const f = backupFiles(t.path, MEDIA, t.ts)
    const size = readFileSync(f.dataFile).length
    truncateSync(f.dataFile, size - 10)
    await refused(t, 'CORRUPT', /data\.json\.gz has \d+ bytes, metadata says \d+/)
    const u = await backedUp()
    appendFileSync(backupFiles(u.path, MEDIA, u.ts).dataFile, 'garbage')
    await refused(u, 'CORRUPT', /truncated or appended/)
  })

  it('a tampered metadata.json (no longer matching the manifest)', async () => {
    const t = await backedUp()
    const f = backupFiles(t.path, MEDIA, t.ts)
    writeFileSync(f.metadataFile, readFileSync(f.metadataFile, 'utf8').replace('"rows": 30', '"rows": 31'))
    await refused(t, 'CORRUPT', /does not match its checksum in manifest\.json/, { timestamp: t.ts })
  })

  it('a backup missing from the manifest, and a missing manifest', async () => {
    const t = await backedUp()
    const manifestFile = join(t.path, 'manifest.json')
    writeFileSync(manifestFile, JSON.stringify({ formatVersion: 1, updatedAt: '', backups: [] }))
    await refused(t, 'NOT_RESTORABLE', /not in manifest\.json/, { timestamp: t.ts })
    rmSync(manifestFile)
    await refused(t, 'NOT_RESTORABLE', /manifest\.json is missing/, { timestamp: t.ts })
  })

  it('a Failed backup, an unknown format version, another entity', async () => {
    const t = await backedUp()
    rewriteMetadata(t.path, MEDIA, t.ts, (m) => { m.status = 'Failed'; m.errorMessage = 'disk full' })
    await refused(t, 'NOT_RESTORABLE', /the backup is Failed \(disk full\)/, { timestamp: t.ts })
    const u = await backedUp()
    rewriteMetadata(u.path, MEDIA, u.ts, (m) => { m.formatVersion = 99 })
    await refused(u, 'NOT_RESTORABLE', /unknown format version 99/, { timestamp: u.ts })
    const v = await backedUp()
    rewriteMetadata(v.path, MEDIA, v.ts, (m) => { m.entity.fullName = 'src.entities.Person' })
    await refused(v, 'CORRUPT', /describes src\.entities\.Person/, { timestamp: v.ts })
  })

  it('a row count that does not match metadata (a buggy writer that re-hashed the file)', async () => {
    const t = await backedUp(10, false)
    await rewriteData(t.path, MEDIA, t.ts, (text) => text.replace(/\n\{[^\n]*"id":"m3"[^\n]*\},/, ''))
    await refused(t, 'CORRUPT', /9 rows read, metadata says 10/)
  })

  it('a row that does not fit the schema, naming the row, id and field', async () => {
    const t = await backedUp(10, false)
    await rewriteData(t.path, MEDIA, t.ts, (text) => text.replace('"views":7,', '"views":"seven",'))
    await refused(t, 'ROW_INVALID', /row 7 \(id "m7"\): field views: expected number, found string "seven"/)
  })

  it('malformed JSON mid-array', async () => {
    const t = await backedUp(10, false)
    await rewriteData(t.path, MEDIA, t.ts, (text) => text.replace('"id":"m5"', '"id":"m5'))
    await refused(t, 'CORRUPT', /data\.json row 5 \(line 7\) is not valid JSON \(.*JSON.*\)/)
  })

  it('duplicate ids', async () => {
    const t = await backedUp(10, false)
    await rewriteData(t.path, MEDIA, t.ts, (text) => text.replace('"id":"m8"', '"id":"m2"'))
    await refused(t, 'DATA_CONFLICT', /id "m2" appears in rows 2 and 8/)
  })

  it('traversal-like and malformed timestamps are refused before any file access', async () => {
    const t = await backedUp(1)
    for (const ts of ['../../etc', '2025-10-02T15-30-45Z/../x', 'latest/..', '2025-13-02T15-30-45Z', '']) {
      await refused(t, 'BAD_OPTION', /is not a backup timestamp/, { timestamp: ts })
    }
  })
})

describe('failed backups', () => {
  /** A memory store whose stream fails after some rows, or yields nothing while counting rows. */
  function faulty(kind: 'throws' | 'empty'): DataStore {
    const inner = memoryStore()
    return {
      kind: 'faulty',
      async collection(d) {
        const c = await inner.collection(d)
        const wrapped: Collection = {
          ...c,
          capabilities: c.capabilities,
          stream: kind === 'empty'
            ? async function* () {}
            : async function* () {
              let i = 0
              for await (const row of c.stream()) {
                if (i++ === 5) throw new Error('connection reset by peer')
                yield row
              }
            },
          get: c.get.bind(c), upsert: c.upsert.bind(c), existing: c.existing.bind(c), count: c.count.bind(c),
        }
        return wrapped
      },
    }
  }

  for (const kind of ['throws', 'empty'] as const) {
    it(`a store that ${kind === 'throws' ? 'fails mid-stream' : 'streams 0 rows while counting rows'}: Failed, never latest, previous latest intact`, async () => {
      const store = faulty(kind)
      const e = await engine({ store })
      roots.push(e.path)
      const codec = e.m.codecs[MEDIA]!
      const c = await store.collection(descriptorOf(codec))
      await c.upsert(mediaRows(e.m, 10))
      // a good backup first, through a healthy store over the same root
      const healthy = await engine({ path: e.path })
      const hc = await healthy.store.collection(descriptorOf(codec))
      await hc.upsert(mediaRows(e.m, 3))
      const good = await healthy.backup.Media!.create()
      const latestBefore = readFileSync(join(e.path, MEDIA, 'latest'), 'utf8')
      await expect(e.backup.Media!.create()).rejects.toThrow(kind === 'throws' ? /connection reset by peer/ : /reports 10 rows but streamed none/)
      expect(readFileSync(join(e.path, MEDIA, 'latest'), 'utf8')).toBe(latestBefore)
      const list = await e.backup.Media!.list()
      expect(list.map((b) => [b.status, b.latest])).toEqual([['Completed', true], ['Failed', false]])
      expect(list[1]!.errorMessage).toMatch(kind === 'throws' ? /connection reset/ : /streamed none/)
      const manifest = JSON.parse(readFileSync(join(e.path, 'manifest.json'), 'utf8'))
      expect(manifest.backups.map((b: { status: string }) => b.status)).toEqual(['Completed', 'Failed'])
      // restoring latest still gives the good backup
      const target = await engine({ path: e.path })
      expect((await target.backup.Media!.restore()).timestamp).toBe(good.timestamp)
      // and the failed one is refused
      await expect(target.backup.Media!.restore({ timestamp: list[1]!.timestamp })).rejects.toThrow(/the backup is Failed/)
    })
  }

  it('a second backup of the same entity while one runs is refused as BUSY', async () => {
    const e = await engine()
    roots.push(e.path)
    const codec = e.m.codecs[MEDIA]!
    const c = await e.store.collection(descriptorOf(codec))
    await c.upsert(mediaRows(e.m, 2000))
    const results = await Promise.allSettled([e.backup.Media!.create(), e.backup.Media!.create(), e.backup.Media!.create()])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results.filter((x) => x.status === 'rejected')) expect(String((r as PromiseRejectedResult).reason)).toMatch(/locked by backup/)
  })
})
