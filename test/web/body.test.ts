import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackupHandler } from '../../runtime/web/index.js'
import { call, request, sandbox, TOKEN, type Sandbox } from './setup.js'

let s: Sandbox
beforeAll(async () => { s = await sandbox() })
afterAll(() => s.cleanup())

/** A body of `total` bytes made on demand, counting what the reader pulled. */
function generated(total: number, chunk = 16 * 1024) {
  const counter = { pulled: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close()
      const n = Math.min(chunk, total - counter.pulled)
      counter.pulled += n
      controller.enqueue(new Uint8Array(n).fill(0x20))
    },
    cancel() { counter.cancelled = true },
  }, { highWaterMark: 0 })
  return { stream, counter }
}

describe('C6 row 43: oversized and abusive bodies', () => {
  it('a 10 MB streamed body: 413 after reading just past the 64 KiB limit, the rest never pulled', async () => {
    const { stream, counter } = generated(10 * 1024 * 1024)
    const res = await s.handler(request('/backup/create', { method: 'POST', body: stream }))
    expect(res.status).toBe(413)
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(res.headers.get('connection')).toBe('close')
    expect(counter.pulled).toBeLessThanOrEqual(64 * 1024 + 16 * 1024)
    expect(counter.cancelled).toBe(true)
  })

  it('a declared Content-Length over the limit: 413 without reading a byte', async () => {
    const { stream, counter } = generated(10 * 1024 * 1024)
    const res = await s.handler(request('/backup/create', { method: 'POST', body: stream, headers: { 'content-length': String(10 * 1024 * 1024) } }))
    expect(res.status).toBe(413)
    expect(counter.pulled).toBe(0)
  })

  it('the limit is configurable; a body just under it is read', async () => {
    const handler = createBackupHandler(s.backup, { token: TOKEN, maxBodyBytes: 100 })
    const big = await call({ handler }, '/backup/create', { method: 'POST', body: { entities: ['Media'], pad: 'x'.repeat(100) } })
    expect(big.status).toBe(413)
    const ok = await call({ handler }, '/backup/create', { method: 'POST', body: { entities: ['Media'] } })
    expect(ok.status, ok.text).toBe(201)
  })

  it('an entities array of 10^5 names: refused (413 by size, 400 by count) before any backup', async () => {
    const before = readdirSync(s.root, { recursive: true }).length
    const many = Array.from({ length: 100_000 }, (_, i) => `E${i}`)
    const handler = createBackupHandler(s.backup, { token: TOKEN, maxBodyBytes: 10 * 1024 * 1024 })
    const r = await call({ handler }, '/backup/create', { method: 'POST', body: { entities: many } })
    expect(r.status).toBe(400)
    expect(r.json.error.message).toMatch(/must list 1 to 4 entities \(got 100000\)/)
    expect((await call(s, '/backup/create', { method: 'POST', body: { entities: many } })).status).toBe(413)
    expect(readdirSync(s.root, { recursive: true }).length).toBe(before)
  })

  it('a slow body times out with 408', async () => {
    const handler = createBackupHandler(s.backup, { token: TOKEN, bodyTimeoutMs: 50 })
    const stalled = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('{"entities":')) } })
    const res = await handler(request('/backup/create', { method: 'POST', body: stalled }))
    expect(res.status).toBe(408)
  })

  it('a body without Content-Type is 415; an empty body without one is fine; invalid UTF-8 is 400', async () => {
    const noType = await s.handler(new Request('http://127.0.0.1/backup/create', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: new Blob(['{}']) }))
    expect(noType.status).toBe(415)
    const utf = await call(s, '/backup/create', { method: 'POST', body: new ReadableStream({ start(c) { c.enqueue(Uint8Array.of(0x7b, 0xff, 0x7d)); c.close() } }) })
    expect(utf.status).toBe(400)
  })
})
