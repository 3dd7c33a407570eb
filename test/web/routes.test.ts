import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createBackupHandler } from '../../runtime/web/index.js'
import { flipBit } from '../engine/tamper.js'
import { call, CANARY, MEDIA, PERSON, sandbox, TOKEN, type Sandbox } from './setup.js'

let s: Sandbox
afterEach(() => s?.cleanup())

describe('every route against a real engine', () => {
  it('GET capabilities lists the included entities, their sources and policies', async () => {
    s = await sandbox({ vectors: true })
    const r = await call(s, '/backup/capabilities')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(r.headers.get('cache-control')).toBe('no-store')
    expect(r.json.availableSources).toEqual(['data', 'vectors'])
    expect(r.json.entities.Media).toEqual({ fullTypeName: MEDIA, availableSources: ['data', 'vectors'], encrypt: false, includeSchema: true })
    expect(r.json.entities.Account.encrypt).toBe(true)
  })

  it('GET create backs up every included entity (201), one timestamp for all', async () => {
    s = await sandbox()
    const r = await call(s, '/backup/create')
    expect(r.status, r.text).toBe(201)
    expect(r.json.entities.map((e: { entity: string }) => e.entity).sort()).toEqual(['src.entities.Account', MEDIA, PERSON, 'src.entities.Sample'])
    expect(r.json.entityCount).toBe(20)
    for (const e of r.json.entities) expect(existsSync(join(s.root, e.entity, r.json.timestamp, 'metadata.json'))).toBe(true)
  })

  it('POST create takes entities (class or full name), include and compress', async () => {
    s = await sandbox()
    const r = await call(s, '/backup/create', { method: 'POST', body: { entities: ['Media', PERSON, 'Media'], include: ['data'], compress: false } })
    expect(r.status, r.text).toBe(201)
    expect(r.json.entities.map((e: { entity: string }) => e.entity).sort()).toEqual([MEDIA, PERSON])
    expect(readdirSync(join(s.root, MEDIA, r.json.timestamp)).sort()).toEqual(['data.json', 'metadata.json'])
    const empty = await call(s, '/backup/create', { method: 'POST', token: TOKEN })
    expect(empty.status, empty.text).toBe(201)
  })

  it('POST create refuses bad bodies with 400/404 and creates nothing', async () => {
    s = await sandbox()
    const bad: Array<[unknown, number, RegExp]> = [
      [{ entities: 'Media' }, 400, /`entities` must be an array/],
      [{ entities: [] }, 400, /must list 1 to 4 entities/],
      [{ entities: Array.from({ length: 100_000 }, () => 'Media') }, 413, /larger than 65536 bytes/],
      [{ entities: ['Media', 'Media', 'Media', 'Media', 'Media'] }, 400, /must list 1 to 4 entities \(got 5\)/],
      [{ entities: [42] }, 400, /must hold entity names/],
      [{ entities: ['Nope'] }, 404, /not an entity included in backups/],
      [{ include: ['files'] }, 400, /`include` must be/],
      [{ compress: 'yes' }, 400, /`compress` must be true or false/],
      [{ path: '/tmp/elsewhere' }, 400, /unknown field\(s\) "path"/],
      [[1, 2], 400, /must be a JSON object/],
      ['{not json', 400, /not valid JSON/],
    ]
    for (const [body, status, message] of bad) {
      const r = await call(s, '/backup/create', { method: 'POST', body })
      expect(r.status, r.text).toBe(status)
      expect(r.json.error.message).toMatch(message)
    }
    expect(readdirSync(s.root)).toEqual([])
  })

  it('GET {Entity}/create, GET {Entity}, info by timestamp and latest', async () => {
    s = await sandbox()
    const c = await call(s, '/backup/Media/create')
    expect(c.status, c.text).toBe(201)
    expect(c.json).toMatchObject({ entity: MEDIA, entityCount: 20, status: 'Completed' })
    expect(c.headers.get('location')).toBe(`/backup/${encodeURIComponent(MEDIA)}/${c.json.timestamp}/info`)
    const byFull = await call(s, `/backup/${MEDIA}/create`)
    expect(byFull.status).toBe(201)
    const list = await call(s, '/backup/Media')
    expect(list.status).toBe(200)
    expect(list.json.entity).toBe(MEDIA)
    expect(list.json.backups.map((b: { timestamp: string; latest: boolean }) => [b.timestamp, b.latest])).toEqual([[c.json.timestamp, false], [byFull.json.timestamp, true]])
    const info = await call(s, `/backup/Media/${c.json.timestamp}/info`)
    expect(info.status).toBe(200)
    expect(info.json).toMatchObject({ entity: MEDIA, timestamp: c.json.timestamp, status: 'Completed', entityCount: 20 })
    expect(info.json.metadata.files[0].name).toBe('data.json.gz')
    const latest = await call(s, '/backup/Media/latest/info')
    expect(latest.json.timestamp).toBe(byFull.json.timestamp)
    expect(JSON.stringify([list.json, info.json])).not.toContain(s.root)
  })

  it('POST {Entity}/{ts}/restore: dry run, then a restore that overwrites', async () => {
    s = await sandbox()
    const c = await call(s, '/backup/Media/create')
    const dry = await call(s, `/backup/Media/${c.json.timestamp}/restore`, { method: 'POST', body: { dryRun: true, overwriteExisting: true } })
    expect(dry.status, dry.text).toBe(200)
    expect(dry.json).toMatchObject({ entity: MEDIA, dryRun: true, entityCount: 20 })
    const real = await call(s, '/backup/Media/latest/restore', { method: 'POST', body: { overwriteExisting: true, restoreVectors: false } })
    expect(real.status, real.text).toBe(200)
    expect(real.json).toMatchObject({ entity: MEDIA, overwritten: 20, dryRun: false })
    const none = await call(s, '/backup/Media/latest/restore', { method: 'POST' })
    expect(none.status, none.text).toBe(200)
    expect(none.json).toMatchObject({ skipped: 20, inserted: 0 })
    const bad = await call(s, '/backup/Media/latest/restore', { method: 'POST', body: { overwriteExisting: 1, timestamp: 'x' } })
    expect(bad.status).toBe(400)
  })

  it('DELETE {Entity}/{ts}: removed from disk and list; again 404; `latest` is refused', async () => {
    s = await sandbox()
    const a = await call(s, '/backup/Media/create')
    const b = await call(s, '/backup/Media/create')
    const d = await call(s, `/backup/Media/${a.json.timestamp}`, { method: 'DELETE' })
    expect(d.status, d.text).toBe(200)
    expect(d.json).toEqual({ entity: MEDIA, timestamp: a.json.timestamp, deleted: true })
    expect(existsSync(join(s.root, MEDIA, a.json.timestamp))).toBe(false)
    expect((await call(s, '/backup/Media')).json.backups.map((x: { timestamp: string }) => x.timestamp)).toEqual([b.json.timestamp])
    const again = await call(s, `/backup/Media/${a.json.timestamp}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(again.json.error.code).toBe('NOT_FOUND')
    const latest = await call(s, '/backup/Media/latest', { method: 'DELETE' })
    expect(latest.status).toBe(400)
    expect(latest.json.error.message).toMatch(/deleting needs an explicit timestamp/)
    expect(existsSync(join(s.root, MEDIA, b.json.timestamp))).toBe(true)
  })
})

describe('engine errors as statuses, without paths or secrets', () => {
  it('unknown entity and unknown backup: 404 with the engine code', async () => {
    s = await sandbox()
    const e = await call(s, '/backup/Nope')
    expect([e.status, e.json.error.code]).toEqual([404, 'UNKNOWN_ENTITY'])
    const t = await call(s, '/backup/Media/2025-10-02T15-30-45Z/info')
    expect([t.status, t.json.error.code]).toEqual([404, 'NOT_FOUND'])
    const l = await call(s, '/backup/Media/latest/restore', { method: 'POST' })
    expect([l.status, l.json.error.code]).toEqual([404, 'NOT_FOUND'])
  })

  it('a corrupt backup is 422 CORRUPT on restore; its download aborts instead of completing', async () => {
    s = await sandbox()
    const c = await call(s, '/backup/Media/create')
    const file = join(s.root, MEDIA, c.json.timestamp, 'data.json.gz')
    flipBit(file, 40, 1)
    const r = await call(s, `/backup/Media/${c.json.timestamp}/restore`, { method: 'POST', body: { overwriteExisting: true } })
    expect([r.status, r.json.error.code]).toEqual([422, 'CORRUPT'])
    expect(r.json.error.message).toMatch(/failed its checksum/)
    const seen: unknown[] = []
    const handler = createBackupHandler(s.backup, { token: TOKEN, onError: (e) => seen.push(e) })
    const d = await handler(new Request(`http://127.0.0.1/backup/Media/${c.json.timestamp}/download`, { headers: { authorization: `Bearer ${TOKEN}` } }))
    expect(d.status).toBe(200)
    await expect(d.arrayBuffer()).rejects.toThrow()
    await new Promise((r) => setTimeout(r, 20))
    expect(String(seen[0])).toMatch(/data\.json\.gz failed its checksum/)
  })

  it('a failed backup is 422 NOT_RESTORABLE; a full disk is 507; messages hold no root path, absolute path or token', async () => {
    s = await sandbox()
    s.spy.fail = (op, path) => (op === 'open' && path.endsWith('data.json.gz') ? Object.assign(new Error(`ENOSPC: no space left on device, open '${path}' (${CANARY}) ${TOKEN}`), { code: 'ENOSPC' }) : undefined)
    const full = await call(s, '/backup/Media/create')
    expect([full.status, full.json.error.code]).toEqual([507, 'IO_FAILED'])
    expect(full.json.error.message).toMatch(/ENOSPC/)
    s.spy.fail = null
    const list = await call(s, '/backup/Media')
    const failed = list.json.backups[0]
    expect(failed.status).toBe('Failed')
    const r = await call(s, `/backup/Media/${failed.timestamp}/restore`, { method: 'POST' })
    expect([r.status, r.json.error.code]).toEqual([422, 'NOT_RESTORABLE'])
    for (const text of [full.text, list.text, r.text]) {
      expect(text).not.toContain(s.root)
      expect(text).not.toContain(s.dir)
      expect(text).not.toContain(TOKEN)
      expect(text).not.toMatch(/\/tmp\//)
    }
    expect(full.text).toContain('<backup root>')
  })

  it('an unexpected error is a generic 500; its text goes to onError only', async () => {
    s = await sandbox()
    const seen: unknown[] = []
    const handler = createBackupHandler(s.backup, { token: TOKEN, onError: (e) => seen.push(e) })
    s.spy.fail = (op) => (op === 'mkdir' ? new Error(`EIO at ${s.root}/x`) : undefined)
    const r = await call({ handler }, '/backup/Media/create')
    expect([r.status, r.json.error.code]).toEqual([500, 'INTERNAL'])
    expect(r.text).not.toContain(s.root)
    expect(seen).toHaveLength(1)
    expect(String(seen[0])).toContain('EIO')
  })
})

describe('regression: the engine deleted whatever a non-timestamp named', () => {
  it('delete(\'latest\') and delete(\'../…\') are BAD_OPTION; the pointer and files outside stay', async () => {
    s = await sandbox()
    await s.backup.entity('Media').create()
    for (const bad of ['latest', '../../secret.txt', `..${'/'}..`, '']) {
      await expect(s.backup.entity('Media').delete(bad)).rejects.toMatchObject({ code: 'BAD_OPTION' })
    }
    expect(existsSync(join(s.root, MEDIA, 'latest'))).toBe(true)
    expect(readFileSync(s.canaryFile, 'utf8')).toContain(CANARY)
  })
})

describe('the handler without authentication', () => {
  it('serves requests when `auth: false` is explicit', async () => {
    s = await sandbox()
    const open = createBackupHandler(s.backup, { auth: false, basePath: '/admin/backup' })
    const r = await call({ handler: open }, '/admin/backup/capabilities', { token: false })
    expect(r.status).toBe(200)
    expect((await call({ handler: open }, '/backup/capabilities', { token: false })).status).toBe(404)
    expect(() => createBackupHandler(s.backup)).toThrow(/option `token`/)
    expect(readFileSync(s.canaryFile, 'utf8')).toContain(CANARY)
  })
})
