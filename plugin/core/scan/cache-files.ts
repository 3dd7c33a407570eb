import { renameSync, statSync, writeFileSync } from 'node:fs'

/** How long ago a file must have been modified for its stamp to be trusted. */
export const RECENT_MS = 3000

/** A file's or folder's size, mtime and inode as one string (a folder's changes when entries come or go), or `null` when absent. */
export function statStamp(path: string): { stamp: string; mtimeMs: number; file: boolean } | null {
  try {
    const st = statSync(path)
    return { stamp: `${st.isFile() ? 'f' : 'd'}:${st.size}:${st.mtimeMs}:${st.ino}`, mtimeMs: st.mtimeMs, file: st.isFile() }
  } catch {
    return null
  }
}

/**
 * A file's stamp for `FactsCache.unchanged`, or `null` when it cannot be trusted: a file modified
 * less than `RECENT_MS` before it is read could change again within the same timestamp tick without
 * its stamp changing (coarse clocks, FAT's 2 s), so its content is read and hashed every time until
 * it is older. `undefined`: the file cannot be stat'ed.
 */
export function stampOf(path: string, now = Date.now()): string | null | undefined {
  const st = statStamp(path)
  if (!st?.file) return undefined
  return now - st.mtimeMs < RECENT_MS ? null : st.stamp
}

/** Writes a cache file whole or not at all (a temp file renamed into place). */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, file)
}
