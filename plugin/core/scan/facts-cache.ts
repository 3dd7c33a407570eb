import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pluginBuild } from '../build-id.js'
import { TOOL } from '../version.js'
import { writeAtomically } from './cache-files.js'
import type { FileFacts } from './facts.js'
import type { ProjectListing } from './project.js'
import { normalRoot, treeRebaser } from './rebase.js'

/** Facts parsed or read in this process, by file; shared by every plugin instance (vite builds each environment with one). */
const memory = new Map<string, FileFacts>()
/**
 * For each file read: its content hash, and the stamp (size, mtime, inode) it had then when it was
 * last modified well before it was read (`null` otherwise: its stamp is not trusted).
 */
const stamps = new Map<string, { stamp: string | null; hash: string }>()
/** For each file whose facts the facts file holds (as read from the index, or as last written): their content hash. */
const saved = new Map<string, string>()
/** The last project listing by root and tsconfig (`ProjectListing.for`). */
const listings = new Map<string, ProjectListing>()
/** Index files already read in this process (each is read once, not once per scanner), and data files. */
const loadedFiles = new Set<string>()

/** Tags a cache file: the tool version, the plugin build and the facts format, so a parser change invalidates old facts. */
const cacheTag = (): string => `${TOOL}#${pluginBuild()}#facts-v4`

/** The file holding the facts themselves, next to the index. */
const dataFileOf = (index: string): string => index.replace(/(\.json)?$/, '.data.json')

/**
 * Per-file facts keyed by content hash: in memory for the process, and on disk between processes
 * (`node_modules/.cache/koan-backup/facts.json`, tagged with the tool version and the plugin's
 * build). A stale entry is harmless: its hash no longer matches the file's content, so the file is
 * parsed again. The index file holds each file's stamp (size, mtime, inode) at the time it was read
 * and its content hash, so an unchanged file is not even read; the facts themselves are in
 * `facts.data.json`, read only when some are needed (a build whose link is cached needs none).
 * Without a cache file (option `cache: false`) nothing is shared between scanners.
 */
export class FactsCache {
  private loaded = false
  /** The listings this cache handed out or took (only those are written to its index). */
  private listingKeys = new Set<string>()
  /** The index changed (stamps, listings) / facts were added since the last save. */
  private dirty = false
  private dataDirty = false

  private root: string

  /** `root`: the project's root (cache files restored under another root have their paths moved to this one). */
  constructor(private file: string | null, root: string) {
    this.root = normalRoot(root)
  }

  /** The cached facts of a file whose content has this hash. */
  get(path: string, hash: string): FileFacts | undefined {
    if (!this.file) return undefined
    if (!this.loaded) this.load()
    let facts = memory.get(path)
    if (facts?.hash !== hash && this.loadData()) facts = memory.get(path)
    return facts?.hash === hash ? facts : undefined
  }

  set(path: string, facts: FileFacts): void {
    if (!this.file) return
    memory.set(path, facts)
    this.dataDirty = true
  }

  /**
   * The content hash of a file whose stamp is the one recorded when it was read: the file has not
   * changed since, so it need not be read and hashed again.
   */
  unchanged(path: string, stamp: string): string | undefined {
    if (!this.file) return undefined
    if (!this.loaded) this.load()
    const known = stamps.get(path)
    return known?.stamp === stamp ? known.hash : undefined
  }

  /**
   * Whether the cache holds the facts of this content of the file, without reading the facts file:
   * the index records the hash of every file whose facts were saved with it. A checkout whose files
   * all have new stamps (a CI job with its cache folder restored) then reads nothing but the index
   * when the link is cached too. (A facts file lost since only means a parse when the facts are asked for.)
   */
  holds(path: string, hash: string): boolean {
    if (!this.file) return false
    if (!this.loaded) this.load()
    return memory.get(path)?.hash === hash || saved.get(path) === hash
  }

  /** Records the stamp a file had when its content (with this hash) was read (`null`: do not trust its stamp). */
  stamp(path: string, stamp: string | null, hash: string): void {
    if (!this.file) return
    const known = stamps.get(path)
    if (known?.stamp === stamp && known.hash === hash) return
    stamps.set(path, { stamp, hash })
    this.dirty = true
  }

  /** The last listing of a project (root and tsconfig), whether or not it still holds. */
  listing(key: string): ProjectListing | undefined {
    if (!this.file) return undefined
    if (!this.loaded) this.load()
    this.listingKeys.add(key)
    return listings.get(key)
  }

  setListing(listing: ProjectListing): void {
    if (!this.file) return
    this.listingKeys.add(listing.for)
    if (listings.get(listing.for) === listing) return
    if (listing.inputs) listings.set(listing.for, listing)
    else listings.delete(listing.for)
    this.dirty = true
  }

  private load(): void {
    this.loaded = true
    if (!this.file || loadedFiles.has(this.file) || !existsSync(this.file)) return
    loadedFiles.add(this.file)
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as { tool: string; root?: string; stamps?: Record<string, [string | null, string]>; listings?: ProjectListing[] }
      if (data.tool !== cacheTag()) return
      const root = typeof data.root === 'string' ? data.root : this.root
      // listings hold stamps of folders and config files: under another root they never hold, and are left out
      if (root === this.root) for (const listing of data.listings ?? []) if (!listings.has(listing.for)) listings.set(listing.for, listing)
      const move = treeRebaser(root, this.root)
      for (const [recorded, [stamp, hash]] of Object.entries(data.stamps ?? {})) {
        const path = move(recorded)
        // the facts file was written with this index: it holds the facts of every hash the index records
        if (!saved.has(path)) saved.set(path, hash)
        // a stamp (inode, mtime) recorded at another path says nothing of this one: only the hash is kept
        if (!stamps.has(path)) stamps.set(path, { stamp: root === this.root ? stamp : null, hash })
      }
    } catch {
      // an unreadable cache is only a slower build
    }
  }

  /** Reads the facts file into memory, once per process; returns whether it was read now. */
  private loadData(): boolean {
    const file = dataFileOf(this.file!)
    if (loadedFiles.has(file)) return false
    loadedFiles.add(file)
    try {
      if (!existsSync(file)) return false
      const data = JSON.parse(readFileSync(file, 'utf8')) as { tool: string; root?: string; files: Record<string, FileFacts> }
      if (data.tool !== cacheTag()) return false
      const move = treeRebaser(typeof data.root === 'string' ? data.root : this.root, this.root)
      for (const [recorded, facts] of Object.entries(data.files)) {
        const path = move(recorded)
        if (!memory.has(path)) memory.set(path, facts)
      }
      return true
    } catch {
      return false
    }
  }

  /** Writes the index and (when facts were parsed since the last save) the facts of `paths` to disk. */
  save(paths: Iterable<string>): void {
    if (!this.file || !(this.dirty || this.dataDirty)) return
    const list = [...paths]
    try {
      mkdirSync(dirname(this.file), { recursive: true })
      if (this.dataDirty) {
        // the facts file keeps every path's facts: those not in memory yet are read first
        this.loadData()
        const files: Record<string, FileFacts> = {}
        for (const path of list) {
          const facts = memory.get(path)
          if (facts) files[path] = facts
        }
        writeAtomically(dataFileOf(this.file), JSON.stringify({ tool: cacheTag(), root: this.root, files }))
        for (const path in files) saved.set(path, files[path]!.hash)
      }
      const stamped: Record<string, [string | null, string]> = {}
      for (const path of list) {
        const known = stamps.get(path)
        if (known) stamped[path] = [known.stamp, known.hash]
      }
      const mine = [...this.listingKeys].flatMap((key) => listings.get(key) ?? [])
      writeAtomically(this.file, JSON.stringify({ tool: cacheTag(), root: this.root, stamps: stamped, listings: mine }))
      this.dirty = false
      this.dataDirty = false
    } catch {
      // a read-only tree just goes without the cache
    }
  }
}

/** The default cache file of a project. */
export function defaultCacheFile(root: string): string {
  return join(root, 'node_modules', '.cache', 'koan-backup', 'facts.json')
}
