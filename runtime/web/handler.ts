import type { BackupApi } from '../engine/api.js'
import { isBackupError } from '../errors.js'
import { readJsonBody } from './body.js'
import { downloadResponse } from './download.js'
import { HttpError, toHttpError } from './errors.js'
import { resolveHandlerOptions, type BackupHandlerOptions, type ResolvedHandlerOptions } from './options.js'
import { checkTimestamp, decodeSegment, EntityAllowList } from './params.js'
import { createOptions, restoreOptions } from './payloads.js'
import { redactor, type Redactor } from './redact.js'
import { jsonResponse } from './response.js'
import { matchRoute, type RouteMatch } from './routes.js'
import { checkAuth, checkHost, checkSite } from './security.js'

/** A web-standard request handler serving the backup routes under `basePath`. */
export interface BackupHandler {
  (request: Request): Promise<Response>
  /** The base path the routes live under (the node adapter passes other paths on to `next`). */
  readonly basePath: string
}

/**
 * The admin REST API of the spec (`Koan.Web.Backup`) as `(Request) => Promise<Response>`:
 * `GET capabilities`, `GET|POST create`, `GET {Entity}/create`, `POST {Entity}/{ts}/restore`,
 * `GET {Entity}`, `GET {Entity}/{ts}/info`, `DELETE {Entity}/{ts}`, `GET {Entity}/{ts}/download`.
 *
 * Checks, in order: Host (loopback or `allowedHosts`), token (header only, constant time), route
 * and method (404/405), cross-site requests (403), then parameters (entities only through the
 * registry, timestamps only in the strict format: no path is built from input) and the JSON body
 * (415/413/400). Errors are `{ error: { code, message } }` without paths or secrets.
 * Throws at construction when no `token` is given and `auth: false` is not set.
 */
export function createBackupHandler(backup: BackupApi, options: BackupHandlerOptions = {}): BackupHandler {
  const resolved = resolveHandlerOptions(options)
  const entities = new EntityAllowList(backup.capabilities())
  const redact = redactor(() => [backup.path], resolved.token ? [resolved.token] : [])
  const handler = async (request: Request): Promise<Response> => {
    try {
      return await handle(backup, request, resolved, entities, redact)
    } catch (error) {
      const e = toHttpError(error)
      if (e.status >= 500 && !isBackupError(error)) resolved.onError(error, request)
      return jsonResponse(e.status, { error: { code: e.code, message: e.message } }, redact, e.headers)
    }
  }
  return Object.defineProperty(handler, 'basePath', { value: resolved.basePath, enumerable: true }) as BackupHandler
}

function segmentsOf(url: URL, basePath: string): string[] {
  const { pathname } = url
  if (!pathname.startsWith(`${basePath}/`)) throw new HttpError(404, 'NOT_FOUND', `[koan-backup] no backup route here; the routes live under ${basePath}/`)
  const segments = pathname.slice(basePath.length + 1).split('/')
  if (segments.includes('')) throw new HttpError(404, 'NOT_FOUND', '[koan-backup] no backup route here (empty path segment)')
  return segments
}

async function handle(backup: BackupApi, request: Request, options: ResolvedHandlerOptions, entities: EntityAllowList, redact: Redactor): Promise<Response> {
  const url = new URL(request.url)
  checkHost(request, url, options)
  checkAuth(request, options)
  // the method is the request's own: X-HTTP-Method-Override and the like are never read
  const match = matchRoute(request.method, segmentsOf(url, options.basePath))
  checkSite(request, options)
  const entity = match.params.entity === undefined ? undefined : entities.resolve(decodeSegment(match.params.entity))
  const timestamp = match.params.timestamp === undefined ? undefined : checkTimestamp(decodeSegment(match.params.timestamp), match.route.name !== 'delete')
  const body = match.route.method === 'POST' ? await readJsonBody(request, options.maxBodyBytes, options.bodyTimeoutMs) : undefined
  return dispatch(backup, match, { entity, timestamp, body }, options, entities, redact, request)
}

async function dispatch(
  backup: BackupApi, match: RouteMatch, p: { entity?: string; timestamp?: string; body: unknown },
  options: ResolvedHandlerOptions, entities: EntityAllowList, redact: Redactor, request: Request,
): Promise<Response> {
  const api = () => backup.entity(p.entity!)
  switch (match.route.name) {
    case 'capabilities':
      return jsonResponse(200, backup.capabilities(), redact)
    case 'createAll':
      return jsonResponse(201, await backup.create(), redact)
    case 'createAllWithBody':
      return jsonResponse(201, await backup.create(createOptions(p.body, entities)), redact)
    case 'list':
      return jsonResponse(200, { entity: p.entity, backups: await api().list() }, redact)
    case 'createEntity': {
      const result = await api().create()
      const location = `${options.basePath}/${encodeURIComponent(p.entity!)}/${result.timestamp}/info`
      return jsonResponse(201, result, redact, { location })
    }
    case 'restore':
      return jsonResponse(200, await api().restore({ ...restoreOptions(p.body), timestamp: p.timestamp! }), redact)
    case 'info':
      return jsonResponse(200, await api().info(p.timestamp!), redact)
    case 'delete':
      await api().delete(p.timestamp!)
      return jsonResponse(200, { entity: p.entity, timestamp: p.timestamp, deleted: true }, redact)
    case 'download':
      return downloadResponse(api(), p.timestamp!, (error) => options.onError(error, request))
  }
}
