import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, MEDIA, sandboxWithBackup, TOKEN, type Sandbox } from './setup.js'

let s: Sandbox
let ts: string
beforeAll(async () => ({ s, ts } = await sandboxWithBackup()))
afterAll(() => s.cleanup())

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']

describe('C6 row 44: route × method matrix', () => {
  const table = (): Array<[string, string[]]> => [
    ['/backup/capabilities', ['GET']],
    ['/backup/create', ['GET', 'POST']],
    ['/backup/Media', ['GET']],
    ['/backup/Media/create', ['GET']],
    [`/backup/Media/${ts}/restore`, ['POST']],
    [`/backup/Media/${ts}/info`, ['GET']],
    [`/backup/Media/${ts}`, ['DELETE']],
    [`/backup/Media/${ts}/download`, ['GET']],
  ]

  it('every method a route does not serve is 405 with Allow, and changes nothing', async () => {
    let refused = 0
    for (const [path, allowed] of table()) {
      for (const method of METHODS.filter((m) => !allowed.includes(m))) {
        const before = readdirSync(s.root, { recursive: true }).sort()
        const res = await s.handler(new Request(`http://127.0.0.1:8080${path}`, { method, headers: { host: 'localhost', authorization: `Bearer ${TOKEN}` } }))
        expect(res.status, `${method} ${path}`).toBe(405)
        expect(res.headers.get('allow'), `${method} ${path}`).toBe(allowed.join(', '))
        expect(readdirSync(s.root, { recursive: true }).sort()).toEqual(before)
        refused++
      }
    }
    expect(refused).toBe(8 * 7 - 9)
  })

  it('X-HTTP-Method-Override (and friends) are ignored: a POST asking to be a DELETE deletes nothing', async () => {
    for (const header of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
      const r = await call(s, `/backup/Media/${ts}`, { method: 'POST', headers: { [header]: 'DELETE' } })
      expect(r.status).toBe(405)
      const g = await call(s, `/backup/Media/${ts}`, { method: 'GET', headers: { [header]: 'DELETE' } })
      expect(g.status).toBe(405)
      const q = await call(s, `/backup/Media/${ts}?_method=DELETE`, { method: 'POST' })
      expect(q.status).toBe(405)
    }
    expect(existsSync(join(s.root, MEDIA, ts, 'metadata.json'))).toBe(true)
  })

  it('HEAD of a create route creates nothing; unknown paths are 404', async () => {
    const before = readdirSync(join(s.root, MEDIA)).length
    const head = await s.handler(new Request('http://127.0.0.1/backup/Media/create', { method: 'HEAD', headers: { authorization: `Bearer ${TOKEN}` } }))
    expect(head.status).toBe(405)
    expect(readdirSync(join(s.root, MEDIA)).length).toBe(before)
    for (const p of ['/backup', '/backup/', '/backup/Media/x/y/z/w', '/backupx/capabilities', '/other', '/backup//create']) {
      expect((await call(s, p)).status, p).toBe(404)
    }
  })
})
