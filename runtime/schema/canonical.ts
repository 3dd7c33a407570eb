import { textHash } from '../hash.js'
import type { FieldInfo, FieldType, ShapeInfo } from '../types.js'

/** A field type with named shapes expanded; a shape already being expanded is a `{ kind: 'cycle' }` reference. */
export type CanonicalType =
  | Exclude<FieldType, { kind: 'shape' } | { kind: 'object' } | { kind: 'array' } | { kind: 'tuple' } | { kind: 'record' } | { kind: 'map' } | { kind: 'set' } | { kind: 'union' }>
  | { kind: 'array' | 'set' | 'record'; of: CanonicalType }
  | { kind: 'map'; key: CanonicalType; value: CanonicalType }
  | { kind: 'tuple'; items: CanonicalType[] }
  | { kind: 'union'; of: CanonicalType[] }
  | { kind: 'object'; name?: string; entity?: string; fields: CanonicalField[] }
  | { kind: 'cycle'; name: string }

/** A field of the canonical model. */
export interface CanonicalField {
  name: string
  optional: boolean
  nullable: boolean
  type: CanonicalType
}

/** The canonical field model of a shape: shapes expanded, fields sorted by name, cycles as references. */
export function canonicalModel(shapeId: string, shapes: Map<string, ShapeInfo> | ShapeInfo[]): CanonicalField[] {
  return new CanonicalModels(shapes).fields(shapeId)
}

/**
 * Canonical models of many shapes at once: a shape's expansion is computed once and shared, unless
 * it refers back to a shape outside itself (then it depends on where it is expanded).
 */
export class CanonicalModels {
  private byId: Map<string, ShapeInfo>
  /** Whether `byId` is this instance's own map (a map given to the constructor is copied before `add` changes it). */
  private ownMap: boolean
  /** Expansions that refer to nothing above themselves, with every shape expanded inside them. */
  private memo = new Map<string, { type: CanonicalType; contains: Set<string> }>()
  private path: string[] = []
  /** For each shape being expanded (as `path`), the shapes expanded inside it so far. */
  private inside: Array<Set<string>> = []
  /** The shallowest path index a cycle reference pointed at since the current shape began. */
  private lowest = Number.POSITIVE_INFINITY

  constructor(shapes: Map<string, ShapeInfo> | ShapeInfo[]) {
    this.byId = shapes instanceof Map ? shapes : new Map(shapes.map((s) => [s.id, s]))
    this.ownMap = !(shapes instanceof Map)
  }

  /**
   * Adds shapes (those whose id is already known are the same shape: a shape's id names its
   * declaration) so that one instance serves several sets of shapes; returns this instance.
   */
  add(shapes: Map<string, ShapeInfo>): this {
    if (!this.ownMap) {
      this.byId = new Map(this.byId)
      this.ownMap = true
    }
    for (const [id, s] of shapes) if (!this.byId.has(id)) this.byId.set(id, s)
    return this
  }

  /** The canonical fields of a shape. */
  fields(shapeId: string): CanonicalField[] {
    const t = this.type({ kind: 'shape', id: shapeId })
    if (t.kind !== 'object') throw new Error(`[koan-backup] unknown shape ${shapeId}`)
    return t.fields
  }

  /** `sha256:<hex>` of a shape's canonical model. */
  fingerprint(shapeId: string): string {
    return fingerprintOf(this.fields(shapeId))
  }

  private list(list: FieldInfo[]): CanonicalField[] {
    const sorted = sortedCopy(list, byName)
    const out: CanonicalField[] = new Array(sorted.length)
    for (let i = 0; i < sorted.length; i++) {
      const f = sorted[i]!
      out[i] = { name: f.name, optional: f.optional, nullable: f.nullable, type: this.type(f.type) }
    }
    return out
  }

  private type(t: FieldType): CanonicalType {
    switch (t.kind) {
      case 'array': case 'set': case 'record': return { kind: t.kind, of: this.type(t.of) }
      case 'map': return { kind: 'map', key: this.type(t.key), value: this.type(t.value) }
      case 'tuple': return { kind: 'tuple', items: t.items.map((i) => this.type(i)) }
      case 'union': return { kind: 'union', of: t.of.map((i) => this.type(i)) }
      case 'object': return { kind: 'object', fields: this.list(t.fields) }
      case 'literal': return { kind: 'literal', values: collationOrder(t.values) }
      case 'enum': return { kind: 'enum', name: t.name, values: collationOrder(t.values) }
      case 'bytes': return t.buffer ? { kind: 'bytes', buffer: true } : { kind: 'bytes' }
      case 'shape': return this.shape(t.id)
      default: return { kind: t.kind }
    }
  }

  private shape(id: string): CanonicalType {
    const known = this.memo.get(id)
    // an expansion is the same wherever it appears, unless a shape inside it is being expanded here
    // (there it is a cycle reference instead): mutually referring shapes expand from where they start
    if (known && !this.path.some((p) => known.contains.has(p))) {
      const parent = this.inside.at(-1)
      if (parent) for (const c of known.contains) parent.add(c)
      return known.type
    }
    const shape = this.byId.get(id)
    if (!shape) return { kind: 'json' }
    const at = this.path.indexOf(id)
    if (at >= 0) {
      this.lowest = Math.min(this.lowest, at)
      return { kind: 'cycle', name: shape.name }
    }
    const depth = this.path.length
    const outer = this.lowest
    this.lowest = Number.POSITIVE_INFINITY
    this.path.push(id)
    const contains = new Set([id])
    this.inside.push(contains)
    const out: CanonicalType = shape.entity
      ? { kind: 'object', name: shape.name, entity: shape.entity, fields: this.list(shape.fields) }
      : { kind: 'object', name: shape.name, fields: this.list(shape.fields) }
    this.path.pop()
    this.inside.pop()
    const parent = this.inside.at(-1)
    if (parent) for (const c of contains) parent.add(c)
    // an expansion that refers to nothing above itself can be reused (where none of its shapes is being expanded)
    if (this.lowest >= depth) this.memo.set(id, { type: out, contains })
    this.lowest = Math.min(outer, this.lowest)
    return out
  }

}

const LOWER_AND_DIGITS = /^[a-z0-9]*$/
const UPPER_AND_DIGITS = /^[A-Z0-9]*$/
let english: Intl.Collator | undefined

/**
 * Literal and enum values in one fixed order, the same on every machine: English collation order
 * (the root collation), whatever the process's locale. Values made only of lowercase letters and
 * digits (or only of uppercase letters and digits) are in that order by their code units, which
 * needs no collator (loading one costs a few milliseconds).
 */
export function collationOrder<T extends string | number | boolean>(values: readonly T[]): T[] {
  let lower = true
  let upper = true
  for (let i = 0; i < values.length; i++) {
    const x = String(values[i])
    lower &&= LOWER_AND_DIGITS.test(x)
    upper &&= UPPER_AND_DIGITS.test(x)
  }
  if (lower || upper) return sortedCopy(values, byCodeUnits)
  english ??= new Intl.Collator('en')
  const compare = english.compare
  return sortedCopy(values, (a, b) => compare(String(a), String(b)))
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
const byCodeUnits = (a: unknown, b: unknown): number => { const x = String(a), y = String(b); return x < y ? -1 : x > y ? 1 : 0 }

/**
 * A sorted copy, stable, as `[...items].sort(compare)` gives; short lists (fields, literal values:
 * the usual case) by insertion, which allocates nothing but the copy.
 */
function sortedCopy<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > 16) return [...items].sort(compare)
  const out = items.slice()
  for (let i = 1; i < out.length; i++) {
    const item = out[i]!
    let at = i
    while (at > 0 && compare(out[at - 1]!, item) > 0) { out[at] = out[at - 1]!; at-- }
    out[at] = item
  }
  return out
}

/** JSON with object keys sorted, so equal models give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * `sha256:<hex>` of the canonical model: equal shapes, equal fingerprints, whatever the file or field
 * order. Canonical models are built with a fixed key order, so plain JSON text is canonical.
 */
export function fingerprintOf(model: CanonicalField[]): string {
  return `sha256:${textHash('sha256', JSON.stringify(model))}`
}
