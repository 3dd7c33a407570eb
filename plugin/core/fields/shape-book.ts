import type { FieldInfo, ShapeInfo } from '../../../runtime/types.js'
import type { Diagnostic } from '../diagnostics.js'
import { selfContained, type SharedResolutions } from './shared.js'

/**
 * The shapes of one file's field resolution: the order they were made in, those whose fields are
 * still being worked out, the aliases being resolved, and the named types whose resolution is
 * shared with the link's other files (`shared.ts`). It keeps a shape the same wherever it is first
 * met: its members are resolved in their own scope, and an interface extending a shape still being
 * built gets that shape's fields worked out again. `S` is the resolver's result for one type.
 */
export abstract class ShapeBook<S> {
  readonly shapes = new Map<string, ShapeInfo>()

  constructor(
    protected diagnostics: Diagnostic[],
    private shared: SharedResolutions<S> | null,
  ) {}

  /** Aliases being resolved (outside object types): meeting one again is a cycle. */
  protected resolving = new Set<string>()

  /** Resolutions being recorded for sharing: the shapes there were when each began, and whether it used the content of one of them. */
  private frames: Array<{ shapesBefore: number; consulted: boolean }> = []
  /** Each shape's place in `shapes` (the order they were added in). */
  private position = new Map<string, number>()

  /** Shapes whose fields are being worked out, with how to work them out. */
  private building = new Map<string, () => FieldInfo[]>()
  /** Shapes whose fields are being worked out again for an interface that extends them while they are built. */
  private rebuilding = new Set<string>()

  /**
   * A named type's resolution, shared with the other files of the link: replayed when an earlier
   * file made it, else made and kept when it stands on its own. `diagnosticsOwnTo`: whether the
   * diagnostics it may report belong to the type (not to the member referring to it).
   */
  protected sharedStep(key: string, diagnosticsOwnTo: boolean, resolve: () => S): S {
    const shared = this.shared
    // inside an alias being resolved, a cycle's message names where it started: not shared
    if (!shared || this.resolving.size > 0) return resolve()
    const known = shared.types.get(key)
    if (known) {
      for (const s of known.shapes) if (!this.shapes.has(s.id)) this.addShape(s)
      shared.log.replay(known.reads)
      for (const d of known.diagnostics) this.diagnostics.push(d)
      return known.step
    }
    const frame = { shapesBefore: this.shapes.size, consulted: false }
    const diagnosticsBefore = this.diagnostics.length
    const reads = shared.log.begin()
    this.frames.push(frame)
    let step: S
    try {
      step = resolve()
    } finally {
      this.frames.pop()
      shared.log.end(reads)
    }
    const created: ShapeInfo[] = []
    let n = 0
    for (const s of this.shapes.values()) if (n++ >= frame.shapesBefore) created.push(s)
    const diagnostics = this.diagnostics.slice(diagnosticsBefore)
    if (!frame.consulted && (diagnosticsOwnTo || diagnostics.length === 0) && selfContained(step, created)) shared.types.set(key, { step, shapes: created, reads, diagnostics })
    return step
  }

  protected addShape(shape: ShapeInfo): void {
    this.position.set(shape.id, this.shapes.size)
    this.shapes.set(shape.id, shape)
  }

  /**
   * A shape whose fields are copied (an interface's base): a resolution recorded since before it was
   * made did not read what made it, so it is not shared.
   */
  protected consult(id: string): ShapeInfo | undefined {
    const shape = this.shapes.get(id)
    const at = this.position.get(id)
    if (shape && at !== undefined) for (const f of this.frames) if (at < f.shapesBefore) f.consulted = true
    return shape
  }

  /** Works out a shape's fields (in their own scope), knowing how to do it again until it is done. */
  protected build(id: string, fields: () => FieldInfo[]): FieldInfo[] {
    this.building.set(id, fields)
    try {
      return this.ownScope(fields)
    } finally {
      this.building.delete(id)
    }
  }

  /**
   * The fields an interface inherits from a base shape. A base still being built (met again through
   * its own members: `interface T4 { f: T1[] }`, `interface T1 extends T4`) has no fields yet, so they
   * are worked out again here: an interface is the same wherever it is first met.
   */
  protected baseFields(id: string): FieldInfo[] {
    const shape = this.consult(id)
    const fields = this.building.get(id)
    if (!shape || !fields) return shape?.fields ?? []
    if (this.rebuilding.has(id)) return []
    this.rebuilding.add(id)
    try {
      return this.ownScope(fields)
    } finally {
      this.rebuilding.delete(id)
    }
  }

  /**
   * A shape's members are resolved on their own: an alias being resolved where the shape is first
   * met is not a cycle inside it (`type Tree = Node[]` with `interface Node { children: Tree }` is a
   * recursive shape), so a shape is the same wherever it is first met.
   */
  protected ownScope<T>(resolve: () => T): T {
    const outer = this.resolving
    this.resolving = new Set()
    try {
      return resolve()
    } finally {
      this.resolving = outer
    }
  }
}
