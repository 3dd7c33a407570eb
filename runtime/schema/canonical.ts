import { createHash } from 'node:crypto'
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
  const byId = shapes instanceof Map ? shapes : new Map(shapes.map((s) => [s.id, s]))
  const shape = byId.get(shapeId)
  if (!shape) throw new Error(`[koan-backup] unknown shape ${shapeId}`)
  return fields(shape.fields, byId, [shapeId])
}

function fields(list: FieldInfo[], byId: Map<string, ShapeInfo>, path: string[]): CanonicalField[] {
  return [...list]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => ({ name: f.name, optional: f.optional, nullable: f.nullable, type: canonicalType(f.type, byId, path) }))
}

function canonicalType(t: FieldType, byId: Map<string, ShapeInfo>, path: string[]): CanonicalType {
  switch (t.kind) {
    case 'array': case 'set': case 'record': return { kind: t.kind, of: canonicalType(t.of, byId, path) }
    case 'map': return { kind: 'map', key: canonicalType(t.key, byId, path), value: canonicalType(t.value, byId, path) }
    case 'tuple': return { kind: 'tuple', items: t.items.map((i) => canonicalType(i, byId, path)) }
    case 'union': return { kind: 'union', of: t.of.map((i) => canonicalType(i, byId, path)) }
    case 'object': return { kind: 'object', fields: fields(t.fields, byId, path) }
    case 'literal': return { kind: 'literal', values: [...t.values].sort((a, b) => String(a).localeCompare(String(b))) }
    case 'enum': return { kind: 'enum', name: t.name, values: [...t.values].sort((a, b) => String(a).localeCompare(String(b))) }
    case 'shape': {
      const shape = byId.get(t.id)
      if (!shape) return { kind: 'json' }
      if (path.includes(t.id)) return { kind: 'cycle', name: shape.name }
      const out: CanonicalType = { kind: 'object', name: shape.name, fields: fields(shape.fields, byId, [...path, t.id]) }
      if (shape.entity) out.entity = shape.entity
      return out
    }
    default: return t
  }
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

/** `sha256:<hex>` of the canonical model: equal shapes, equal fingerprints, whatever the file or field order. */
export function fingerprintOf(model: CanonicalField[]): string {
  return `sha256:${createHash('sha256').update(stableJson(model)).digest('hex')}`
}
