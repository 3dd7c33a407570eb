import { posix } from 'node:path'

const UNNORMALISED = /\/\.{0,2}(\/|$)/

const relCache = new Map<string, Map<string, string>>()

/** Project-relative path with forward slashes (memoised: computed once per root and file, looked up without building a key). */
export function relative(root: string, file: string): string {
  let byFile = relCache.get(root)
  if (!byFile) relCache.set(root, (byFile = new Map()))
  let rel = byFile.get(file)
  if (rel === undefined) {
    const base = root.replaceAll('\\', '/').replace(/\/+$/, '')
    const path = file.replaceAll('\\', '/')
    // a normalised path under root is its remainder; anything else (`..`, `.`, doubled slashes, outside root) goes to posix.relative
    rel = path.startsWith(`${base}/`) && !UNNORMALISED.test(path.slice(base.length)) ? path.slice(base.length + 1) : posix.relative(base || '/', path)
    byFile.set(file, rel)
  }
  return rel
}

const UNSAFE = /[^A-Za-z0-9._-]/
const modules = new Map<string, string>()

/**
 * Full entity name: module path without extension, dotted, then the class name; filesystem-safe. A file outside
 * the root (`../shared/models.ts`, which the project imports) is named by its path past the `..` segments
 * (`shared.models.Shared`); two files that come to the same name are reported (KB020).
 */
export function fullNameOf(rel: string, className: string): string {
  let module = modules.get(rel)
  if (module === undefined) modules.set(rel, (module = rel.replace(/^(\.\.\/)+/, '').replace(/\.(c|m)?[jt]sx?$/, '').replaceAll('/', '.')))
  const name = `${module}.${className}`
  return UNSAFE.test(name) ? name.replace(/[^A-Za-z0-9._-]/g, '_') : name
}
