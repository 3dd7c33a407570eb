import type { FieldType } from '../../../runtime/types.js'

/** Global types with a stored form of their own, by name; `args` are already resolved. */
export function builtinType(name: string, args: Array<FieldType | null>): FieldType | null | undefined {
  const [a, b] = args
  switch (name) {
    case 'Date': return { kind: 'date' }
    case 'Uint8Array': return { kind: 'bytes' }
    case 'Buffer': return { kind: 'bytes', buffer: true }
    case 'Array': case 'ReadonlyArray': return a ? { kind: 'array', of: a } : null
    case 'Set': case 'ReadonlySet': return a ? { kind: 'set', of: a } : null
    case 'Map': case 'ReadonlyMap': return a && b ? { kind: 'map', key: a, value: b } : null
    case 'Record': return a?.kind === 'string' && b ? { kind: 'record', of: b } : null
    case 'String': return { kind: 'string' }
    case 'Number': return { kind: 'number' }
    case 'Boolean': return { kind: 'boolean' }
    default: return undefined
  }
}

/** Kinds that are stored as themselves in JSON (no revival needed). */
export function isJsonNative(t: FieldType): boolean {
  return t.kind === 'string' || t.kind === 'number' || t.kind === 'boolean' || t.kind === 'literal' || t.kind === 'enum'
}

/** Builds the type of a union's members once null and undefined are taken out. */
export function unionOf(members: FieldType[]): FieldType | null {
  if (members.length === 1) return members[0]!
  if (members.every((m) => m.kind === 'literal')) {
    const values: Array<string | number | boolean> = []
    for (let i = 0; i < members.length; i++) {
      const own = (members[i] as { values: Array<string | number | boolean> }).values
      for (let j = 0; j < own.length; j++) if (!values.includes(own[j]!)) values.push(own[j]!)
    }
    if (values.length === 2 && values.includes(true) && values.includes(false)) return { kind: 'boolean' }
    return { kind: 'literal', values }
  }
  if (members.every(isJsonNative)) return { kind: 'union', of: members }
  return null
}
