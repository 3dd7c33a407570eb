import { sep } from 'node:path'

// an absolute path inside a message: POSIX `/a/b`, Windows `C:\a` or `\\server\share`, not part of a word or URL
const ABSOLUTE = /(?<![\w.:/\\>-])(?:[A-Za-z]:[\\/]|\\\\|\/)(?:[^\s'"`<>|,;()[\]{}]*)/g

/** Removes what must never leave the server from the texts of a response: the backup root, absolute paths, secrets. */
export type Redactor = (text: string) => string

/** A redactor for the given backup root(s) and secrets (tokens, keys). */
export function redactor(roots: () => string[], secrets: string[]): Redactor {
  const live = secrets.filter((s) => s.length >= 4)
  return (text) => {
    let out = text
    for (const s of live) out = out.split(s).join('<redacted>')
    for (const root of roots()) {
      if (!root) continue
      for (const form of new Set([root, root.split(sep).join('/'), root.split('/').join('\\')])) out = out.split(form).join('<backup root>')
    }
    return out.replace(ABSOLUTE, (match) => (match === '/' ? match : '<path>'))
  }
}

/** Applies a redactor to every string of a JSON-like value. */
export function redactValue<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact)) as T
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, redact)])) as T
  }
  return value
}
