import type { Range } from '../transform.js'
import { isEntityBackup } from './decorators.js'
import type { FileFacts } from './facts.js'
import { Linker } from './link.js'
import { contentHash, parseFacts } from './parse.js'
import type { ModuleResolver } from './project.js'

/** What the ranges are found from: the scan's files, their content hashes and facts, and its resolver. */
export interface RangeSource {
  files(): Iterable<string>
  hashOf(file: string): string | undefined
  factsOf(file: string): FileFacts | undefined
  resolver(): ModuleResolver
}

/**
 * The ranges of each file that the transform blanks: its `@EntityBackup` decorators, told apart
 * from look-alikes through the linker (a file's answer depends on the files it imports from, so any
 * relink forgets them all). Kept per file for the content hash they were found in, and with the
 * cached link, so a build of unchanged inputs neither parses nor resolves in its transform.
 */
export class DecoratorRanges {
  private byFile = new Map<string, { hash: string; ranges: Range[] }>()

  constructor(private source: RangeSource) {}

  /** The ranges in `code`: known for the text the scan read; other text is parsed and resolved here. */
  of(file: string, code: string): Range[] {
    const hash = contentHash(code)
    const known = this.byFile.get(file)
    if (known?.hash === hash) return known.ranges
    const scanned = this.source.hashOf(file) === hash
    const facts = (scanned ? this.source.factsOf(file) : undefined) ?? parseFacts(file, code, hash)
    const ranges = this.find(file, facts)
    if (scanned) this.byFile.set(file, { hash, ranges })
    return ranges
  }

  /** The ranges of every scanned file that has any, by file (to keep with the cached link). */
  all(): Record<string, Range[]> {
    const out: Record<string, Range[]> = {}
    for (const file of this.source.files()) {
      const facts = this.source.factsOf(file)
      if (!facts || !Object.values(facts.classes).some((c) => c.decorators.length > 0)) continue
      const ranges = this.find(file, facts)
      this.byFile.set(file, { hash: facts.hash, ranges })
      if (ranges.length > 0) out[file] = ranges
    }
    return out
  }

  /** Takes the ranges kept with a cached link, whose key holds every file's current hash. */
  adopt(stored: Record<string, Range[]>): void {
    this.byFile.clear()
    for (const file of this.source.files()) {
      const hash = this.source.hashOf(file)
      if (hash !== undefined) this.byFile.set(file, { hash, ranges: stored[file] ?? [] })
    }
  }

  clear(): void {
    this.byFile.clear()
  }

  /** The file's `@EntityBackup` decorators, in text order. */
  private find(file: string, facts: FileFacts): Range[] {
    const linker = new Linker((f) => (f === file ? facts : this.source.factsOf(f)), this.source.resolver())
    const ranges: Range[] = []
    for (const cls of Object.values(facts.classes)) for (const d of cls.decorators) if (isEntityBackup(linker, file, d)) ranges.push([d.start, d.end])
    return ranges.sort((a, b) => a[0] - b[0])
  }
}
