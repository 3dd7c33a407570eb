import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, dump, engine, mediaRows } from './setup.js'

const MEDIA = 'src.entities.Media'
const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) cleanup(r) })

async function seeded(n = 50, options: Parameters<typeof engine>[0] = {}) {
  const e = await engine(options)
  roots.push(e.path)
  await e.backup.entity('Media') // resolves
  const media = await e.store.collection({ fullName: MEDIA, name: 'Media', fields: e.m.codecs[MEDIA]!.fields, toStored: (x) => JSON.parse(e.m.codecs[MEDIA]!.serialize(x)), fromStored: (s, r) => e.m.codecs[MEDIA]!.deserialize(s, r) })
  await media.upsert(mediaRows(e.m, n))
  return { ...e, media }
}

describe('backup', () => {
  it('writes the layout: gzip data (a JSON array, one row a line), metadata with checksums and policy, latest, manifest', async () => {
    const { backup, path } = await seeded(25)
    const result = await backup.Media!.create()
    expect(result).toMatchObject({ entity: MEDIA, entityCount: 25, vectorCount: 0, status: 'Completed', encrypted: false })
    expect(result.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/)
    const dir = join(path, MEDIA, result.timestamp)
    expect(readdirSync(dir).sort()).toEqual(['data.json.gz', 'metadata.json'])
    const text = gunzipSync(readFileSync(join(dir, 'data.json.gz'))).toString('utf8')
    const lines = text.split('\n')
    expect(lines[0]).toBe('[')
    expect(lines.at(-2)).toBe(']')
    expect(JSON.parse(text)).toHaveLength(25)
    const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'))
    expect(metadata).toMatchObject({
      formatVersion: 1, status: 'Completed', entity: { fullName: MEDIA, name: 'Media' }, timestamp: result.timestamp,
      counts: { rows: 25, vectors: 0 }, consistency: 'snapshot',
      policy: { encrypt: false, includeSchema: true, compress: true, source: { kind: 'decorator' } },
      schema: { fingerprint: expect.stringMatching(/^sha256:/) },
    })
    expect(metadata.files[0]).toMatchObject({ name: 'data.json.gz', role: 'data', size: result.sizeBytes, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(metadata.schema.jsonSchema).toMatchObject({ type: 'object' })
    expect(metadata.tool).toMatch(/^koan-backup@/)
    expect(JSON.parse(readFileSync(join(path, MEDIA, 'latest'), 'utf8')).timestamp).toBe(result.timestamp)
    const manifest = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8'))
    expect(manifest.backups).toEqual([expect.objectContaining({ entity: MEDIA, timestamp: result.timestamp, status: 'Completed', rows: 25 })])
  })

  it('without compression writes plain data.json', async () => {
    const { backup, path } = await seeded(3)
    const r = await backup.Media!.create({ compress: false })
    expect(JSON.parse(readFileSync(join(path, MEDIA, r.timestamp, 'data.json'), 'utf8'))).toHaveLength(3)
  })

  it("include must hold 'data': a vectors-only backup is refused before anything is written", async () => {
    const { backup, path } = await seeded(3)
    const error = await backup.Media!.create({ include: ['vectors'] }).catch((e) => e)
    expect(error.code).toBe('BAD_OPTION')
    expect(error.message).toMatch(/leaves out 'data'.*\['data'\] to skip the vectors/)
    expect(existsSync(join(path, MEDIA))).toBe(false)
    expect((await backup.Media!.create({ include: ['data'] })).entityCount).toBe(3)
  })

  it('create() over several entities shares one timestamp; timestamps stay unique within a second', async () => {
    const now = new Date('2025-10-02T15:30:45.100Z')
    const { backup } = await seeded(5, { now: () => now, config: { encryption: { keys: { k1: 'base64:' + Buffer.alloc(32, 7).toString('base64') } } } })
    const a = await backup.create()
    expect(a.timestamp).toBe('2025-10-02T15-30-45Z')
    expect(new Set(a.entities.map((r) => r.timestamp))).toEqual(new Set([a.timestamp]))
    expect(a.entities.map((r) => r.entity).sort()).toEqual(['src.entities.Account', 'src.entities.Media', 'src.entities.Person', 'src.entities.Sample'])
    const b = await backup.createFor([(await seeded(0)).m.Media])
    expect(b.timestamp).toBe('2025-10-02T15-30-45Z-2')
    const list = await backup.Media!.list()
    expect(list.map((x) => [x.timestamp, x.latest])).toEqual([['2025-10-02T15-30-45Z', false], ['2025-10-02T15-30-45Z-2', true]])
  })
})

describe('restore', () => {
  it('round-trips into an empty store: equal instances of the class', async () => {
    const { backup, store, m, path } = await seeded(40)
    const before = await dump(store, m, MEDIA)
    await backup.Media!.create()
    const other = await engine({ path })
    const result = await other.backup.Media!.restore()
    expect(result).toMatchObject({ entity: MEDIA, entityCount: 40, inserted: 40, skipped: 0, overwritten: 0, dryRun: false, schemaChanges: [] })
    const after = await dump(other.store, m, MEDIA)
    expect(after).toStrictEqual(before)
    expect(after[0]).toBeInstanceOf(m.Media as never)
  })

  it('overwriteExisting false skips existing ids untouched; true replaces them; dryRun writes nothing', async () => {
    const { backup, store, m, media } = await seeded(10)
    await backup.Media!.create()
    // change two rows after the backup, delete three
    const changed = mediaRows(m, 2).map((r) => Object.assign(r, { title: 'changed' }))
    await media.upsert(changed)
    const all = await dump(store, m, MEDIA) as Array<{ id: string }>
    expect(all).toHaveLength(10)
    const dry = await backup.Media!.restore({ dryRun: true })
    expect(dry).toMatchObject({ inserted: 0, skipped: 10, overwritten: 0, dryRun: true })
    const kept = await backup.Media!.restore()
    expect(kept).toMatchObject({ inserted: 0, skipped: 10 })
    expect((await dump(store, m, MEDIA) as Array<{ title: string }>).filter((r) => r.title === 'changed')).toHaveLength(2)
    const dryOver = await backup.Media!.restore({ overwriteExisting: true, dryRun: true })
    expect(dryOver).toMatchObject({ inserted: 0, overwritten: 10, dryRun: true })
    expect((await dump(store, m, MEDIA) as Array<{ title: string }>).filter((r) => r.title === 'changed')).toHaveLength(2)
    const over = await backup.Media!.restore({ overwriteExisting: true })
    expect(over).toMatchObject({ inserted: 0, overwritten: 10 })
    expect((await dump(store, m, MEDIA) as Array<{ title: string }>).filter((r) => r.title === 'changed')).toHaveLength(0)
  })

  it('restores a hand-edited data.json (any valid JSON array) through the general parser', async () => {
    const { backup, path, store, m } = await seeded(4)
    const r = await backup.Media!.create({ compress: false })
    const { rewriteData } = await import('./tamper.js')
    await rewriteData(path, MEDIA, r.timestamp, (text) => JSON.stringify(JSON.parse(text), null, 2))
    const target = await engine({ path })
    roots.push(target.path)
    const result = await target.backup.Media!.restore()
    expect(result.inserted).toBe(4)
    expect(await dump(target.store, m, MEDIA)).toStrictEqual(await dump(store, m, MEDIA))
  })
})

describe('verify, list, prune, delete', () => {
  it('verify checks structure and hashes; readData also decodes and validates every row', async () => {
    const { backup, path } = await seeded(12)
    const r = await backup.Media!.create()
    expect(await backup.Media!.verify()).toEqual({ entity: MEDIA, timestamp: r.timestamp, rows: 12, files: 1, dataRead: false })
    expect(await backup.Media!.verify(r.timestamp, { readData: true })).toMatchObject({ rows: 12, dataRead: true })
    const { rewriteData } = await import('./tamper.js')
    await rewriteData(path, MEDIA, r.timestamp, (text) => text.replace('"views":3,', '"views":"3",'))
    await expect(backup.Media!.verify(r.timestamp)).resolves.toMatchObject({ dataRead: false })
    await expect(backup.Media!.verify(r.timestamp, { readData: true })).rejects.toThrow(/row 5 \(id "m3"\): field views: expected number/)
  })

  it('prune keeps the newest Completed backups within the policy; dryRun removes nothing; delete repoints latest', async () => {
    let clock = new Date('2025-01-01T00:00:00Z')
    const { backup, path } = await seeded(3, { now: () => clock })
    const stamps: string[] = []
    for (let day = 0; day < 6; day++) {
      clock = new Date(Date.UTC(2025, 0, 1 + day * 10))
      stamps.push((await backup.Media!.create()).timestamp)
    }
    clock = new Date('2025-03-05T00:00:00Z')
    const dry = await backup.prune({ retentionDays: 30, maxBackupsPerEntity: 2, dryRun: true, entities: ['Media'] })
    expect(dry.removed.map((x) => x.timestamp)).toEqual(stamps.slice(0, 4))
    expect((await backup.Media!.list())).toHaveLength(6)
    const done = await backup.prune({ retentionDays: 30, maxBackupsPerEntity: 2, entities: ['Media'] })
    expect(done.removed).toHaveLength(4)
    expect((await backup.Media!.list()).map((b) => b.timestamp)).toEqual(stamps.slice(4))
    const manifest = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8'))
    expect(manifest.backups.filter((b: { entity: string }) => b.entity === MEDIA).map((b: { timestamp: string }) => b.timestamp)).toEqual(stamps.slice(4))
    await backup.Media!.delete(stamps[5]!)
    const left = await backup.Media!.list()
    expect(left.map((b) => [b.timestamp, b.latest])).toEqual([[stamps[4], true]])
    await expect(backup.Media!.delete(stamps[5]!)).rejects.toThrow(/has no backup/)
  })

  it('capabilities and the boot report', async () => {
    const { backup } = await seeded(1)
    const caps = backup.capabilities()
    expect(caps.availableSources).toEqual(['data'])
    expect(caps.entities.Media).toEqual({ fullTypeName: MEDIA, availableSources: ['data'], encrypt: false, includeSchema: true })
    expect(caps.entities.Account).toMatchObject({ encrypt: true })
    expect(backup.report()).toMatch(/included: 4 entities[\s\S]*path: /)
  })
})
