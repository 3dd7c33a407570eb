import type { BackupOptions, RestoreOptions } from '../engine/api.js'
import { HttpError } from './errors.js'
import type { EntityAllowList } from './params.js'

const SOURCES = new Set(['data', 'vectors'])

function invalid(what: string): HttpError {
  return new HttpError(400, 'BAD_REQUEST', `[koan-backup] ${what}`)
}

function objectBody(body: unknown, keys: string[], route: string): Record<string, unknown> {
  if (body === undefined) return {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid(`the body of ${route} must be a JSON object`)
  const unknown = Object.keys(body).filter((k) => !keys.includes(k))
  if (unknown.length) throw invalid(`the body of ${route} has unknown field(s) ${unknown.map((k) => JSON.stringify(k.slice(0, 50))).join(', ')}; accepted: ${keys.join(', ')}`)
  return body as Record<string, unknown>
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key]
  if (v !== undefined && typeof v !== 'boolean') throw invalid(`\`${key}\` must be true or false`)
  return v as boolean | undefined
}

/**
 * The body of `POST <base>/create`: `{ entities?, include?, compress? }`. Entities are resolved
 * through the allow-list (never more than it holds, duplicates merged); a backup path is never
 * taken from a request.
 */
export function createOptions(body: unknown, entities: EntityAllowList): BackupOptions & { entities?: string[] } {
  const b = objectBody(body, ['entities', 'include', 'compress'], 'POST /create')
  const out: BackupOptions & { entities?: string[] } = {}
  if (b.entities !== undefined) {
    if (!Array.isArray(b.entities)) throw invalid('`entities` must be an array of entity names')
    if (b.entities.length === 0 || b.entities.length > entities.size) throw invalid(`\`entities\` must list 1 to ${entities.size} entities (got ${b.entities.length})`)
    if (b.entities.some((e) => typeof e !== 'string' || e.length > 256)) throw invalid('`entities` must hold entity names (strings)')
    out.entities = [...new Set((b.entities as string[]).map((e) => entities.resolve(e)))]
  }
  if (b.include !== undefined) {
    if (!Array.isArray(b.include) || b.include.length === 0 || b.include.length > SOURCES.size || b.include.some((s) => !SOURCES.has(s as string))) {
      throw invalid("`include` must be a non-empty array of 'data' and 'vectors'")
    }
    out.include = [...new Set(b.include as Array<'data' | 'vectors'>)]
  }
  const compress = optionalBoolean(b, 'compress')
  if (compress !== undefined) out.compress = compress
  return out
}

/** The body of `POST <base>/{Entity}/{timestamp}/restore`: `{ overwriteExisting?, restoreVectors?, dryRun?, safetyBackup? }`. */
export function restoreOptions(body: unknown): Omit<RestoreOptions, 'entities' | 'path' | 'timestamp'> {
  const b = objectBody(body, ['overwriteExisting', 'restoreVectors', 'dryRun', 'safetyBackup'], 'POST /{Entity}/{timestamp}/restore')
  const out: Omit<RestoreOptions, 'entities' | 'path' | 'timestamp'> = {}
  for (const key of ['overwriteExisting', 'restoreVectors', 'dryRun', 'safetyBackup'] as const) {
    const v = optionalBoolean(b, key)
    if (v !== undefined) out[key] = v
  }
  return out
}
