import { TIMESTAMP } from '../engine/layout.js'
import type { Capabilities } from '../engine/api.js'
import { HttpError } from './errors.js'

const MAX_SEGMENT = 256

/**
 * Decodes one path segment exactly once and refuses what could address a file rather than name a
 * thing: separators (`/`, `\`), NUL and control characters, `.`/`..`, over-long names.
 */
export function decodeSegment(raw: string): string {
  let value: string
  try {
    value = decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, 'BAD_PATH', '[koan-backup] the path has a malformed percent-encoding')
  }
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > MAX_SEGMENT || /[/\\\u0000-\u001f\u007f]/.test(value) || value === '.' || value === '..') {
    throw new HttpError(400, 'BAD_PATH', '[koan-backup] the path has a segment that is not a name (separator, control character, dot segment or over-long)')
  }
  return value
}

/** Entity names accepted in URLs: each included entity's class name (when unique) and full name, mapped to the full name. */
export class EntityAllowList {
  private names = new Map<string, string>()
  readonly size: number

  constructor(capabilities: Capabilities) {
    // capabilities keys an entity by its class name, or by its full name when the class name is shared
    const entries = Object.entries(capabilities.entities)
    for (const [, e] of entries) this.names.set(e.fullTypeName, e.fullTypeName)
    for (const [key, e] of entries) if (!this.names.has(key)) this.names.set(key, e.fullTypeName)
    this.size = entries.length
  }

  /** The full name for a URL name, by exact lookup; anything else is 404 (the name is never used as a path). */
  resolve(name: string): string {
    const full = this.names.get(name)
    if (!full) throw new HttpError(404, 'UNKNOWN_ENTITY', `[koan-backup] ${JSON.stringify(name.slice(0, 100))} is not an entity included in backups; GET <base>/capabilities lists them`)
    return full
  }
}

/** A backup timestamp from the URL: the strict format, or `latest` where allowed. */
export function checkTimestamp(value: string, allowLatest: boolean): string {
  if (value === 'latest' && allowLatest) return value
  if (!TIMESTAMP.test(value)) {
    const hint = allowLatest ? ", or 'latest'" : ' (deleting needs an explicit timestamp)'
    throw new HttpError(400, 'BAD_OPTION', `[koan-backup] ${JSON.stringify(value.slice(0, 100))} is not a backup timestamp (expected e.g. 2025-10-02T15-30-45Z${hint})`)
  }
  return value
}
