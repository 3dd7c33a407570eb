import type { FieldInfo, FieldType, ShapeInfo } from '../types.js'
import { at } from './faults.js'
import { date, fromBase64, put } from './helpers.js'

/**
 * The general reviver, for stored values that zod accepts but that are not in the canonical form
 * the generated reader expects (a date with an offset, a hand-edited file). Slower, rarely used.
 */
export class SlowReviver {
  private byId: Map<string, ShapeInfo>

  constructor(shapes: ShapeInfo[], private classes: Record<string, { prototype: object }>) {
    this.byId = new Map(shapes.map((s) => [s.id, s]))
  }

  shape(id: string, v: Record<string, unknown>): object {
    const shape = this.byId.get(id)!
    const cls = this.classes[id]
    const o = (cls ? Object.create(cls.prototype) : {}) as Record<string, unknown>
    this.fields(shape.fields, v, o)
    return o
  }

  private fields(fields: FieldInfo[], v: Record<string, unknown>, o: Record<string, unknown>): void {
    for (const f of fields) {
      if (!Object.prototype.hasOwnProperty.call(v, f.name)) continue
      const x = v[f.name]
      try {
        put(o, f.name, x === null && f.nullable ? null : this.value(f.type, x))
      } catch (error) {
        at(error, f.name)
      }
    }
  }

  private value(t: FieldType, x: unknown): unknown {
    switch (t.kind) {
      case 'date': return date(x as string)
      case 'bigint': return BigInt(x as string)
      case 'bytes': return fromBase64(x as string, t.buffer === true)
      case 'array': return this.each(x as unknown[], (e) => this.value(t.of, e))
      case 'set': return new Set(this.each(x as unknown[], (e) => this.value(t.of, e)))
      case 'map': return new Map(this.each(x as Array<[unknown, unknown]>, ([k, e]) => [this.value(t.key, k), this.value(t.value, e)] as const))
      case 'tuple': return this.each(x as unknown[], (e, i) => this.value(t.items[i]!, e))
      case 'record': {
        const out: Record<string, unknown> = {}
        for (const [k, e] of Object.entries(x as Record<string, unknown>)) {
          try {
            put(out, k, this.value(t.of, e))
          } catch (error) {
            at(error, k)
          }
        }
        return out
      }
      case 'object': {
        const o: Record<string, unknown> = {}
        this.fields(t.fields, x as Record<string, unknown>, o)
        return o
      }
      case 'shape': return this.shape(t.id, x as Record<string, unknown>)
      default: return x
    }
  }

  private each<T, R>(list: T[], fn: (e: T, i: number) => R): R[] {
    return list.map((e, i) => {
      try {
        return fn(e, i)
      } catch (error) {
        return at(error, i)
      }
    })
  }
}
