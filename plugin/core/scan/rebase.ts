import { posix } from 'node:path'

/**
 * Cache files record absolute paths under the project root they were written for. A cache folder
 * restored into a checkout at another path (another CI workspace, another runner) still applies:
 * its paths are moved from the recorded root to the current one. Paths outside the root stay, except in a results
 * entry, whose files outside the root (imported by the project) move with it (`treeRebaser`).
 */

/** A root as paths are recorded: forward slashes, no trailing slash. */
export function normalRoot(root: string): string {
  const r = root.replaceAll('\\', '/')
  return r.length > 1 && r.endsWith('/') ? r.slice(0, -1) : r
}

/** Moves a path under `from` to the same place under `to` (roots as `normalRoot` gives them). */
export function rebaser(from: string, to: string): (path: string) => string {
  if (from === to) return (p) => p
  const prefix = from.endsWith('/') ? from : `${from}/`
  const base = to.endsWith('/') ? to : `${to}/`
  return (p) => (p === from ? to : p.startsWith(prefix) ? base + p.slice(prefix.length) : p)
}

/**
 * A path as the results key names it: relative to the root (so the key is the same at any checkout path), with
 * `../` for a file outside it that the project imports (`../shared/models.ts`: a checkout that moves with its root).
 */
export function keyPath(root: string, path: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`
  return path === root ? '.' : path.startsWith(prefix) ? path.slice(prefix.length) : posix.relative(root, path)
}

/**
 * Moves paths recorded under `from` to `to` like `rebaser`, and the paths outside it by their place relative to it
 * (`<from>/../shared/a.ts` → `<to>/../shared/a.ts`): for what a results entry names, whose key names those files
 * relative to the root with their content hashes, so that the same key means the same files at the same places.
 */
export function treeRebaser(from: string, to: string): (path: string) => string {
  const under = rebaser(from, to)
  if (from === to) return under
  return (p) => {
    const moved = under(p)
    return moved !== p || !p.startsWith('/') || from === '/' ? moved : posix.join(to, posix.relative(from, p))
  }
}

/** A root as it reads inside a JSON string (the registry's text, a generated module's name). */
export function inJson(root: string): string {
  return JSON.stringify(root).slice(1, -1)
}

/**
 * JSON text with the root written as `<root>` where it begins a path (followed by `/` or the
 * string's end): compiler options hold absolute paths (the tsconfig's own, `baseUrl`, `paths`).
 */
export function keyJson(root: string, value: unknown): string {
  const needle = inJson(root).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return JSON.stringify(value).replace(new RegExp(`${needle}(?=/|")`, 'g'), '<root>')
}
