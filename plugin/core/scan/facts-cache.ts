import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pluginBuild } from '../build-id.js'
import { TOOL } from '../version.js'
import type { FileFacts } from './facts.js'
import type { ProjectListing } from './project.js'

/** Facts parsed in this process, by file; shared by every plugin instance (vite builds each environment with one). */
const memory = new Map<string, FileFacts>()
/** The stamp (size, mtime, inode) each file had when its facts were read, for files last modified well before that. */
const stamps = new Map<string, string>()
/** The last project listing by root and tsconfig (`ProjectListing.for`). */
const listings = new Map<string, ProjectListing>()
/** Cache files already read into `memory` in this process (each is read once, not once per scanner). */
const loadedFiles = new Set<string>()

/** Tags a cache file: the tool version, the plugin build and the facts format, so a parser change invalidates old facts. */
const cacheTag = (): string => `${TOOL}#${pluginBuild()}#facts-v2`

/**
 * Per-file facts keyed by content hash: in memory for the process, and on disk between processes
 * (`node_modules/.cache/koan-backup/facts.json`, tagged with the tool version). A stale entry is
 * harmless: its hash no longer matches the file's content, so the file is parsed again. With each
 * file's stamp (size, mtime, inode) at the time it was read, an unchanged file is not even read. Without a
 * cache file (option `cache: false`) nothing is shared between scanners.
 */
export class FactsCache {
  private loaded = false
  private dirty = false

  constructor(private file: string | null) {}

  /** The cached facts of a file whose content has this hash. */
  get(path: string, hash: string): FileFacts | undefined {
    if (!this.file) return undefined
    if (!this.loaded) this.load()
    const facts = memory.get(path)
    return facts?.hash === hash ? facts : undefined
  }

  set(path: string, facts: FileFacts): void {
    if (!this.file) return
    memory.set(path, facts)
    this.dirty = true
  }

  /**
   * The facts of a file whose stamp is the one recorded when they were read: the file has not
   * changed since, so it need not be read and hashed again.
   */
  unchanged(path: string, stamp: string): FileFacts | undefined {
    if (!this.file) return undefined
    if (!this.loaded) this.load()
    return stamps.get(path) === stamp ? memory.get(path) : undefined
  }

  /** Records the stamp a file had when its current facts were read (`null`: do not trust its stamp). */
  stamp(path: string, stamp: string | null): void {
    if (!this.file || stamps.get(path) === (stamp ?? undefined)) return
    if (stamp === null) stamps.delete(path)
    else stamps.set(path, stamp)
    this.dirty = true
  }

  /** The last listing of a project (root and tsconfig), whether or not it still holds. */
  listing(key: string): ProjectListing | undefined {
    if (!this.file) return undefined
    if (!this.loaded) this.load()
    return listings.get(key)
  }

  setListing(listing: ProjectListing): void {
    if (!this.file || listings.get(listing.for) === listing) return
    if (listing.inputs) listings.set(listing.for, listing)
    else listings.delete(listing.for)
    this.dirty = true
  }

  private load(): void {
    this.loaded = true
    if (!this.file || loadedFiles.has(this.file) || !existsSync(this.file)) return
    loadedFiles.add(this.file)
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as { tool: string; files: Record<string, FileFacts>; stamps?: Record<string, string>; listings?: ProjectListing[] }
      if (data.tool !== cacheTag()) return
      for (const listing of data.listings ?? []) if (!listings.has(listing.for)) listings.set(listing.for, listing)
      for (const [path, facts] of Object.entries(data.files)) {
        if (memory.has(path)) continue
        memory.set(path, facts)
        const stamp = data.stamps?.[path]
        if (stamp !== undefined) stamps.set(path, stamp)
      }
    } catch {
      // an unreadable cache is only a slower build
    }
  }

  /** Writes the facts of `paths` to disk when anything was parsed since the last save. */
  save(paths: Iterable<string>): void {
    if (!this.file || !this.dirty) return
    this.dirty = false
    const files: Record<string, FileFacts> = {}
    const stamped: Record<string, string> = {}
    for (const path of paths) {
      const facts = memory.get(path)
      if (!facts) continue
      files[path] = facts
      const stamp = stamps.get(path)
      if (stamp !== undefined) stamped[path] = stamp
    }
    try {
      mkdirSync(dirname(this.file), { recursive: true })
      const tmp = `${this.file}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify({ tool: cacheTag(), files, stamps: stamped, listings: [...listings.values()] }))
      renameSync(tmp, this.file)
    } catch {
      // a read-only tree just goes without the cache
    }
  }
}

/**
 * A file's stamp for `FactsCache.unchanged`, or `null` when it cannot be trusted: a file modified
 * less than `RECENT_MS` before it is read could change again within the same timestamp tick without
 * its stamp changing (coarse clocks, FAT's 2 s), so its content is read and hashed every time until
 * it is older. `undefined`: the file cannot be stat'ed.
 */
export function stampOf(path: string, now = Date.now()): string | null | undefined {
  let st
  try {
    st = statSync(path)
  } catch {
    return undefined
  }
  if (!st.isFile()) return undefined
  return now - st.mtimeMs < RECENT_MS ? null : `${st.size}:${st.mtimeMs}:${st.ino}`
}

/** How long ago a file must have been modified for its stamp to be trusted. */
export const RECENT_MS = 3000

/** The default cache file of a project. */
export function defaultCacheFile(root: string): string {
  return join(root, 'node_modules', '.cache', 'koan-backup', 'facts.json')
}
