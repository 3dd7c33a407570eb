import fc from 'fast-check'
import { put } from '../../runtime/schema/helpers.js'
import type { FieldInfo, FieldType, ShapeInfo } from '../../runtime/types.js'

/** Builds fast-check arbitraries of in-memory values from the field model (classes by export name). */
export class Arbitraries {
  private byId: Map<string, ShapeInfo>
  constructor(shapes: ShapeInfo[], private classes: Record<string, unknown>) {
    this.byId = new Map(shapes.map((s) => [s.id, s]))
  }

  shape(id: string, depth = 0): fc.Arbitrary<object> {
    const shape = this.byId.get(id)!
    const proto = shape.isClass && shape.exportName ? (this.classes[shape.exportName] as { prototype: object }).prototype : Object.prototype
    return this.fields(shape.fields, depth).map((entries) => {
      const o = Object.create(proto) as Record<string, unknown>
      for (const [k, v] of entries) put(o, k, v)
      return o
    })
  }

  private fields(fields: FieldInfo[], depth: number): fc.Arbitrary<Array<[string, unknown]>> {
    const parts = fields.map((f) => {
      let value = this.type(f.type, depth)
      if (f.nullable) value = fc.option(value, { nil: null })
      const entry = value.map((v) => [[f.name, v]] as Array<[string, unknown]>)
      return f.optional ? fc.oneof(entry, fc.constant([] as Array<[string, unknown]>)) : entry
    })
    return fc.tuple(...parts).map((lists) => lists.flat())
  }

  type(t: FieldType, depth: number): fc.Arbitrary<unknown> {
    const max = depth > 2 ? 0 : 3
    // containers stop growing past depth 2, so recursive shapes (a tree of categories) stay finite
    if (max === 0) {
      if (t.kind === 'array') return fc.constant([])
      if (t.kind === 'set') return fc.constant(new Set())
      if (t.kind === 'map') return fc.constant(new Map())
      if (t.kind === 'record') return fc.constant({})
    }
    switch (t.kind) {
      case 'string': return fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '"quoted"', 'back\\slash', 'line\nbreak', '\u2028', '😀'))
      case 'number': return fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0))
      case 'boolean': return fc.boolean()
      case 'bigint': return fc.bigInt()
      case 'date': return fc.date({ noInvalidDate: true })
      case 'bytes': return fc.uint8Array({ maxLength: 40 }).map((b) => (t.buffer ? Buffer.from(b) : b))
      case 'unknown': case 'json': return fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)))
      case 'literal': case 'enum': return fc.constantFrom(...t.values)
      case 'union': return fc.oneof(...t.of.map((m) => this.type(m, depth)))
      case 'array': return fc.array(this.type(t.of, depth + 1), { maxLength: max })
      case 'set': return fc.array(this.type(t.of, depth + 1), { maxLength: max }).map((a) => new Set(a))
      case 'map': return fc.array(fc.tuple(this.type(t.key, depth + 1), this.type(t.value, depth + 1)), { maxLength: max }).map((e) => new Map(e))
      case 'record': return fc.array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'toString', 'hasOwnProperty')), this.type(t.of, depth + 1)), { maxLength: max }).map((entries) => {
        const o: Record<string, unknown> = {}
        for (const [k, v] of entries) put(o, k, v)
        return o
      })
      case 'tuple': return fc.tuple(...t.items.map((i) => this.type(i, depth + 1)))
      case 'object': return this.fields(t.fields, depth + 1).map((entries) => {
        const o: Record<string, unknown> = {}
        for (const [k, v] of entries) put(o, k, v)
        return o
      })
      case 'shape': return this.shape(t.id, depth + 1)
    }
  }
}
