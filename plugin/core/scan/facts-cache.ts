import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pluginBuild } from '../build-id.js'
import { TOOL } from '../version.js'
import type { FileFacts } from './facts.js'

/** Facts parsed in this process, by file; shared by every plugin instance (vite builds each environment with one). */
const memory = new Map<string, FileFacts>()
/** Cache files already read into `memory` in this process (each is read once, not once per scanner). */
const loadedFiles = new Set<string>()

/** Tags a cache file: the tool version, the plugin build and the facts format, so a parser change invalidates old facts. */
const cacheTag = (): string => `${TOOL}#${pluginBuild()}#facts-v1`

/**
 * Per-file facts keyed by content hash: in memory for the process, and on disk between processes
 * (`node_modules/.cache/koan-backup/facts.json`, tagged with the tool version). A stale entry is
 * harmless: its hash no longer matches the file's content, so the file is parsed again. Without a
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

  private load(): void {
    this.loaded = true
    if (!this.file || loadedFiles.has(this.file) || !existsSync(this.file)) return
    loadedFiles.add(this.file)
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as { tool: string; files: Record<string, FileFacts> }
      if (data.tool !== cacheTag()) return
      for (const [path, facts] of Object.entries(data.files)) if (!memory.has(path)) memory.set(path, facts)
    } catch {
      // an unreadable cache is only a slower build
    }
  }

  /** Writes the facts of `paths` to disk when anything was parsed since the last save. */
  save(paths: Iterable<string>): void {
    if (!this.file || !this.dirty) return
    this.dirty = false
    const files: Record<string, FileFacts> = {}
    for (const path of paths) {
      const facts = memory.get(path)
      if (facts) files[path] = facts
    }
    try {
      mkdirSync(dirname(this.file), { recursive: true })
      const tmp = `${this.file}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify({ tool: cacheTag(), files }))
      renameSync(tmp, this.file)
    } catch {
      // a read-only tree just goes without the cache
    }
  }
}

/** The default cache file of a project. */
export function defaultCacheFile(root: string): string {
  return join(root, 'node_modules', '.cache', 'koan-backup', 'facts.json')
}
