import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { BackupRegistry, RegistryDiagnostic } from '../../../runtime/types.js'
import { pluginBuild } from '../build-id.js'
import { registryJson } from '../generate/registry-json.js'
import { TOOL } from '../version.js'
import { writeAtomically } from './cache-files.js'
import { inJson, normalRoot, treeRebaser } from './rebase.js'
import type { Closure } from './closure.js'
import type { FileEdits } from './transform-edits.js'

/** Tags a results file: another tool version or build of the plugin never reads its results. */
const resultsTag = (): string => `${TOOL}#${pluginBuild()}#results-v7`
/** Results kept per file: a few option sets or branches, not a history. */
const MAX_ENTRIES = 2
/** Lockfiles whose change (a package upgrade) can change types the checker reads from node_modules. */
export const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb', 'node_modules/.package-lock.json']

/** What a link leaves for later builds of the same inputs, next to its registry. */
export interface LinkExtras {
  /** The module resolutions the link made (a later build's transform then needs no TypeScript). */
  resolutions: Array<[string, string | null]>
  /** What the transform changes in each file that it changes (its work, done once). */
  edits: Record<string, FileEdits>
  /** The files read beyond the listing (what the listed files import), and the paths missing when they were resolved. */
  closure: Closure
}

/**
 * One linked scan: the registry (deeply frozen: every build of the process shares it, and none can
 * change it) and the texts generated from it. A registry read from the file stays JSON text until
 * something needs more than its diagnostics: a build of unchanged inputs takes its generated
 * modules, report and .d.ts as texts and never parses it.
 */
interface Entry extends LinkExtras {
  key: string
  /** The project root the link ran under (`normalRoot`): its resolutions and edits name files under it. */
  root: string
  /** Whether the registry's text names that root (found when the entry is written; unknown before). */
  namesRoot?: boolean
  registry: BackupRegistry | null
  /** The registry's JSON as read from the file (`null` once parsed, or for a registry linked in this process). */
  registryJson: Stored | null
  diagnostics: RegistryDiagnostic[]
  /** Texts generated from the registry, by name: the generated modules (per variant), the report, the .d.ts. */
  texts: Record<string, Stored>
}

/**
 * A text, or where it is in the bytes of the file it was read from: decoded on first use, so a build
 * decodes only the texts it takes (an app reading only the registry never takes the full module).
 */
export type Stored = string | { bytes: Buffer; start: number; end: number }

const decoded = (text: Stored): string => (typeof text === 'string' ? text : text.bytes.toString('utf8', text.start, text.end))

/** A cached scan: what its link left, its diagnostics, and its registry (parsed on first call). */
export interface CachedScan extends LinkExtras {
  diagnostics: RegistryDiagnostic[]
  registry(): BackupRegistry
}

/** Entries by results file, shared by every scanner of the process (vite builds each environment with its own plugin instance). */
const memory = new Map<string, Entry[]>()

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/**
 * The registry and generated module of a whole scan, keyed by everything the link reads: the
 * tool version, the options, the compiler options, every scanned file with its content hash, and
 * the project's lockfiles. A build where nothing changed skips the link and the code generation
 * (the per-file facts cache already skips the parse). Any change of input is a new key, so an
 * entry is never stale; the file (`….results.json` next to the facts cache) keeps the last few.
 */
export class ResultCache {
  private entries: Entry[] | null = null
  private saving = false

  private root: string

  constructor(private file: string | null, root: string) {
    this.root = normalRoot(root)
  }

  /**
   * The key of a scan's inputs: each file and lockfile is named with its content hash (not its
   * mtime), so a fresh checkout of the same commit with the cache folder restored has the same key.
   */
  key(parts: { options: string; compilerOptions: string; files: Array<[string, string]>; lockfiles: Array<[string, string]> }): string {
    const hash = createHash('sha1').update(resultsTag()).update('\0').update(parts.options).update('\0').update(parts.compilerOptions)
    for (const [file, contentHash] of parts.files) hash.update('\0').update(file).update('\0').update(contentHash)
    for (const [name, contentHash] of parts.lockfiles) hash.update(`\0${name}:${contentHash}`)
    return hash.digest('hex')
  }

  /** The cached scan of a key, or `undefined`. */
  scan(key: string): CachedScan | undefined {
    const entry = this.find(key)
    if (!entry) return undefined
    return { resolutions: entry.resolutions, edits: entry.edits, closure: entry.closure, diagnostics: entry.diagnostics, registry: () => registryOf(entry) }
  }

  /**
   * The closure of the entry used last (moved to the current root): a build takes it as its guess of the files to
   * read beyond the listing, and its key, which names them, confirms it.
   */
  latestClosure(): Closure | undefined {
    if (!this.file) return undefined
    const entry = this.load()[0]
    if (!entry) return undefined
    return moveClosure(entry.closure, treeRebaser(entry.root, this.root))
  }

  /** Keeps a link's registry (frozen from now on: the caller must not change it either) and extras. */
  setRegistry(key: string, registry: BackupRegistry, extras: LinkExtras): void {
    if (!this.file) return
    const list = this.load()
    const known = list.find((e) => e.key === key)
    if (known) return
    list.unshift({ key, root: this.root, registry: deepFreeze(registry), registryJson: null, diagnostics: registry.diagnostics, texts: {}, ...extras })
    list.length = Math.min(list.length, MAX_ENTRIES)
    this.scheduleSave()
  }

  /** A text generated from the registry of a key (a module variant, the report, the .d.ts), or `undefined`. */
  text(key: string, name: string): string | undefined {
    const entry = this.find(key)
    const stored = entry?.texts[name]
    if (stored === undefined) return undefined
    return typeof stored === 'string' ? stored : (entry!.texts[name] = decoded(stored))
  }

  setText(key: string, name: string, text: string): void {
    const entry = this.find(key)
    if (!entry || entry.texts[name] === text) return
    entry.texts[name] = text
    this.scheduleSave()
  }

  private find(key: string): Entry | undefined {
    if (!this.file) return undefined
    const list = this.load()
    const i = list.findIndex((e) => e.key === key)
    if (i < 0) return undefined
    const [entry] = list.splice(i, 1)
    if (entry!.root !== this.root && !moveEntry(entry!, this.root)) return undefined
    // the entry in use moves to the front: the last ones used are kept
    list.unshift(entry!)
    return entry
  }

  private load(): Entry[] {
    if (this.entries) return this.entries
    const file = this.file!
    let list = memory.get(file)
    if (!list) {
      list = []
      try {
        if (existsSync(file)) {
          list = readResults(readFileSync(file))
        }
      } catch {
        // an unreadable results file is only a slower build
      }
      memory.set(file, list)
    }
    return (this.entries = list)
  }

  /**
   * Writes the file once the current hook is done: a build stores the registry and then its module,
   * and the file (several MB for a large project) is written once for both.
   */
  private scheduleSave(): void {
    if (this.saving) return
    this.saving = true
    setImmediate(() => {
      this.saving = false
      this.save()
    })
  }

  private save(): void {
    const file = this.file!
    // the save runs after the hook: a project removed meanwhile (a test's temp folder, say) is not brought back
    if (!existsSync(this.root)) return
    try {
      mkdirSync(dirname(file), { recursive: true })
      writeAtomically(file, writeResults(this.entries!))
    } catch {
      // a read-only tree just goes without the cache
    }
  }
}

/**
 * Moves an entry linked under another root (a cache folder restored into a checkout at another path)
 * to `root`; returns false when it cannot be. Its key names files relative to the root, so the same
 * key means the same inputs; the resolutions and edits name files under the old root, and so do the texts
 * named after it (the full module imports the entity files by absolute path): all are moved. A registry
 * whose text names the old root (a message quoting a path) is not moved.
 */
function moveEntry(entry: Entry, root: string): boolean {
  const recorded = inJson(entry.root)
  if (entry.namesRoot ?? registryText(entry).includes(recorded)) return false
  const move = treeRebaser(entry.root, root)
  entry.resolutions = entry.resolutions.map(([key, file]) => {
    const at = key.indexOf('\0')
    return [move(key.slice(0, at)) + key.slice(at), file === null ? null : move(file)]
  })
  // a loop, not Object.fromEntries: ~10× faster for the ~1000 new keys of a large project
  const edits: Record<string, FileEdits> = Object.create(null)
  for (const file in entry.edits) edits[move(file)] = entry.edits[file]!
  entry.edits = edits
  entry.closure = moveClosure(entry.closure, move)
  entry.texts = movedTexts(entry.texts, entry.root, root)
  entry.root = root
  entry.namesRoot = undefined
  return true
}

/**
 * The texts of an entry moved from root `from` to `to`. A text named after its root (the full module, whose name holds
 * the module options) names it in no other way than as the start of quoted absolute paths (`"<root>/src/user.ts"`, and
 * `"<root>/../shared/a.ts"` for a file outside it, which `treeRebaser` moves the same way): it is taken with those
 * moved. One that names the root otherwise too is left out, to be generated anew.
 */
export function movedTexts(texts: Record<string, Stored>, from: string, to: string): Record<string, Stored> {
  const recorded = inJson(from)
  const out: Record<string, Stored> = {}
  for (const [name, stored] of Object.entries(texts)) {
    if (!name.includes(recorded)) {
      out[name] = stored
      continue
    }
    const renamed = movedName(name, from, to)
    if (renamed === null) continue
    const text = decoded(stored)
    const paths = text.split(`"${recorded}/`)
    if (paths.length === text.split(recorded).length) out[renamed] = paths.join(`"${inJson(to)}/`)
  }
  return out
}

/** The name of a text generated with `{ root, ... }` as its options, for the same options under another root; `null` for other names. */
function movedName(name: string, from: string, to: string): string | null {
  let options: unknown
  try {
    options = JSON.parse(name)
  } catch {
    return null
  }
  if (!isObject(options) || options.root !== from) return null
  return JSON.stringify({ ...options, root: to })
}

/** A closure's paths moved to another root. */
function moveClosure(closure: Closure, move: (path: string) => string): Closure {
  return { extras: closure.extras.map(move), missing: closure.missing.map(move), links: closure.links.map(([link, target, manifest]) => [move(link), move(target), manifest]) }
}

/** An entry's registry as JSON text. */
function registryText(entry: Entry): string {
  return entry.registryJson ? decoded(entry.registryJson) : registryJson(entry.registry!)
}

/** An entry's registry, parsed and frozen on first use. */
function registryOf(entry: Entry): BackupRegistry {
  if (!entry.registry) {
    entry.registry = deepFreeze(JSON.parse(decoded(entry.registryJson!)) as BackupRegistry)
    entry.registryJson = null
  }
  return entry.registry
}

/**
 * The file: a first line of JSON (the tag, and each entry with its diagnostics, its link's extras and
 * the byte offset and length of its registry's JSON and of each text), then those texts one after the
 * other, as they are: several MB of code is neither unescaped from a JSON string nor decoded unless
 * taken, and the registry is parsed only when needed.
 */
function writeResults(entries: Entry[]): string {
  const body: string[] = []
  let offset = 0
  const place = (stored: Stored): [number, number] => {
    const text = decoded(stored)
    const length = Buffer.byteLength(text)
    body.push(text)
    offset += length
    return [offset - length, length]
  }
  const header = entries.map((entry) => {
    const { registry: _registry, registryJson: _json, texts, ...rest } = entry
    const json = registryText(entry)
    // whether the entry can move to another root, found once here rather than in the build that moves it
    entry.namesRoot ??= json.includes(inJson(entry.root))
    return { ...rest, namesRoot: entry.namesRoot, registry: place(json), texts: Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, place(text)])) }
  })
  return `${JSON.stringify({ tool: resultsTag(), entries: header })}\n${body.join('')}`
}

type StoredEntry = Omit<Entry, 'registry' | 'registryJson' | 'texts'> & { registry: [number, number]; texts: Record<string, [number, number]> }

function readResults(bytes: Buffer): Entry[] {
  const newline = bytes.indexOf(10)
  if (newline < 0) return []
  const data = JSON.parse(bytes.toString('utf8', 0, newline)) as { tool?: string; entries?: StoredEntry[] }
  if (data.tool !== resultsTag() || !Array.isArray(data.entries)) return []
  const body = newline + 1
  const at = ([start, length]: [number, number]): Stored => {
    if (body + start + length > bytes.length) throw new Error('a truncated results file')
    return { bytes, start: body + start, end: body + start + length }
  }
  // an entry not of the form written here (a file edited by hand, say) is left out: a cache is only ever a shortcut
  return data.entries.slice(0, MAX_ENTRIES).filter(wellFormed).map((e) => ({
    ...e,
    registry: null,
    registryJson: at(e.registry),
    texts: Object.fromEntries(Object.entries(e.texts).map(([name, range]) => [name, at(range)])),
  }))
}

const isRange = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && x.every((n) => Number.isSafeInteger(n) && n >= 0)
const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string')
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

function wellFormed(e: StoredEntry): boolean {
  return isObject(e) && typeof e.key === 'string' && typeof e.root === 'string' && (e.namesRoot === undefined || typeof e.namesRoot === 'boolean')
    && Array.isArray(e.diagnostics) && isRange(e.registry) && isObject(e.texts) && Object.values(e.texts).every(isRange)
    && Array.isArray(e.resolutions) && e.resolutions.every((r) => Array.isArray(r) && typeof r[0] === 'string' && r[0].includes('\0') && (r[1] === null || typeof r[1] === 'string'))
    && isObject(e.closure) && isStrings(e.closure.extras) && isStrings(e.closure.missing)
    && Array.isArray(e.closure.links) && e.closure.links.every((l) => isStrings(l) && l.length === 3)
    && isObject(e.edits) && Object.values(e.edits).every((x) => isObject(x) && Array.isArray(x.strip) && x.strip.every(isRange) && Array.isArray(x.registryOnly) && x.registryOnly.every(isRange))
}

/** The results file next to a facts cache file. */
export function resultsFileOf(factsFile: string | null): string | null {
  return factsFile === null ? null : factsFile.replace(/(\.json)?$/, '.results.json')
}
