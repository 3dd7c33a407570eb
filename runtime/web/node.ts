import type { IncomingMessage, ServerResponse } from 'node:http'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { HttpError } from './errors.js'
import { COMMON_HEADERS } from './response.js'

/** A node:http listener; also usable as express/connect middleware (`next` receives paths outside the base path). */
export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void

// connection-level headers describe the hop, not the request
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect', 'http2-settings'])

/** The request body as a web stream, pulled from the socket only as the handler reads (backpressure). */
function bodyOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await chunks.next()
        if (done) controller.close()
        else controller.enqueue(value as Buffer)
      } catch (error) {
        controller.error(error)
      }
    },
    // the handler stopped reading (e.g. 413): leave the rest unread; the response closes the connection
    cancel() {
      req.pause()
    },
  }, { highWaterMark: 0 })
}

/** Converts an IncomingMessage to a Request; the raw path must already be canonical (no dot segments or backslashes for the URL parser to fold). */
function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const raw = req.url ?? '/'
  const url = new URL(raw.startsWith('/') ? raw : `/${raw}`, 'http://localhost')
  const rawPath = raw.split('?')[0]!
  if (!raw.startsWith('/') || url.pathname !== rawPath) {
    throw new HttpError(400, 'BAD_PATH', '[koan-backup] the request path is not canonical (dot segments, backslashes or characters that need encoding)')
  }
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.append(name, req.rawHeaders[i + 1]!)
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  // the URL's host is fixed: the Host header is checked by the handler, never trusted to build a URL
  return new Request(`http://localhost${url.pathname}${url.search}`, {
    method, headers, signal,
    ...(hasBody ? { body: bodyOf(req), duplex: 'half' } : {}),
  } as RequestInit)
}

async function writeResponse(response: Response, res: ServerResponse, closeConnection: () => boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length) headers['set-cookie'] = cookies
  if (closeConnection()) headers.connection = 'close'
  // the client left before the handler answered: nothing to send, release what the body holds
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {})
    return
  }
  res.writeHead(response.status, headers)
  if (!response.body) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  const gone = () => void reader.cancel().catch(() => {})
  res.once('close', gone)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      // \`finished\` settles even when the socket closed before we started waiting
      if (!res.write(value)) await Promise.race([once(res, 'drain'), finished(res).catch(() => {})])
      if (res.destroyed) return
    }
    res.end()
  } catch {
    // the body failed mid-stream (e.g. a file failed its checksum): abort, so the client sees an incomplete response
    res.destroy()
  } finally {
    res.off('close', gone)
  }
}

function fallback(res: ServerResponse, error: HttpError): void {
  res.writeHead(error.status, { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8', connection: 'close' })
  res.end(JSON.stringify({ error: { code: error.code, message: error.message } }))
}

/**
 * Serves a web-standard handler from node:http (and frameworks built on it: express, connect,
 * fastify through `reply.hijack()`): streams both ways with backpressure, aborts the Request when
 * the client goes away, closes the connection when a request body was left unread (413). With a
 * `basePath` on the handler and a `next` argument (express), other paths go to `next`.
 */
export function toNodeListener(handler: ((request: Request) => Promise<Response>) & { basePath?: string }): NodeListener {
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0]!
    if (next && handler.basePath && !(path === handler.basePath || path.startsWith(`${handler.basePath}/`))) {
      next()
      return
    }
    const abort = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    void (async () => {
      let request: Request
      try {
        request = toRequest(req, abort.signal)
      } catch (error) {
        fallback(res, error instanceof HttpError ? error : new HttpError(400, 'BAD_REQUEST', '[koan-backup] the request cannot be read'))
        return
      }
      const response = await handler(request)
      // a body left unread (413) would be parsed as the next request: close the connection then;
      // \`complete\` is also true for a body Node received in full and discarded
      await writeResponse(response, res, () => !req.complete)
    })().catch(() => {
      // the handler answers every error itself; this is a failure of the socket or the adapter
      if (!res.headersSent) fallback(res, new HttpError(500, 'INTERNAL', '[koan-backup] the backup handler failed unexpectedly; the server log has the details'))
      else res.destroy()
    })
  }
}
