import { existsSync, readFileSync } from 'node:fs'
import { request as httpRequest, createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../runtime/web/index.js'
import { CANARY, MEDIA, sandboxWithBackup, TOKEN, within, type Sandbox } from './setup.js'

let s: Sandbox
let ts: string
beforeAll(async () => ({ s, ts } = await sandboxWithBackup()))
afterAll(() => s.cleanup())

/** Traversal and special-name payloads, as they appear in a request path (already percent-encoded where needed). */
function corpus(canary: string): string[] {
  const enc = encodeURIComponent
  const dots = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '%25252e%25252e', '%c0%ae%c0%ae', '%e0%80%ae%e0%80%ae', '%uff0e%uff0e']
  const seps = ['%2f', '%2F', '%5c', '%5C', '%252f', '%255c', '%c0%af', '%c1%9c', '\\', '%u2215']
  const out = new Set<string>()
  for (const d of dots) {
    out.add(d)
    for (const sep of seps.slice(0, 6)) out.add(`${d}${sep}${d}${sep}etc${sep}passwd`)
  }
  for (const p of [
    '..%2f', '..%5c', '..\\..\\windows', '....%2f%2f', '..;', '..%00', '..%2500', '.%00.', '...', '.', '%2e',
    enc('/etc/passwd'), enc('/etc'), enc(canary), enc(canary.replace(/\//g, '\\')), '%2f%2fetc%2fpasswd', enc('\\\\server\\share'),
    enc('C:\\'), enc('C:\\Windows\\win.ini'), enc('C:..'), enc('C:'), enc('c:/etc'),
    '%00', 'Media%00', `${ts}%00`, `Media%00.json`, '%0d%0aSet-Cookie:x=1', '%0a', '%09',
    enc('․․'), enc('‥'), enc('．．'), enc('︰'), enc('…'), enc('⸮'), enc('。。'), enc('..\u200b'), enc('\u202e..'),
    'Media.', 'Media%20', 'Media%20%20', 'Media..', `${ts}.`, `${ts}%20`, `${ts}..`, enc(`${ts}\u200b`),
    'media', 'MEDIA', enc('Ｍedia'), enc('Mеdia'), 'src.entities.Media.', 'src.entities', 'src%2eentities%2eMedia%2f..',
    'CON', 'NUL', 'con', 'PRN', 'AUX', 'COM1', 'LPT1', 'NUL.json', 'CON.', 'Media%3a%3a%24DATA', `${ts}%3a%3a%24DATA`, 'metadata.json%3a%3a%24DATA',
    'x'.repeat(300), `${'a'.repeat(255)}`, `${'..%2f'.repeat(60)}`, enc('é'.repeat(150)),
    'latest%2f..%2f..', `${ts}%2fmetadata.json`, `${ts}%2f..%2f..%2f..`, enc(`${MEDIA}/${ts}`), enc(`../${MEDIA}`),
    '2025-10-02T15-30-45Z%2f..', '2025-13-02T15-30-45Z', '2025-10-02T15-30-45Z-0', '2025-10-02T15-30-45', '9999-99-99T99-99-99Z',
    'manifest.json', '.lock', 'latest.', '.staging-x', '%2e%6c%6f%63%6b', '%7e', '~', '*', '%2a', '%3f', '%23', '%25', '%ff', '%',
    '%c0%80', '%ef%bb%bf..', '..%ef%bc%8f', 'file%3a%2f%2f%2fetc%2fpasswd', 'http%3a%2f%2fevil.example',
  ]) out.add(p)
  return [...out]
}

/** Every request a payload makes: in the entity slot and in the timestamp slot of info, download, restore and delete. */
function requests(payload: string): Array<{ method: string; path: string }> {
  return [
    { method: 'GET', path: `/backup/${payload}/${ts}/info` },
    { method: 'GET', path: `/backup/Media/${payload}/info` },
    { method: 'GET', path: `/backup/${payload}/latest/download` },
    { method: 'GET', path: `/backup/Media/${payload}/download` },
    { method: 'POST', path: `/backup/${payload}/latest/restore` },
    { method: 'POST', path: `/backup/Media/${payload}/restore` },
    { method: 'DELETE', path: `/backup/${payload}/${ts}` },
    { method: 'DELETE', path: `/backup/Media/${payload}` },
  ]
}

const auth = { authorization: `Bearer ${TOKEN}`, host: '127.0.0.1' }

/** The response body as text, gunzipped when it is an archive. */
async function bodyText(res: Response): Promise<string> {
  const bytes = Buffer.from(await res.arrayBuffer())
  return res.headers.get('content-type') === 'application/gzip' ? gunzipSync(bytes).toString('latin1') : bytes.toString('latin1')
}

describe('C6 row 38: traversal payloads never reach the file system', () => {
  it('~100 payloads × (entity, timestamp) × (info, download, restore, delete): 400/404/405 before any fs call', async () => {
    const payloads = corpus(s.canaryFile)
    expect(payloads.length).toBeGreaterThanOrEqual(100)
    s.spy.calls.length = 0
    const statuses = new Map<number, number>()
    let served = 0
    let sent = 0
    for (const payload of payloads) {
      for (const r of requests(payload)) {
        let req: Request
        try {
          req = new Request(`http://127.0.0.1${r.path}`, { method: r.method, headers: { ...auth, ...(r.method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(r.method === 'POST' ? { body: '{}' } : {}) })
        } catch {
          continue // not even a URL: no client can send it
        }
        sent++
        const res = await s.handler(req)
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        expect([400, 404, 405], `${r.method} ${r.path} → ${res.status}`).toContain(res.status)
        const text = await bodyText(res)
        if (text.includes(CANARY)) served++
        expect(text).not.toContain(s.root)
      }
    }
    const outside = s.spy.calls.filter((c) => !within(s.root, c.path))
    console.info(`[C6 row 38] ${sent} traversal requests (${payloads.length} payloads): ${s.spy.calls.length} fs calls, ${outside.length} outside the root, ${served} responses with canary bytes; statuses ${JSON.stringify(Object.fromEntries(statuses))}`)
    expect(sent).toBeGreaterThanOrEqual(800)
    expect(s.spy.calls).toEqual([])
    expect(outside).toEqual([])
    expect(served).toBe(0)
    expect(readFileSync(s.canaryFile, 'utf8')).toContain(CANARY)
    expect(existsSync(join(s.root, MEDIA, ts, 'metadata.json'))).toBe(true)
  })
})

describe('raw request paths through node:http (no client-side URL normalisation)', () => {
  let server: Server
  let port: number
  beforeAll(async () => {
    server = createServer(toNodeListener(s.handler))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const raw = (path: string, method = 'GET') => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: auth }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })

  it('dot segments, backslashes and encoded dots are refused before routing; nothing outside the root is touched', async () => {
    s.spy.calls.length = 0
    const paths = [
      `/backup/Media/../../../etc/passwd`, `/backup/Media/${ts}/../../secret.txt`, `/backup/./Media/${ts}/info`, `/backup/Media/%2e%2e/info`,
      `/backup/Media\\..\\..\\etc/info`, `/backup/..\\../secret.txt/latest/download`, `/backup/Media/${ts}/..`, `/backup/Media/.%2e/download`,
      `/backup/%2e%2e/${ts}/download`, `/backup/Media/..%2f..%2f..%2fsecret.txt/download`,
    ]
    for (const p of paths) {
      for (const method of ['GET', 'DELETE', 'POST']) {
        const r = await raw(p, method)
        expect([400, 404, 405], `${method} ${p} → ${r.status}`).toContain(r.status)
        expect(r.body).not.toContain(CANARY)
      }
    }
    expect(s.spy.calls).toEqual([])
    expect((await raw(`/backup/Media/${ts}/info`)).status).toBe(200)
  })
})
