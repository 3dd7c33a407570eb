/** Options of `createBackupHandler`. */
export interface BackupHandlerOptions {
  /**
   * The shared secret every request must carry: `Authorization: Bearer <token>` (or the bare value in
   * `tokenHeader`). At least 16 characters; e.g. `openssl rand -hex 32`. Required unless `auth: false`.
   */
  token?: string
  /**
   * `false` turns authentication off: only for a handler behind your own authentication (a gateway,
   * a framework middleware). Must be given explicitly; a handler without `token` otherwise throws.
   * @default true
   */
  auth?: boolean
  /** A header that carries the bare token instead of `Authorization: Bearer …` (e.g. `x-koan-token`). @default 'authorization' */
  tokenHeader?: string
  /** Where the routes live. @default '/backup' */
  basePath?: string
  /**
   * Hosts accepted in the `Host` header besides `localhost`, `127.0.0.1` and `[::1]` (DNS-rebinding
   * defence): `admin.example.com` (any port) or `admin.example.com:8443` (that port only).
   * @default []
   */
  allowedHosts?: string[]
  /** Largest accepted request body in bytes. @default 65536 */
  maxBodyBytes?: number
  /** Time allowed to receive a request body. @default 10000 */
  bodyTimeoutMs?: number
  /** Receives unexpected errors (their text never reaches the client). @default console.error */
  onError?: (error: unknown, request: Request) => void
}

/** Options with defaults applied. */
export interface ResolvedHandlerOptions {
  token: string | null
  tokenHeader: string
  basePath: string
  allowedHosts: string[]
  maxBodyBytes: number
  bodyTimeoutMs: number
  onError: (error: unknown, request: Request) => void
}

/** The defaults of every optional option. */
export const defaultHandlerOptions = {
  tokenHeader: 'authorization',
  basePath: '/backup',
  allowedHosts: [] as string[],
  maxBodyBytes: 64 * 1024,
  bodyTimeoutMs: 10_000,
} as const

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/

function bad(name: string, got: unknown, want: string): Error {
  return new Error(`[koan-backup] option \`${name}\`: expected ${want}, got ${JSON.stringify(got)}`)
}

/** Checks the options and applies the defaults; a bad option throws `[koan-backup] option \`name\`: …`. */
export function resolveHandlerOptions(options: BackupHandlerOptions = {}): ResolvedHandlerOptions {
  const { token, auth } = options
  if (auth !== undefined && typeof auth !== 'boolean') throw bad('auth', auth, 'true or false')
  if (auth === false) {
    if (token !== undefined) throw bad('token', '<token>', 'no token when `auth: false` (remove one of them)')
  } else if (token === undefined) {
    throw new Error('[koan-backup] option `token`: the backup handler requires a token (every request must send `Authorization: Bearer <token>`); pass `token` (e.g. from an environment variable; generate one with `openssl rand -hex 32`), or `auth: false` explicitly when your own middleware authenticates the requests')
  } else if (typeof token !== 'string' || token.length < 16 || /[\s\0]/.test(token)) {
    throw bad('token', typeof token === 'string' ? `<${token.length} characters>` : token, 'a string of at least 16 characters without spaces')
  }
  const tokenHeader = (options.tokenHeader ?? defaultHandlerOptions.tokenHeader).toLowerCase()
  if (!HEADER_NAME.test(tokenHeader) || tokenHeader === 'cookie') throw bad('tokenHeader', options.tokenHeader, 'an HTTP header name other than cookie')
  let basePath = options.basePath ?? defaultHandlerOptions.basePath
  if (typeof basePath !== 'string' || !basePath.startsWith('/')) throw bad('basePath', basePath, "a path starting with '/', e.g. '/backup'")
  basePath = basePath.replace(/\/+$/, '')
  if (basePath.split('/').slice(1).some((s) => !PATH_SEGMENT.test(s) || s === '.' || s === '..')) throw bad('basePath', options.basePath, "plain path segments, e.g. '/admin/backup'")
  const allowedHosts = options.allowedHosts ?? []
  if (!Array.isArray(allowedHosts) || allowedHosts.some((h) => typeof h !== 'string' || !HOST.test(h.toLowerCase()))) {
    throw bad('allowedHosts', allowedHosts, "host names, optionally with a port: ['admin.example.com', 'box:8080']")
  }
  const maxBodyBytes = options.maxBodyBytes ?? defaultHandlerOptions.maxBodyBytes
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw bad('maxBodyBytes', maxBodyBytes, 'a positive integer')
  const bodyTimeoutMs = options.bodyTimeoutMs ?? defaultHandlerOptions.bodyTimeoutMs
  if (!(typeof bodyTimeoutMs === 'number' && bodyTimeoutMs > 0)) throw bad('bodyTimeoutMs', bodyTimeoutMs, 'a positive number of milliseconds')
  if (options.onError !== undefined && typeof options.onError !== 'function') throw bad('onError', typeof options.onError, 'a function')
  return {
    token: auth === false ? null : token!, tokenHeader, basePath, allowedHosts: allowedHosts.map((h) => h.toLowerCase()), maxBodyBytes, bodyTimeoutMs,
    onError: options.onError ?? ((error) => console.error('[koan-backup] backup handler:', error)),
  }
}
