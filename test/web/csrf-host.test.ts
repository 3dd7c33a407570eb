import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackupHandler } from '../../runtime/web/index.js'
import { call, sandbox, TOKEN, type Sandbox } from './setup.js'

let s: Sandbox
beforeAll(async () => { s = await sandbox() })
afterAll(() => s.cleanup())

const backupsOnDisk = () => readdirSync(s.root, { recursive: true }).filter((p) => String(p).endsWith('metadata.json')).length

describe('C6 row 41: cross-site requests create nothing', () => {
  const browserish: Array<[string, Record<string, string>, string?, unknown?]> = [
    ['an <img> on another site (GET create)', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }],
    ['a link from a sibling subdomain', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate' }],
    ['an old browser sending only Origin', { origin: 'https://evil.example' }],
    ['a sandboxed iframe (Origin: null)', { origin: 'null' }],
  ]
  for (const [label, headers] of browserish) {
    it(`${label}: 403 on GET create and GET {Entity}/create, even with the token`, async () => {
      for (const path of ['/backup/create', '/backup/Media/create']) {
        const r = await call(s, path, { headers })
        expect(r.status, path).toBe(403)
        expect(r.json.error.code).toBe('CROSS_SITE')
      }
      expect(backupsOnDisk()).toBe(0)
    })
  }

  it('a cross-site form POST with text/plain: 403 (415 when same-origin)', async () => {
    const form = { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }
    expect((await call(s, '/backup/create', { method: 'POST', headers: form, body: '{"entities":["Media"]}' })).status).toBe(403)
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json', 'text/json']) {
      const r = await call(s, '/backup/create', { method: 'POST', headers: { 'content-type': type }, body: '{"entities":["Media"]}' })
      expect(r.status, type).toBe(415)
      expect(r.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    }
    expect(backupsOnDisk()).toBe(0)
  })

  it('same-origin and non-browser requests pass (Sec-Fetch-Site: same-origin / none, matching Origin)', async () => {
    expect((await call(s, '/backup/capabilities', { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200)
    expect((await call(s, '/backup/capabilities', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200)
    expect((await call(s, '/backup/capabilities', { headers: { origin: 'http://127.0.0.1:8080' } })).status).toBe(200)
    expect((await call(s, '/backup/create', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: { entities: ['Media'] } })).status).toBe(201)
  })
})

describe('C6 row 42: DNS rebinding (foreign Host)', () => {
  const foreign = ['evil.example', 'evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io:8080', '0.0.0.0:8080', '[::2]:8080', '192.168.1.10']
  for (const host of foreign) {
    it(`Host: ${host} → 403 on every route, with the token`, async () => {
      const before = backupsOnDisk()
      for (const [method, path] of [['GET', '/backup/capabilities'], ['GET', '/backup/create'], ['GET', '/backup/Media'], ['POST', '/backup/create']]) {
        const r = await call(s, path!, { method, host, ...(method === 'POST' ? { body: {} } : {}) })
        expect(r.status, `${method} ${path}`).toBe(403)
        expect(r.json.error.code).toBe('FORBIDDEN_HOST')
      }
      expect(backupsOnDisk()).toBe(before)
    })
  }

  it('a malformed Host is 400; loopback forms and allow-listed hosts pass', async () => {
    expect((await call(s, '/backup/capabilities', { host: 'a b' })).status).toBe(400)
    expect((await call(s, '/backup/capabilities', { host: 'user@localhost' })).status).toBe(400)
    for (const host of ['localhost', 'localhost:1', '127.0.0.1:65535', '[::1]:3000']) expect((await call(s, '/backup/capabilities', { host })).status, host).toBe(200)
    const handler = createBackupHandler(s.backup, { token: TOKEN, allowedHosts: ['backup.internal'] })
    expect((await call({ handler }, '/backup/capabilities', { host: 'backup.internal:9000' })).status).toBe(200)
    expect((await call({ handler }, '/backup/capabilities', { host: 'evil.example' })).status).toBe(403)
  })
})
