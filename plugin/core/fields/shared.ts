import { addShapeRefs } from '../../../runtime/schema/shape-refs.js'
import type { FieldType, ShapeInfo } from '../../../runtime/types.js'
import type { Diagnostic } from '../diagnostics.js'

/**
 * Named types resolved once per link and shared by every file that refers to them. The field model
 * of a named type depends only on the facts it reads, so a resolution made for one file's entities
 * holds for the next file's: it is replayed there with the shapes it created, the files it read (the
 * replaying file depends on them too) and the diagnostics it reported.
 */

/** What resolving one named type gave and did. */
export interface SharedResolution<S> {
  step: S
  /** The shapes it created, which are all the shapes its result refers to. */
  shapes: ShapeInfo[]
  /** Every file whose facts it read (`*`: the type checker answered). */
  reads: Set<string>
  diagnostics: Diagnostic[]
}

/** The facts reads of one file's analysis, recordable while a named type is resolved. */
export interface ReadLog {
  /** Starts recording reads into a new set, returned. */
  begin(): Set<string>
  /** Stops recording into `reads`. */
  end(reads: Set<string>): void
  /** Reads `reads` again for the file (a shared resolution's reads). */
  replay(reads: Set<string>): void
}

/** The resolutions shared within one link, and the reads of the file that uses them. */
export interface SharedResolutions<S> {
  types: SharedTypes<S>
  log: ReadLog
}

/** The resolutions shared within one link. */
export class SharedTypes<S> {
  private byKey = new Map<string, SharedResolution<S>>()
  /** How many resolutions were replayed instead of made again. */
  hits = 0

  get(key: string): SharedResolution<S> | undefined {
    const known = this.byKey.get(key)
    if (known) this.hits++
    return known
  }

  set(key: string, resolution: SharedResolution<S>): void {
    this.byKey.set(key, resolution)
  }
}

/**
 * Whether a resolution stands on its own: its result and the shapes it created refer to no shape
 * but those (not to a shape of the file that was still being built, say, whose reads and
 * diagnostics belong to that file).
 */
export function selfContained(step: unknown, created: ShapeInfo[]): boolean {
  const refs = new Set<string>()
  if (step && typeof step === 'object' && 'kind' in step) addShapeRefs(step as FieldType, refs)
  for (const s of created) for (const f of s.fields) addShapeRefs(f.type, refs)
  if (refs.size === 0) return true
  const ids = new Set(created.map((s) => s.id))
  for (const id of refs) if (!ids.has(id)) return false
  return true
}
