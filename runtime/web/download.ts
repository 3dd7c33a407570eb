import { pipeline, Readable } from 'node:stream'
import { createGzip } from 'node:zlib'
import type { EntityBackupApi } from '../engine/api.js'
import { COMMON_HEADERS } from './response.js'
import { webStreamOf } from './streams.js'
import { tarArchive } from './tar.js'

/**
 * An RFC 6266 `Content-Disposition: attachment` value: an ASCII-only `filename` fallback (anything
 * but letters, digits, `.`, `_` and `-` replaced, so no quote, CR or LF can end the header) and the
 * exact name in `filename*` (RFC 8187 UTF-8 percent-encoding).
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200) || 'backup'
  const exact = encodeURIComponent(filename).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`
}

/**
 * `GET …/{Entity}/{timestamp}/download`: the backup folder as a streamed `.tar.gz`. The engine
 * opens only `metadata.json` and the files the metadata lists, as regular files (links refused),
 * before the response starts, so a refusal is still a JSON error. Bytes are read as the client
 * reads (backpressure through gzip and the tar writer) and each file's SHA-256 is checked as it
 * streams: a mismatch aborts the download rather than completing a wrong archive.
 */
export async function downloadResponse(api: EntityBackupApi, timestamp: string, onError: (error: unknown) => void): Promise<Response> {
  const opened = await api.open(timestamp)
  const folder = `${opened.entity}/${opened.timestamp}`
  const entries = opened.files.map((f) => ({ path: `${folder}/${f.name}`, size: f.size, mtimeMs: f.mtimeMs, read: () => f.read() }))
  const gzip = createGzip()
  // byte mode with a 64 KiB high-water mark: at most that much tar data waits for gzip and the client
  pipeline(Readable.from(tarArchive(entries), { objectMode: false, highWaterMark: 64 * 1024 }), gzip, (error) => {
    void opened.close()
    if (error && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') onError(error)
  })
  return new Response(webStreamOf(gzip), {
    status: 200,
    headers: {
      'content-type': 'application/gzip',
      'content-disposition': contentDisposition(`${opened.entity}-${opened.timestamp}.tar.gz`),
      ...COMMON_HEADERS,
    },
  })
}
