import { z } from 'zod'
import type { FieldInfo, FieldType, ShapeInfo } from '../types.js'
import { BASE64, BIGINT } from './helpers.js'

/**
 * Builds zod 4 schemas of the stored (JSON) form from the field model. zod is the schema of
 * record: it explains every row the generated fast check refuses, and gives the JSON Schema.
 */
export class SchemaBuilder {
  private byId: Map<string, ShapeInfo>
  private built = new Map<string, z.ZodType>()

  constructor(shapes: ShapeInfo[]) {
    this.byId = new Map(shapes.map((s) => [s.id, s]))
  }

  /** The schema of a named shape (recursive shapes refer to themselves lazily). */
  shape(id: string): z.ZodType {
    const known = this.built.get(id)
    if (known) return known
    const shape = this.byId.get(id)
    if (!shape) throw new Error(`[koan-backup] unknown shape ${id}`)
    let schema: z.ZodType | undefined
    const lazy = z.lazy(() => (schema ??= this.object(shape.fields)))
    this.built.set(id, lazy)
    schema = this.object(shape.fields)
    return lazy
  }

  private object(fields: FieldInfo[]): z.ZodType {
    const entries: Record<string, z.ZodType> = {}
    for (const f of fields) {
      let t = this.type(f.type)
      if (f.nullable) t = t.nullable()
      if (f.optional) t = t.optional()
      entries[f.name] = t
    }
    return z.strictObject(entries)
  }

  /** The schema of one field type. */
  type(t: FieldType): z.ZodType {
    switch (t.kind) {
      case 'string': return z.string()
      case 'number': return z.number()
      case 'boolean': return z.boolean()
      case 'bigint': return z.string().regex(BIGINT, 'a bigint as a decimal string')
      case 'date': return z.iso.datetime({ offset: true })
      case 'bytes': return z.string().regex(BASE64, 'bytes as base64')
      case 'unknown': case 'json': return z.json()
      case 'literal': case 'enum': return z.literal(t.values as [string | number | boolean, ...Array<string | number | boolean>])
      case 'union': return z.union(t.of.map((m) => this.type(m)) as [z.ZodType, z.ZodType, ...z.ZodType[]])
      case 'array': case 'set': return z.array(this.type(t.of))
      case 'map': return z.array(z.tuple([this.type(t.key), this.type(t.value)]))
      case 'record': return z.record(z.string(), this.type(t.of))
      case 'tuple': return z.tuple(t.items.map((i) => this.type(i)) as [z.ZodType, ...z.ZodType[]])
      case 'object': return this.object(t.fields)
      case 'shape': return this.shape(t.id)
    }
  }
}

/** The JSON Schema (draft 2020-12) of a stored-form schema. */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { cycles: 'ref', reused: 'inline', unrepresentable: 'any' }) as Record<string, unknown>
}

/** The JSON Schema of an entity's stored form, from the registry's shapes. */
export function jsonSchemaOf(shapeId: string, shapes: ShapeInfo[]): Record<string, unknown> {
  return toJsonSchema(new SchemaBuilder(shapes).shape(shapeId))
}
