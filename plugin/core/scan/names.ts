import { posix } from 'node:path'

const relCache = new Map<string, string>()

/** Project-relative path with forward slashes (memoised: computed once per root and file). */
export function relative(root: string, file: string): string {
  const key = `${root}\0${file}`
  let rel = relCache.get(key)
  if (rel === undefined) {
    rel = posix.relative(root.replaceAll('\\', '/'), file.replaceAll('\\', '/'))
    relCache.set(key, rel)
  }
  return rel
}

/** Full entity name: module path without extension, dotted, then the class name; filesystem-safe. */
export function fullNameOf(rel: string, className: string): string {
  const module = rel.replace(/\.(c|m)?[jt]sx?$/, '').split('/').join('.')
  return `${module}.${className}`.replace(/[^A-Za-z0-9._-]/g, '_')
}
