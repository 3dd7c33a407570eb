import { HttpError } from './errors.js'

/** What each route does (the spec's `Koan.Web.Backup` routes). */
export type RouteName = 'capabilities' | 'createAll' | 'createAllWithBody' | 'list' | 'createEntity' | 'restore' | 'info' | 'delete' | 'download'

/** A route: a method and a pattern of literal segments and `:entity` / `:timestamp` parameters. */
export interface Route {
  name: RouteName
  method: 'GET' | 'POST' | 'DELETE'
  pattern: string[]
}

/** Every route, relative to the base path. */
export const ROUTES: Route[] = [
  { name: 'capabilities', method: 'GET', pattern: ['capabilities'] },
  { name: 'createAll', method: 'GET', pattern: ['create'] },
  { name: 'createAllWithBody', method: 'POST', pattern: ['create'] },
  { name: 'list', method: 'GET', pattern: [':entity'] },
  { name: 'createEntity', method: 'GET', pattern: [':entity', 'create'] },
  { name: 'restore', method: 'POST', pattern: [':entity', ':timestamp', 'restore'] },
  { name: 'info', method: 'GET', pattern: [':entity', ':timestamp', 'info'] },
  { name: 'delete', method: 'DELETE', pattern: [':entity', ':timestamp'] },
  { name: 'download', method: 'GET', pattern: [':entity', ':timestamp', 'download'] },
]

/** Routes that change state (a backup written, restored or deleted). */

/** A matched route with its raw (still percent-encoded) parameters. */
export interface RouteMatch {
  route: Route
  params: { entity?: string; timestamp?: string }
}

function literals(route: Route, segments: string[]): number | null {
  if (route.pattern.length !== segments.length) return null
  let n = 0
  for (let i = 0; i < segments.length; i++) {
    const p = route.pattern[i]!
    if (p.startsWith(':')) continue
    if (p !== segments[i]) return null
    n++
  }
  return n
}

/**
 * Finds the route of a path below the base path. Literal segments win over parameters
 * (`/create` is never the entity `create`); a path with routes for other methods only is 405
 * with `Allow`; anything else is 404. `HEAD` and `OPTIONS` are not served (a HEAD of `/create`
 * must not create a backup).
 */
export function matchRoute(method: string, segments: string[]): RouteMatch {
  let best = -1
  let candidates: Route[] = []
  for (const route of ROUTES) {
    const n = literals(route, segments)
    if (n === null || n < best) continue
    if (n > best) {
      best = n
      candidates = []
    }
    candidates.push(route)
  }
  if (candidates.length === 0) throw new HttpError(404, 'NOT_FOUND', '[koan-backup] no backup route here; see GET <base>/capabilities and the README for the routes')
  const route = candidates.find((r) => r.method === method)
  if (!route) {
    const allow = [...new Set(candidates.map((r) => r.method))].join(', ')
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `[koan-backup] ${method} is not allowed here; use ${allow}`, { allow })
  }
  const params: RouteMatch['params'] = {}
  route.pattern.forEach((p, i) => {
    if (p === ':entity') params.entity = segments[i]
    if (p === ':timestamp') params.timestamp = segments[i]
  })
  return { route, params }
}
