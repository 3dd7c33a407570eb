import type { FieldInfo, FieldType, ShapeInfo } from '../types.js'

/** Names the codec program uses for the helpers it receives as `$` (see `PROGRAM_HELPERS` in `codec.ts`). */
export const CODEC_HELPERS = {
  quote: '$q', json: '$j', date: '$d', toBase64: '$b', fromBase64: '$B', has: '$h', put: '$p', fault: '$f', at: '$a',
  ISO_DATE: '$I', BIGINT: '$N', BASE64: '$64', canonicalDate: '$D', FAIL: '$F', textOf: '$t',
  writeString: '$S', writeNumber: '$U', writeBoolean: '$O', writeBigint: '$G', writeDate: '$T', writeBytes: '$Y',
} as const

/** The serializer helper of a top-level field's scalar type (it also refuses `undefined` as a missing value). */
const FIELD_WRITERS: Partial<Record<FieldType['kind'], string>> = { string: '$S', number: '$U', boolean: '$O', bigint: '$G', date: '$T', bytes: '$Y' }

/** A single-quoted JS string literal. */
function sq(s: string): string {
  return `'${s.replace(/[\\'\n\r\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`
}

const PROTO_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])
const IDENT = /^[A-Za-z_$][\w$]*$/
/** Types whose stored form is the value itself, checked by `test`. */
const NATIVE = new Set<FieldType['kind']>(['string', 'number', 'boolean', 'literal', 'enum', 'union'])
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
 * Generates the fast path of every entity: a serializer writing JSON text directly, and a reader
 * that validates the canonical stored form while it builds class instances, in one pass, returning
 * `$F` at the first mismatch (the runtime then asks zod why). One function per shape and per
 * composite type, shared by key; deterministic for a given model.
 */
export class CodecWriter {
  private byId: Map<string, ShapeInfo>
  private shapeIndex = new Map<string, number>()
  private helperIndex = new Map<string, string>()
  private reviveMemo = new Map<string, boolean>()
  /** Generated function and constant declarations, in creation order. */
  readonly decls: string[] = []
  /** The classes the program takes: local alias → shape id. */
  readonly imports = new Map<string, string>()

  constructor(shapes: ShapeInfo[]) {
    this.byId = new Map(shapes.map((s) => [s.id, s]))
  }

  /** A function building an entity's embedding text from its recipe's fields. */
  embeddingText(fields: string[], joiner: string): string {
    return this.helper(`t:${JSON.stringify([fields, joiner])}`, (n) =>
      `function ${n}(o) {\n  return ${fields.map((f) => `$t(${read('o', f)})`).join(` + ${JSON.stringify(joiner)} + `)}\n}`)
  }

  /** Function names `{ write, read }` of a shape's codec. */
  shape(id: string): { write: string; read: string } {
    let i = this.shapeIndex.get(id)
    if (i === undefined) {
      i = this.shapeIndex.size
      this.shapeIndex.set(id, i)
      const shape = this.byId.get(id)!
      const cls = shape.isClass && shape.exportName ? `C${i}` : null
      if (cls) this.imports.set(cls, id)
      this.decls.push(this.writeFn(`w${i}`, shape.fields), this.readFn(`r${i}`, shape.fields, cls, !this.needsRevive({ kind: 'shape', id })))
    }
    return { write: `w${i}`, read: `r${i}` }
  }

  // ---- serialize --------------------------------------------------------------------------------

  private writeFn(name: string, fields: FieldInfo[]): string {
    // whether a comma goes before a field is known here unless optional fields come first
    let written: 'none' | 'some' | 'maybe' = 'none'
    const body = fields.map((f) => {
      const key = sq(`${written === 'some' ? ',' : ''}${JSON.stringify(f.name)}:`)
      const text = `${written === 'maybe' ? "(s.length > 1 ? ',' : '') + " : ''}${key} + ${this.encField(f)}`
      written = f.optional ? (written === 'some' ? 'some' : 'maybe') : 'some'
      return `    f = ${sq(f.name)}; x = ${read('o', f.name)}; ${f.optional ? 'if (x !== undefined) ' : ''}s += ${text}`
    })
    return [
      `function ${name}(o) {`,
      `  if (o === null || typeof o !== 'object') $f('an object', o)`,
      `  let s = '{', f, x`,
      `  try {`,
      ...body,
      `  } catch (e) { $a(e, f) }`,
      `  return s + '}'`,
      `}`,
    ].join('\n')
  }

  /** The JSON text of a top-level field `x`; a required field that is `undefined` is refused as "a value". */
  private encField(f: FieldInfo): string {
    const helper = FIELD_WRITERS[f.type.kind]
    const value = helper ? `${helper}(x)` : f.optional ? this.enc(f.type, 'x') : `(x === undefined ? $f('a value', x) : ${this.enc(f.type, 'x')})`
    return f.nullable ? `(x === null ? 'null' : ${value})` : value
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
      default: return `${this.compositeWriter(t)}(${x})`
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

  private compositeWriter(t: FieldType): string {
    return this.helper(`w:${JSON.stringify(t)}`, (n) => this.compositeWrite(n, t))
  }

  private compositeReader(t: FieldType): string {
    return this.helper(`r:${JSON.stringify(t)}`, (n) => this.compositeRead(n, t))
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
      default: return this.test(t, x)
    }
  }


  // ---- read: validate the canonical stored form and revive, in one pass ----------------------------

  /** A boolean expression: `x` is a JSON-native value of `t` (string, number, boolean, literal, enum). */
  private test(t: FieldType, x: string): string {
    switch (t.kind) {
      case 'string': return `typeof ${x} === 'string'`
      case 'number': return `typeof ${x} === 'number'`
      case 'boolean': return `typeof ${x} === 'boolean'`
      case 'literal': case 'enum': return this.literalText(t, x, 'chk')
      case 'union': return `(${t.of.map((m) => this.test(m, x)).join(' || ')})`
      default: throw new Error(`not a JSON-native type: ${t.kind}`)
    }
  }

  /** Statements reading stored `x` of type `t` into `y`, or returning `$F`. */
  private readInto(t: FieldType, x: string, y: string): string {
    switch (t.kind) {
      case 'string': case 'number': case 'boolean': case 'literal': case 'enum': case 'union':
        return `if (!(${this.test(t, x)})) return $F; ${y} = ${x}`
      case 'bigint': return `if (typeof ${x} !== 'string' || !$N.test(${x})) return $F; ${y} = BigInt(${x})`
      case 'date': return `if (typeof ${x} !== 'string' || (${y} = $D(${x})) === $F) return $F`
      case 'bytes': return `if (typeof ${x} !== 'string' || !$64.test(${x})) return $F; ${y} = $B(${x}, ${t.buffer === true})`
      case 'unknown': case 'json': return `${y} = ${x}`
      case 'shape': return `if ((${y} = ${this.shape(t.id).read}(${x})) === $F) return $F`
      default: return `if ((${y} = ${this.compositeReader(t)}(${x})) === $F) return $F`
    }
  }

  /**
   * The reader of an object shape: checks every field into a local, counts the keys, then builds the
   * object with a constructor of its own (`<name>_new`, whose prototype is the class's or
   * `Object.prototype`), so every revived object gets its fields in place at once. With `reuse` (a plain
   * object whose every field is stored as it is), the parsed object itself is returned once its fields
   * and key count check out: no copy.
   */
  private readFn(name: string, fields: FieldInfo[], cls: string | null, reuse = false): string {
    const local = (i: number) => `a${i}`
    const body = fields.map((f, i) => {
      // a JSON-native value is stored as it is; `undefined` fails every type test but `unknown`'s
      const native = !f.nullable && NATIVE.has(f.type.kind)
      const into = reuse ? '' : `; ${local(i)} = ${native ? 'x' : 'y'}`
      const value = native ? `if (!(${this.test(f.type, 'x')})) return $F${into}`
        : `${f.nullable ? `if (x === null) y = null; else { ${this.readInto(f.type, 'x', 'y')} }` : this.readInto(f.type, 'x', 'y')}${into}`
      const missing = f.type.kind === 'unknown' || f.type.kind === 'json' ? 'if (x === undefined) return $F; ' : ''
      return f.optional
        ? `  x = ${read('v', f.name)}; if (x !== undefined) { ${value}; n++ }`
        : `  x = ${read('v', f.name)}; ${missing}${value}; n++`
    })
    const locals = fields.map((_, i) => `, ${local(i)}`).join('')
    const reader = [
      `function ${name}(v) {`,
      `  if (typeof v !== 'object' || v === null || Array.isArray(v)) return $F`,
      `  let n = 0, k = 0, x, y${reuse ? '' : locals}`,
      ...body,
      `  for (const _ in v) k++`,
      `  return k === n ? ${reuse ? 'v' : `new ${name}_new(${fields.map((_, i) => local(i)).join(', ')})`} : $F`,
      `}`,
    ]
    if (reuse) return reader.join('\n')
    // an absent optional field stays absent (not an own property holding undefined)
    const assign = (f: FieldInfo, i: number) => {
      const set = f.name === '__proto__' ? `$p(this, '__proto__', ${local(i)})` : `${write('this', f.name)} = ${local(i)}`
      return `  ${f.optional ? `if (${local(i)} !== undefined) ` : ''}${set}`
    }
    return [
      `function ${name}_new(${fields.map((_, i) => local(i)).join(', ')}) {`,
      ...fields.map(assign),
      `}`,
      `${name}_new.prototype = ${cls ? `${cls}_` : 'Object.prototype'}`,
      ...reader,
    ].join('\n')
  }

  /** Whether the stored form of `t` differs from its value (else the parsed JSON is reused as is). */
  needsRevive(t: FieldType): boolean {
    switch (t.kind) {
      case 'date': case 'bigint': case 'bytes': case 'set': case 'map': return true
      case 'array': case 'record': return this.needsRevive(t.of)
      case 'tuple': return true
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

  private compositeRead(n: string, t: FieldType): string {
    const copy = this.needsRevive(t)
    switch (t.kind) {
      case 'array': return `function ${n}(v) {\n  if (!Array.isArray(v)) return $F\n  const out = ${copy ? 'new Array(v.length)' : 'v'}\n  let x, y\n  for (let i = 0; i < v.length; i++) { x = v[i]; ${this.readInto(t.of, 'x', 'y')}; ${copy ? 'out[i] = y' : ''} }\n  return out\n}`
      case 'set': return `function ${n}(v) {\n  if (!Array.isArray(v)) return $F\n  const out = new Set()\n  let x, y\n  for (let i = 0; i < v.length; i++) { x = v[i]; ${this.readInto(t.of, 'x', 'y')}; out.add(y) }\n  return out\n}`
      case 'map': return `function ${n}(v) {\n  if (!Array.isArray(v)) return $F\n  const out = new Map()\n  let x, y, k, e\n  for (let i = 0; i < v.length; i++) {\n    e = v[i]; if (!Array.isArray(e) || e.length !== 2) return $F\n    x = e[0]; ${this.readInto(t.key, 'x', 'y')}; k = y\n    x = e[1]; ${this.readInto(t.value, 'x', 'y')}; out.set(k, y)\n  }\n  return out\n}`
      case 'record': return `function ${n}(v) {\n  if (typeof v !== 'object' || v === null || Array.isArray(v)) return $F\n  const out = ${copy ? '{}' : 'v'}\n  let x, y\n  for (const k in v) { x = v[k]; ${this.readInto(t.of, 'x', 'y')}; ${copy ? '$p(out, k, y)' : ''} }\n  return out\n}`
      case 'tuple': return `function ${n}(v) {\n  if (!Array.isArray(v) || v.length !== ${t.items.length}) return $F\n  const out = new Array(${t.items.length})\n  let x, y\n${t.items.map((item, i) => `  x = v[${i}]; ${this.readInto(item, 'x', 'y')}; out[${i}] = y`).join('\n')}\n  return out\n}`
      case 'object': return this.readFn(n, t.fields, null, !copy)
      default: throw new Error(`not a composite type: ${t.kind}`)
    }
  }
}
