import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackupHandler } from '../../runtime/web/index.js'
import { call, sandboxWithBackup, TOKEN, type Sandbox } from './setup.js'

let s: Sandbox
let ts: string
beforeAll(async () => ({ s, ts } = await sandboxWithBackup()))
afterAll(() => s.cleanup())

/** Every route with a method and a body that would succeed with valid credentials. */
const routes = (): Array<{ method: string; path: string; body?: unknown }> => [
  { method: 'GET', path: '/backup/capabilities' },
  { method: 'GET', path: '/backup/create' },
  { method: 'POST', path: '/backup/create', body: { entities: ['Media'] } },
  { method: 'GET', path: '/backup/Media/create' },
  { method: 'POST', path: `/backup/Media/${ts}/restore`, body: { dryRun: true } },
  { method: 'GET', path: '/backup/Media' },
  { method: 'GET', path: `/backup/Media/${ts}/info` },
  { method: 'GET', path: `/backup/Media/${ts}/download` },
  { method: 'DELETE', path: `/backup/Media/${ts}` },
]

const attempts: Array<[string, (r: { method: string; path: string; body?: unknown }) => Parameters<typeof call>[2] & { path?: string }]> = [
  ['no credentials', () => ({ token: false })],
  ['a wrong token', () => ({ token: 'wrong-token-0123456789abcdef' })],
  ['a token one character short', () => ({ token: TOKEN.slice(0, -1) })],
  ['the token with a suffix', () => ({ token: `${TOKEN}x` })],
  ['the token in the query string', (r) => ({ token: false, path: `${r.path}?token=${TOKEN}&access_token=${TOKEN}` })],
  ['the token in a cookie', () => ({ token: false, headers: { cookie: `token=${TOKEN}; authorization=Bearer%20${TOKEN}` } })],
  ['Basic instead of Bearer', () => ({ token: false, headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } })],
  ['the bare token without Bearer', () => ({ token: false, headers: { authorization: TOKEN } })],
  ['the token in another header', () => ({ token: false, headers: { 'x-koan-token': TOKEN } })],
]

describe('C6 row 40: no route answers 2xx without the token in the header', () => {
  for (const [label, make] of attempts) {
    it(`${label}: 401 on all ${9} routes, nothing created or deleted`, async () => {
      const before = readdirSync(s.root, { recursive: true }).length
      let twoXX = 0
      for (const r of routes()) {
        const o = make(r)
        const res = await call(s, o.path ?? r.path, { method: r.method, body: r.body, ...o })
        if (res.status < 300) twoXX++
        expect(res.status, `${r.method} ${r.path}`).toBe(401)
        expect(res.json.error.code).toBe('UNAUTHORIZED')
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="koan-backup"/)
        expect(res.text).not.toContain(TOKEN)
      }
      expect(twoXX).toBe(0)
      expect(readdirSync(s.root, { recursive: true }).length).toBe(before)
    })
  }

  it('the valid header is accepted on the same routes (the matrix above can fail)', async () => {
    for (const r of routes().slice(0, 2)) expect((await call(s, r.path, { method: r.method, body: r.body })).status).toBeLessThan(300)
  })

  it('a custom token header carries the bare token; Authorization is then not read', async () => {
    const handler = createBackupHandler(s.backup, { token: TOKEN, tokenHeader: 'X-Koan-Token' })
    expect((await call({ handler }, '/backup/capabilities', { token: false, headers: { 'x-koan-token': TOKEN } })).status).toBe(200)
    expect((await call({ handler }, '/backup/capabilities')).status).toBe(401)
    expect((await call({ handler }, '/backup/capabilities', { token: false, headers: { 'x-koan-token': 'nope-nope-nope-nope' } })).status).toBe(401)
  })

  it('unknown paths and wrong methods are also behind the token (no route discovery)', async () => {
    expect((await call(s, '/backup/nothing/here/at/all', { token: false })).status).toBe(401)
    expect((await call(s, '/backup/capabilities', { method: 'DELETE', token: false })).status).toBe(401)
  })
})
