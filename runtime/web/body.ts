import { HttpError } from './errors.js'

const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `[koan-backup] the request body is larger than ${limit} bytes (handler option \`maxBodyBytes\`)`, { connection: 'close' })
}

/**
 * Reads a JSON request body of at most `limit` bytes. Only `application/json` is accepted (the
 * content types a cross-site form can send are 415); a declared `Content-Length` over the limit is
 * refused unread, and a streamed body is read only up to the limit, then cancelled. An empty body
 * is `undefined`.
 */
export async function readJsonBody(request: Request, limit: number, timeoutMs: number): Promise<unknown> {
  const type = request.headers.get('content-type')
  const declared = request.headers.get('content-length')
  if (type !== null && !JSON_TYPE.test(type.trim())) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', '[koan-backup] the request body must be JSON: send `Content-Type: application/json`')
  }
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit)
  const text = await readLimited(request, limit, timeoutMs)
  if (text.length === 0) return undefined
  if (type === null) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', '[koan-backup] the request body must be JSON: send `Content-Type: application/json`')
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', '[koan-backup] the request body is not valid JSON')
  }
}

async function readLimited(request: Request, limit: number, timeoutMs: number): Promise<string> {
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpError(408, 'REQUEST_TIMEOUT', `[koan-backup] the request body did not arrive within ${timeoutMs} ms`, { connection: 'close' })), timeoutMs)
  })
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timeout])
      if (done) break
      total += value.byteLength
      if (total > limit) throw tooLarge(limit)
      chunks.push(value)
    }
  } catch (error) {
    // stop the sender: the rest of the body is never read
    reader.cancel().catch(() => {})
    throw error
  } finally {
    clearTimeout(timer)
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', '[koan-backup] the request body is not valid UTF-8')
  }
}
