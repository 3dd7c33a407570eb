import { own, type FileFacts, type Pos, type StaticExpr } from './facts.js'
import type { Linker } from './link.js'

/** A statically known value, or why it is not known and where. */
export type Evaluated =
  | { ok: true; value: unknown }
  | { ok: false; why: string; text: string; file: string; pos: Pos }

const MAX_DEPTH = 32

/** Evaluates static expressions: literals, objects, arrays, `const` references and enum members, across files. */
export class Evaluator {
  constructor(private linker: Linker, private facts: (file: string) => FileFacts | undefined) {}

  evaluate(expr: StaticExpr, file: string, depth = 0): Evaluated {
    if (depth > MAX_DEPTH) return this.fail(expr, file, 'a reference cycle')
    switch (expr.k) {
      case 'lit': return { ok: true, value: expr.v }
      case 'unknown': return { ok: false, why: expr.why, text: expr.text, file, pos: expr.pos }
      case 'call': return this.fail(expr, file, 'a function call')
      case 'arr': {
        const items: unknown[] = []
        for (const item of expr.items) {
          const r = this.evaluate(item, file, depth + 1)
          if (!r.ok) return r
          items.push(r.value)
        }
        return { ok: true, value: items }
      }
      case 'obj': return this.object(expr, file, depth)
      case 'ref': return this.reference(expr, file, depth)
    }
  }

  private object(expr: Extract<StaticExpr, { k: 'obj' }>, file: string, depth: number): Evaluated {
    const value: Record<string, unknown> = Object.create(null)
    for (const entry of expr.entries) {
      const r = this.evaluate('spread' in entry ? entry.spread : entry.value, file, depth + 1)
      if (!r.ok) return r
      if ('key' in entry) { value[entry.key] = r.value; continue }
      if (r.value === null || typeof r.value !== 'object' || Array.isArray(r.value)) {
        return this.fail(entry.spread, file, 'a spread of something other than an object')
      }
      Object.assign(value, r.value)
    }
    return { ok: true, value }
  }

  private reference(expr: Extract<StaticExpr, { k: 'ref' }>, file: string, depth: number): Evaluated {
    const target = this.linker.resolvePath(file, expr.path)
    if (target.k === 'const' || target.k === 'enum') {
      const facts = this.facts(target.file)!
      let value: Evaluated
      let rest = target.member
      if (target.k === 'const') {
        value = this.evaluate(own(facts.consts, target.name)!, target.file, depth + 1)
      } else {
        const member = rest[0] === undefined ? undefined : own(own(facts.enums, target.name)!, rest[0])
        if (!member) return this.fail(expr, file, `not a member of enum ${target.name}`)
        value = this.evaluate(member, target.file, depth + 1)
        rest = rest.slice(1)
      }
      if (!value.ok) return value
      let current = value.value
      for (const key of rest) {
        if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) {
          return this.fail(expr, file, `without a statically known property \`${key}\``)
        }
        current = (current as Record<string, unknown>)[key]
      }
      return { ok: true, value: current }
    }
    if (target.k === 'missing') return this.fail(expr, file, 'not a top-level `const`, an enum member or an import of one')
    if (target.k === 'external') return this.fail(expr, file, `imported from the package '${target.module}', which is not scanned`)
    return this.fail(expr, file, `a ${target.k === 'namespace' ? 'module namespace' : target.k}, not a value`)
  }

  private fail(expr: StaticExpr, file: string, why: string): Evaluated {
    const text = expr.k === 'ref' ? expr.path.join('.') : expr.k === 'unknown' ? expr.text : expr.k === 'call' ? `${expr.callee?.join('.') ?? '…'}(…)` : expr.k
    return { ok: false, why, text, file, pos: expr.pos }
  }
}
