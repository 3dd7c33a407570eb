import type { FieldInfo, FieldType, ShapeInfo } from '../../../runtime/types.js'

/** Names the generated code uses for the codec runtime helpers (imported from `koan-backup/codec`). */
export const CODEC_HELPERS = {
  quote: '$q', json: '$j', date: '$d', toBase64: '$b', fromBase64: '$B', has: '$h', put: '$p', fault: '$f', at: '$a',
  ISO_DATE: '$I', BIGINT: '$N', BASE64: '$64',
} as const

const PROTO_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])
const IDENT = /^[A-Za-z_$][\w$]*$/
const MAX_INLINE_LITERALS = 8

const str = (s: string) => JSON.stringify(s)

/** Reads `key` of `obj` without ever reaching Object.prototype (`constructor`, `toString`, …). */
function read(obj: string, key: string): string {
  if (PROTO_KEYS.has(key)) return `($h(${obj}, ${str(key)}) ? ${obj}[${str(key)}] : undefined)`
  return IDENT.test(key) ? `${obj}.${key}` : `${obj}[${str(key)}]`
}

function write(obj: string, key: string): string {
  return IDENT.test(key) && key !== '__proto__' ? `${obj}.${key}` : `${obj}[${str(key)}]`
}

function describe(t: FieldType): string {
  switch (t.kind) {
    case 'literal': case 'enum': return `one of ${t.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'union': return t.of.map(describe).join(' or ')
    case 'date': return 'a valid Date'
    case 'bytes': return 'a Uint8Array'
    case 'unknown': case 'json': return 'a JSON value'
    case 'shape': case 'object': return 'an object'
    case 'array': case 'tuple': return 'an array'
    case 'set': return 'a Set'
    case 'map': return 'a Map'
    case 'record': return 'an object'
    default: return `a ${t.kind}`
  }
}

/**
 * Generates the fast path of every entity: a serializer writing JSON text directly, a check of the
 * canonical stored form, and a reviver building class instances. One function per shape and per
 * composite type, shared by key; deterministic for a given model.
 */
export class CodecWriter {
  private byId: Map<string, ShapeInfo>
  private shapeIndex = new Map<string, number>()
  private helperIndex = new Map<string, string>()
  private reviveMemo = new Map<string, boolean>()
  /** Generated function and constant declarations, in creation order. */
  readonly decls: string[] = []
  /** Classes to import: local alias → { file, exportName }. */
  readonly imports = new Map<string, { id: string; exportName: string }>()

  constructor(shapes: ShapeInfo[]) {
    this.byId = new Map(shapes.map((s) => [s.id, s]))
  }

  /** Function names `{ write, check, read }` of a shape's codec. */
  shape(id: string): { write: string; check: string; read: string } {
    let i = this.shapeIndex.get(id)
    if (i === undefined) {
      i = this.shapeIndex.size
      this.shapeIndex.set(id, i)
      const shape = this.byId.get(id)!
      const cls = shape.isClass && shape.exportName ? `C${i}` : null
      if (cls) this.imports.set(cls, { id, exportName: shape.exportName! })
      this.decls.push(
        this.writeFn(`w${i}`, shape.fields),
        this.checkFn(`c${i}`, shape.fields),
        this.readFn(`r${i}`, shape.fields, cls),
      )
    }
    return { write: `w${i}`, check: `c${i}`, read: `r${i}` }
  }

  // ---- serialize --------------------------------------------------------------------------------

  private writeFn(name: string, fields: FieldInfo[]): string {
    const body = fields.map((f) => {
      const value = f.nullable ? `(x === null ? 'null' : ${this.enc(f.type, 'x')})` : this.enc(f.type, 'x')
      const missing = f.optional ? '' : ` else $f('a value', x)`
      return `    f = ${str(f.name)}; x = ${read('o', f.name)}\n    if (x !== undefined) s += ${str(`,${JSON.stringify(f.name)}:`)} + ${value};${missing}`
    })
    return [
      `function ${name}(o) {`,
      `  if (o === null || typeof o !== 'object') $f('an object', o)`,
      `  let s = '', f, x`,
      `  try {`,
      ...body,
      `  } catch (e) { $a(e, f) }`,
      `  return '{' + s.slice(1) + '}'`,
      `}`,
    ].join('\n')
  }

  private literalText(t: Extract<FieldType, { kind: 'literal' | 'enum' }>, x: string, mode: 'enc' | 'chk'): string {
    if (t.values.length > MAX_INLINE_LITERALS) {
      const table = this.helper(`lit:${JSON.stringify(t.values)}`, (n) => `const ${n} = new Map([${t.values.map((v) => `[${JSON.stringify(v)}, ${str(JSON.stringify(v))}]`).join(', ')}])`)
      return mode === 'chk' ? `${table}.has(${x})` : `(${table}.get(${x}) ?? $f(${str(describe(t))}, ${x}))`
    }
    if (mode === 'chk') return `(${t.values.map((v) => `${x} === ${JSON.stringify(v)}`).join(' || ')})`
    return `(${t.values.map((v) => `${x} === ${JSON.stringify(v)} ? ${str(JSON.stringify(v))} : `).join('')}$f(${str(describe(t))}, ${x}))`
  }

  /** An expression giving the JSON text of `x` (a plain identifier) of type `t`, or throwing a fault. */
  private enc(t: FieldType, x: string): string {
    switch (t.kind) {
      case 'string': return `(typeof ${x} === 'string' ? $q(${x}) : $f('a string', ${x}))`
      case 'number': return `(typeof ${x} === 'number' && ${x} - ${x} === 0 ? '' + ${x} : $f('a finite number', ${x}))`
      case 'boolean': return `(${x} === true ? 'true' : ${x} === false ? 'false' : $f('a boolean', ${x}))`
      case 'bigint': return `(typeof ${x} === 'bigint' ? '"' + ${x} + '"' : $f('a bigint', ${x}))`
      case 'date': return `(${x} instanceof Date && ${x}.getTime() === ${x}.getTime() ? '"' + ${x}.toISOString() + '"' : $f('a valid Date', ${x}))`
      case 'bytes': return `(${x} instanceof Uint8Array ? '"' + $b(${x}) + '"' : $f('a Uint8Array', ${x}))`
      case 'unknown': case 'json': return `$j(${x})`
      case 'literal': case 'enum': return this.literalText(t, x, 'enc')
      case 'shape': return `${this.shape(t.id).write}(${x})`
      default: return `${this.composite(t).write}(${x})`
    }
  }

  // ---- check (canonical stored form) ----------------------------------------------------------------

  private checkFn(name: string, fields: FieldInfo[]): string {
    const body = fields.map((f) => {
      const chk = f.nullable ? `x === null || ${this.chk(f.type, 'x')}` : this.chk(f.type, 'x')
      return f.optional
        ? `  x = ${read('v', f.name)}; if (x !== undefined) { n++; if (!(${chk})) return false }`
        : `  x = ${read('v', f.name)}; if (x === undefined || !(${chk})) return false; n++`
    })
    return [
      `function ${name}(v) {`,
      `  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false`,
      `  let n = 0, k = 0, x`,
      ...body,
      `  for (const _ in v) k++`,
      `  return k === n`,
      `}`,
    ].join('\n')
  }

  /** A boolean expression: `x` is exactly the canonical stored form of `t`. */
  private chk(t: FieldType, x: string): string {
    switch (t.kind) {
      case 'string': return `typeof ${x} === 'string'`
      case 'number': return `typeof ${x} === 'number'`
      case 'boolean': return `typeof ${x} === 'boolean'`
      case 'bigint': return `(typeof ${x} === 'string' && $N.test(${x}))`
      case 'date': return `(typeof ${x} === 'string' && $I.test(${x}))`
      case 'bytes': return `(typeof ${x} === 'string' && $64.test(${x}))`
      case 'unknown': case 'json': return `${x} !== undefined`
      case 'literal': case 'enum': return this.literalText(t, x, 'chk')
      case 'shape': return `${this.shape(t.id).check}(${x})`
      default: return `${this.composite(t).check}(${x})`
    }
  }

  // ---- revive -------------------------------------------------------------------------------------------

  /** Whether the stored form of `t` differs from its value (else the parsed JSON is reused as is). */
  needsRevive(t: FieldType): boolean {
    switch (t.kind) {
      case 'date': case 'bigint': case 'bytes': case 'set': case 'map': return true
      case 'array': case 'record': return this.needsRevive(t.of)
      case 'tuple': return t.items.some((i) => this.needsRevive(i))
      case 'object': return t.fields.some((f) => this.needsRevive(f.type))
      case 'shape': {
        const known = this.reviveMemo.get(t.id)
        if (known !== undefined) return known
        const shape = this.byId.get(t.id)!
        this.reviveMemo.set(t.id, shape.isClass)
        const result = shape.isClass || shape.fields.some((f) => this.needsRevive(f.type))
        this.reviveMemo.set(t.id, result)
        return result
      }
      default: return false
    }
  }

  private readFn(name: string, fields: FieldInfo[], cls: string | null): string {
    const body = fields.map((f) => {
      const src = read('v', f.name)
      const target = write('o', f.name)
      const revive = this.needsRevive(f.type)
      const value = revive ? (f.nullable ? `(x === null ? null : ${this.rev(f.type, 'x')})` : this.rev(f.type, 'x')) : 'x'
      const assign = f.optional ? `if (x !== undefined) ${target} = ${value}` : `${target} = ${value}`
      return `    ${revive ? `f = ${str(f.name)}; ` : ''}x = ${src}; ${assign}`
    })
    const make = cls ? `Object.create(${cls}.prototype)` : '{}'
    const guarded = fields.some((f) => this.needsRevive(f.type))
    return [
      `function ${name}(v) {`,
      `  const o = ${make}`,
      `  let x${guarded ? ', f' : ''}`,
      ...(guarded ? ['  try {', ...body, '  } catch (e) { $a(e, f) }'] : body.map((l) => l.slice(2))),
      `  return o`,
      `}`,
    ].join('\n')
  }

  /** An expression reviving `x` (already checked) of a type that needs revival. */
  private rev(t: FieldType, x: string): string {
    switch (t.kind) {
      case 'date': return `$d(${x})`
      case 'bigint': return `BigInt(${x})`
      case 'bytes': return `$B(${x}, ${t.buffer === true})`
      case 'shape': return `${this.shape(t.id).read}(${x})`
      default: return this.needsRevive(t) ? `${this.composite(t).read}(${x})` : x
    }
  }

  // ---- composite types --------------------------------------------------------------------------

  private helper(key: string, make: (name: string) => string): string {
    const known = this.helperIndex.get(key)
    if (known) return known
    const name = `h${this.helperIndex.size}`
    this.helperIndex.set(key, name)
    this.decls.push(make(name))
    return name
  }

  private composite(t: FieldType): { write: string; check: string; read: string } {
    const key = JSON.stringify(t)
    return {
      write: this.helper(`w:${key}`, (n) => this.compositeWrite(n, t)),
      check: this.helper(`c:${key}`, (n) => this.compositeCheck(n, t)),
      read: this.needsRevive(t) ? this.helper(`r:${key}`, (n) => this.compositeRead(n, t)) : '',
    }
  }

  private compositeWrite(n: string, t: FieldType): string {
    switch (t.kind) {
      case 'array': return `function ${n}(v) {\n  if (!Array.isArray(v)) $f('an array', v)\n  let s = '[', i = 0\n  try { for (; i < v.length; i++) { const x = v[i]; if (i) s += ','; s += ${this.enc(t.of, 'x')} } } catch (e) { $a(e, i) }\n  return s + ']'\n}`
      case 'set': return `function ${n}(v) {\n  if (!(v instanceof Set)) $f('a Set', v)\n  let s = '[', i = 0\n  try { for (const x of v) { if (i) s += ','; s += ${this.enc(t.of, 'x')}; i++ } } catch (e) { $a(e, i) }\n  return s + ']'\n}`
      case 'map': return `function ${n}(v) {\n  if (!(v instanceof Map)) $f('a Map', v)\n  let s = '[', i = 0\n  try { for (const [k, x] of v) { if (i) s += ','; s += '[' + ${this.enc(t.key, 'k')} + ',' + ${this.enc(t.value, 'x')} + ']'; i++ } } catch (e) { $a(e, i) }\n  return s + ']'\n}`
      case 'record': return `function ${n}(v) {\n  if (v === null || typeof v !== 'object' || Array.isArray(v)) $f('an object', v)\n  let s = '', k\n  try { for (k in v) { if (!$h(v, k)) continue; const x = v[k]; if (x === undefined) continue; s += ',' + $q(k) + ':' + ${this.enc(t.of, 'x')} } } catch (e) { $a(e, k) }\n  return '{' + s.slice(1) + '}'\n}`
      case 'tuple': return `function ${n}(v) {\n  if (!Array.isArray(v) || v.length !== ${t.items.length}) $f('an array of ${t.items.length}', v)\n  let i = 0, x\n  try {\n    let s = '['\n${t.items.map((item, i) => `    i = ${i}; x = v[${i}]; s += ${i ? "',' + " : ''}${this.enc(item, 'x')}`).join('\n')}\n    return s + ']'\n  } catch (e) { $a(e, i) }\n}`
      case 'union': return `function ${n}(x) {\n${t.of.map((m) => `  if (${this.runtimeIs(m, 'x')}) return ${this.enc(m, 'x')}`).join('\n')}\n  return $f(${str(describe(t))}, x)\n}`
      case 'object': return this.writeFn(n, t.fields)
      default: throw new Error(`not a composite type: ${t.kind}`)
    }
  }

  /** A run-time test that `x` (an in-memory value) belongs to a JSON-native union member. */
  private runtimeIs(t: FieldType, x: string): string {
    switch (t.kind) {
      case 'string': return `typeof ${x} === 'string'`
      case 'number': return `typeof ${x} === 'number'`
      case 'boolean': return `typeof ${x} === 'boolean'`
      default: return this.chk(t, x)
    }
  }

  private compositeCheck(n: string, t: FieldType): string {
    switch (t.kind) {
      case 'array': case 'set': return `function ${n}(v) {\n  if (!Array.isArray(v)) return false\n  for (let i = 0; i < v.length; i++) { const x = v[i]; if (!(${this.chk(t.of, 'x')})) return false }\n  return true\n}`
      case 'map': return `function ${n}(v) {\n  if (!Array.isArray(v)) return false\n  for (let i = 0; i < v.length; i++) { const e = v[i]; if (!Array.isArray(e) || e.length !== 2) return false; const k = e[0], x = e[1]; if (!(${this.chk(t.key, 'k')}) || !(${this.chk(t.value, 'x')})) return false }\n  return true\n}`
      case 'record': return `function ${n}(v) {\n  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false\n  for (const k in v) { const x = v[k]; if (!(${this.chk(t.of, 'x')})) return false }\n  return true\n}`
      case 'tuple': return `function ${n}(v) {\n  if (!Array.isArray(v) || v.length !== ${t.items.length}) return false\n  let x\n${t.items.map((item, i) => `  x = v[${i}]; if (!(${this.chk(item, 'x')})) return false`).join('\n')}\n  return true\n}`
      case 'union': return `function ${n}(x) {\n  return ${t.of.map((m) => `(${this.chk(m, 'x')})`).join(' || ')}\n}`
      case 'object': return this.checkFn(n, t.fields)
      default: throw new Error(`not a composite type: ${t.kind}`)
    }
  }

  private compositeRead(n: string, t: FieldType): string {
    switch (t.kind) {
      case 'array': return `function ${n}(v) {\n  const out = new Array(v.length)\n  let i = 0\n  try { for (; i < v.length; i++) { const x = v[i]; out[i] = ${this.rev(t.of, 'x')} } } catch (e) { $a(e, i) }\n  return out\n}`
      case 'set': return `function ${n}(v) {\n  const out = new Set()\n  let i = 0\n  try { for (; i < v.length; i++) { const x = v[i]; out.add(${this.rev(t.of, 'x')}) } } catch (e) { $a(e, i) }\n  return out\n}`
      case 'map': return `function ${n}(v) {\n  const out = new Map()\n  let i = 0\n  try { for (; i < v.length; i++) { const k = v[i][0], x = v[i][1]; out.set(${this.rev(t.key, 'k')}, ${this.rev(t.value, 'x')}) } } catch (e) { $a(e, i) }\n  return out\n}`
      case 'record': return `function ${n}(v) {\n  const out = {}\n  let k\n  try { for (k in v) { const x = v[k]; $p(out, k, ${this.rev(t.of, 'x')}) } } catch (e) { $a(e, k) }\n  return out\n}`
      case 'tuple': return `function ${n}(v) {\n  let i = 0, x\n  try {\n    const out = new Array(${t.items.length})\n${t.items.map((item, i) => `    i = ${i}; x = v[${i}]; out[${i}] = ${this.rev(item, 'x')}`).join('\n')}\n    return out\n  } catch (e) { $a(e, i) }\n}`
      case 'object': return this.readFn(n, t.fields, null)
      default: throw new Error(`not a composite type: ${t.kind}`)
    }
  }
}
