import { createHash, timingSafeEqual } from 'node:crypto'
import { HttpError } from './errors.js'
import type { ResolvedHandlerOptions } from './options.js'

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Splits `host[:port]` (IPv6 in brackets); `null` for anything else. */
export function parseHost(value: string): { name: string; port: string | null } | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value.trim().toLowerCase())
  return m ? { name: m[1]!, port: m[2] ?? null } : null
}

/** True when a `host[:port]` is loopback or in the allow-list (an entry without a port allows any port). */
export function hostAllowed(value: string, allowed: string[]): boolean {
  const host = parseHost(value)
  if (!host) return false
  if (LOOPBACK.has(host.name)) return true
  return allowed.some((entry) => {
    const a = parseHost(entry)
    return !!a && a.name === host.name && (a.port === null || a.port === host.port)
  })
}

/**
 * DNS-rebinding defence: the `Host` header (or the URL's host when a caller built the Request
 * without one) must be loopback or allow-listed. A browser page on `evil.example` that rebinds its
 * name to 127.0.0.1 still sends `Host: evil.example`.
 */
export function checkHost(request: Request, url: URL, options: ResolvedHandlerOptions): void {
  const host = request.headers.get('host') ?? url.host
  if (!host) throw new HttpError(400, 'BAD_HOST', '[koan-backup] the request has no Host header')
  if (!parseHost(host)) throw new HttpError(400, 'BAD_HOST', '[koan-backup] the Host header is not a valid host name')
  if (!hostAllowed(host, options.allowedHosts)) {
    throw new HttpError(403, 'FORBIDDEN_HOST', '[koan-backup] this Host is not allowed to reach the backup API; add it to the handler option `allowedHosts` if it is yours')
  }
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/**
 * The token, from the configured header only (never a cookie or the query string), compared in
 * constant time: both sides are hashed first, so neither length nor content leaks through timing.
 */
export function checkAuth(request: Request, options: ResolvedHandlerOptions): void {
  if (options.token === null) return
  const challenge = { 'www-authenticate': 'Bearer realm="koan-backup"' }
  const raw = request.headers.get(options.tokenHeader)
  let given: string | null = raw
  if (raw !== null && options.tokenHeader === 'authorization') {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(raw)
    given = m ? m[1]! : null
  }
  if (given === null || given === '') {
    throw new HttpError(401, 'UNAUTHORIZED', `[koan-backup] missing credentials: send the token in the ${options.tokenHeader === 'authorization' ? '`Authorization: Bearer <token>`' : `\`${options.tokenHeader}\``} header (cookies and query strings are not read)`, challenge)
  }
  if (!timingSafeEqual(digest(given), digest(options.token))) {
    throw new HttpError(401, 'UNAUTHORIZED', '[koan-backup] the token is not valid', { 'www-authenticate': 'Bearer realm="koan-backup", error="invalid_token"' })
  }
}

/**
 * CSRF defence for an API that has state-changing GETs: a browser marks requests made by another
 * site's page (`Sec-Fetch-Site: cross-site` or `same-site`), and sends `Origin` on most of them; such
 * requests are refused on every route. Non-browser clients send neither header.
 */
export function checkSite(request: Request, options: ResolvedHandlerOptions): void {
  const site = request.headers.get('sec-fetch-site')?.trim().toLowerCase()
  if (site === 'cross-site' || site === 'same-site') {
    throw new HttpError(403, 'CROSS_SITE', `[koan-backup] requests from another site's page are refused (Sec-Fetch-Site: ${site}); call the backup API from a server, a script or the same origin`)
  }
  const origin = request.headers.get('origin')
  if (origin !== null) {
    let host: string | null = null
    try {
      host = origin === 'null' ? null : new URL(origin).host
    } catch {
      host = null
    }
    const own = request.headers.get('host')
    if (!host || (host !== own && !hostAllowed(host, options.allowedHosts))) {
      throw new HttpError(403, 'CROSS_SITE', '[koan-backup] requests from another origin are refused; call the backup API from a server, a script or the same origin')
    }
  }
}
