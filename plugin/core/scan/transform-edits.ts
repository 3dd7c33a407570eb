import type { Range } from '../transform.js'
import { isEntityBackup } from './decorators.js'
import type { FileFacts } from './facts.js'
import { Linker } from './link.js'
import { contentHash, parseFacts } from './parse.js'
import type { ModuleResolver } from './project.js'
import { hasDecoratorOrString } from './quick/tokens.js'
import { REGISTRY_IMPORT } from '../virtual.js'

/** What the transform changes in one file; every edit keeps the text's length and line breaks. */
export interface FileEdits {
  /** The `@EntityBackup` decorators, blanked out. */
  strip: Range[]
  /** `koan-backup/registry` in imports that take nothing but `registry`, pointed at the registry-only module. */
  registryOnly: Range[]
}

const NONE: FileEdits = Object.freeze({ strip: [], registryOnly: [] }) as FileEdits

/** Content hashes of texts found to have neither a decorator nor a registry import (shared by every build of the process). */
const PLAIN = new Set<string>()
const MAX_PLAIN = 10_000

/** Whether a text has neither a decorator nor an import of the registry (told by the tokenizer, remembered by hash). */
function nothingToChange(code: string, hash: string): boolean {
  if (PLAIN.has(hash)) return true
  if (hasDecoratorOrString(code, REGISTRY_IMPORT) !== false) return false
  if (PLAIN.size >= MAX_PLAIN) PLAIN.clear()
  PLAIN.add(hash)
  return true
}

/** What the edits are found from: the scan's files, their content hashes and facts, and its resolver. */
export interface EditSource {
  files(): Iterable<string>
  hashOf(file: string): string | undefined
  /** The text the scan read of a file, if it still holds it (handed out once). */
  takeText(file: string): string | undefined
  factsOf(file: string): FileFacts | undefined
  resolver(): ModuleResolver
  /** The `@EntityBackup` decorators the last link found in a file, when it linked that file. */
  linkedStrip(file: string): Range[] | undefined
}

/**
 * The edits of each file's transform. Its `@EntityBackup` decorators are told apart from look-alikes
 * through the linker (a file's answer depends on the files it imports from, so any relink forgets
 * them all): the link does it for every class, and its answers are taken as they are; its registry
 * imports are read from its own facts. Kept per file for the content hash they were found in, and
 * with the cached link, so a build of unchanged inputs neither parses nor resolves in its transform.
 */
export class TransformEdits {
  private byFile = new Map<string, { hash: string; edits: FileEdits }>()

  constructor(private source: EditSource) {}

  /** The edits of `code`: known for the text the scan read; other text is parsed and resolved here. */
  of(file: string, code: string): FileEdits {
    const read = this.source.takeText(file)
    const hash = (read === code ? this.source.hashOf(file) : undefined) ?? contentHash(code)
    const known = this.byFile.get(file)
    if (known?.hash === hash) return known.edits
    const scanned = this.source.hashOf(file) === hash
    // a file the scan does not read is mostly one that only names EntityBackup or the registry (a linked package's own
    // build, say): without a decorator or an import of the registry it has nothing to change, and is not parsed (a
    // JavaScript file would load TypeScript)
    if (!scanned && nothingToChange(code, hash)) return NONE
    const facts = (scanned ? this.source.factsOf(file) : undefined) ?? parseFacts(file, code, hash)
    const edits = this.find(file, facts)
    if (scanned) this.byFile.set(file, { hash, edits })
    return edits
  }

  /** The edits of every scanned file that has any, by file (to keep with the cached link). */
  all(): Record<string, FileEdits> {
    const out: Record<string, FileEdits> = {}
    for (const file of this.source.files()) {
      const facts = this.source.factsOf(file)
      if (!facts) continue
      const edits = this.find(file, facts)
      this.byFile.set(file, { hash: facts.hash, edits })
      if (edits.strip.length > 0 || edits.registryOnly.length > 0) out[file] = edits
    }
    return out
  }

  /** Takes the edits kept with a cached link, whose key holds every file's current hash. */
  adopt(stored: Record<string, FileEdits>): void {
    this.byFile.clear()
    for (const file of this.source.files()) {
      const hash = this.source.hashOf(file)
      if (hash !== undefined) this.byFile.set(file, { hash, edits: stored[file] ?? NONE })
    }
  }

  clear(): void {
    this.byFile.clear()
  }

  private find(file: string, facts: FileFacts): FileEdits {
    const linked = this.source.hashOf(file) === facts.hash ? this.source.linkedStrip(file) : undefined
    if (linked) return linked.length === 0 && facts.registryOnlyImports.length === 0 ? NONE : { strip: linked, registryOnly: facts.registryOnlyImports }
    const classes = [...Object.values(facts.classes), ...facts.otherClasses]
    if (facts.registryOnlyImports.length === 0 && !classes.some((c) => c.decorators.length > 0)) return NONE
    const linker = new Linker((f) => (f === file ? facts : this.source.factsOf(f)), this.source.resolver())
    const strip: Range[] = []
    for (const cls of classes) for (const d of cls.decorators) if (isEntityBackup(linker, file, d)) strip.push([d.start, d.end])
    return { strip: strip.sort((a, b) => a[0] - b[0]), registryOnly: facts.registryOnlyImports }
  }
}
