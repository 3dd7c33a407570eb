import { request as httpRequest, createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { serve } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import * as tar from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../runtime/web/index.js'
import { MEDIA, sandbox, TOKEN, type Sandbox } from './setup.js'

let s: Sandbox
beforeAll(async () => { s = await sandbox({ rows: 500 }) })
afterAll(() => s.cleanup())

const auth = { authorization: `Bearer ${TOKEN}` }

/** Sends a 10 MB body with node:http; resolves with the status once the response arrives (the upload may be cut). */
function post10MB(port: number): Promise<{ status: number; sentBeforeResponse: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/backup/create', headers: { ...auth, 'content-type': 'application/json' } }, (res) => {
      resolve({ status: res.statusCode!, sentBeforeResponse: sent })
      res.resume()
    })
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)))
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const write = () => {
      while (sent < 10 * 1024 * 1024) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', write)
      }
      req.end()
    }
    write()
  })
}

/** The same checks on every mount: auth, capabilities, POST create, a streamed download, 413, 405. */
async function exercise(port: number, prefix = '') {
  const url = (p: string) => `http://127.0.0.1:${port}${prefix}${p}`
  expect((await fetch(url('/backup/capabilities'))).status).toBe(401)
  const caps = await fetch(url('/backup/capabilities'), { headers: auth })
  expect(caps.status).toBe(200)
  expect(((await caps.json()) as any).entities.Media.fullTypeName).toBe(MEDIA)
  const created = await fetch(url('/backup/create'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ entities: ['Media'] }) })
  expect(created.status, await created.clone().text()).toBe(201)
  const { timestamp } = (await created.json()) as any
  const download = await fetch(url(`/backup/Media/${timestamp}/download`), { headers: auth })
  expect(download.status).toBe(200)
  expect(download.headers.get('content-disposition')).toContain(`filename*=UTF-8''${MEDIA}-${timestamp}.tar.gz`)
  const names: string[] = []
  await pipeline(Readable.fromWeb(download.body as never), tar.t({ onReadEntry: (e) => names.push(e.path) }))
  expect(names).toEqual([`${MEDIA}/${timestamp}/metadata.json`, `${MEDIA}/${timestamp}/data.json.gz`])
  const wrong = await fetch(url(`/backup/Media/${timestamp}`), { method: 'PUT', headers: auth })
  expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'DELETE'])
  const big = await post10MB(port)
  expect(big.status).toBe(413)
  // the server still answers after refusing the upload
  expect((await fetch(url('/backup/capabilities'), { headers: auth })).status).toBe(200)
  return big
}

/** `exercise` on a listening framework server whose app also answers GET /health (the other routes go on), then closes it. */
async function exerciseMounted(server: Server): Promise<void> {
  try {
    const port = (server.address() as AddressInfo).port
    await exercise(port)
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ ok: true })
  } finally {
    await new Promise<void>((r) => server.close(() => r()))
  }
}

describe('mounting', () => {
  it('node:http with toNodeListener', async () => {
    const server = createServer(toNodeListener(s.handler))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const big = await exercise((server.address() as AddressInfo).port)
      console.info(`[C6 row 43] node:http: 413 after ${big.sentBeforeResponse} of ${10 * 1024 * 1024} bytes had been written by the client`)
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  it('node:http keeps the connection for requests it read in full (GET, DELETE), and a client that leaves early releases the body', async () => {
    let answered = () => {}
    const done = new Promise<void>((r) => { answered = r })
    // a handler that answers late with a streamed body whose cancellation is observed
    let cancelled = false
    const slow = Object.assign(async (request: Request) => {
      if (new URL(request.url).pathname === '/late') {
        await new Promise((r) => setTimeout(r, 300))
        const body = new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1024)), cancel: () => { cancelled = true } })
        answered()
        return new Response(body)
      }
      return s.handler(request)
    }, { basePath: '/backup' })
    const server = createServer(toNodeListener(slow))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    const raw = (method: string, path: string) => new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: auth }, (res) => {
        res.resume()
        resolve({ status: res.statusCode!, connection: res.headers.connection })
      })
      req.on('error', reject)
      req.end()
    })
    try {
      const { timestamp } = await s.backup.entity('Media').create()
      expect(await raw('GET', '/backup/Media')).toEqual({ status: 200, connection: 'keep-alive' })
      expect(await raw('DELETE', `/backup/Media/${timestamp}`)).toEqual({ status: 200, connection: 'keep-alive' })
      // the client goes away before the handler answers: the late body is cancelled, not left pending
      const early = httpRequest({ host: '127.0.0.1', port, path: '/late', headers: auth })
      early.on('error', () => {})
      early.end()
      setTimeout(() => early.destroy(), 50)
      await done
      for (let waited = 0; waited < 5000 && !cancelled; waited += 25) await new Promise((r) => setTimeout(r, 25))
      expect(cancelled).toBe(true)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  it('express 5: app.use(toNodeListener(handler)); other paths go on to the next middleware', async () => {
    const app = express()
    app.use(toNodeListener(s.handler))
    app.get('/health', (_req, res) => { res.json({ ok: true }) })
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((r) => server.once('listening', () => r()))
    await exerciseMounted(server)
  })

  it('hono 4 on @hono/node-server: app.all(`/backup/*`, (c) => handler(c.req.raw))', async () => {
    const app = new Hono()
    app.all('/backup/*', (c) => s.handler(c.req.raw))
    app.get('/health', (c) => c.json({ ok: true }))
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const srv = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(srv))
    })
    await exerciseMounted(server as unknown as Server)
  })

  it('fastify 5: a scoped plugin that leaves the body unparsed and hands the raw request over', async () => {
    const app = Fastify()
    const listener = toNodeListener(s.handler)
    await app.register(async (scope) => {
      // the handler reads (and size-limits) the body itself
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('*', (_req, _payload, done) => done(null))
      scope.all('/backup/*', (req, reply) => {
        reply.hijack()
        listener(req.raw, reply.raw)
      })
    })
    app.get('/health', async () => ({ ok: true }))
    await app.listen({ host: '127.0.0.1', port: 0 })
    try {
      const port = (app.server.address() as AddressInfo).port
      await exercise(port)
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ ok: true })
    } finally {
      await app.close()
    }
  })
})
