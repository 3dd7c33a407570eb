import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../runtime/web/index.js'
import { MEDIA, sandbox, TOKEN, type Sandbox } from './setup.js'

let s: Sandbox
let server: Server
let base: string
beforeAll(async () => {
  s = await sandbox({ rows: 2000 })
  server = createServer(toNodeListener(s.handler))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
  s.cleanup()
})

describe('C5 row 33: 50 concurrent creates of one entity over loopback', () => {
  it('at most one runs at a time (the others 409); the manifest lists exactly the Completed ones; unique folders', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${base}/backup/Media/create`, { headers: { authorization: `Bearer ${TOKEN}` } })
      .then(async (r) => ({ status: r.status, body: await r.json() as any }))))
    const created = responses.filter((r) => r.status === 201)
    const busy = responses.filter((r) => r.status === 409)
    console.info(`[C5 row 33] 50 concurrent creates: ${created.length} × 201, ${busy.length} × 409, ${50 - created.length - busy.length} other`)
    expect(created.length + busy.length).toBe(50)
    expect(created.length).toBeGreaterThanOrEqual(1)
    expect(busy.length).toBeGreaterThanOrEqual(1)
    for (const b of busy) {
      expect(b.body.error.code).toBe('BUSY')
      expect(b.body.error.message).toMatch(/try again when it has finished/)
    }
    const stamps = created.map((c) => c.body.timestamp as string)
    expect(new Set(stamps).size).toBe(stamps.length)
    const manifest = JSON.parse(readFileSync(join(s.root, 'manifest.json'), 'utf8'))
    const listed = manifest.backups.filter((b: { entity: string; status: string }) => b.entity === MEDIA && b.status === 'Completed').map((b: { timestamp: string }) => b.timestamp)
    expect(listed.sort()).toEqual([...stamps].sort())
    const folders = readdirSync(join(s.root, MEDIA)).filter((n) => /^\d{4}-/.test(n))
    expect(folders.sort()).toEqual([...stamps].sort())
    const list = await (await fetch(`${base}/backup/Media`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as any
    expect(list.backups.filter((b: { status: string }) => b.status === 'Completed')).toHaveLength(stamps.length)
  })
})
