import type { CanonicalField, CanonicalType } from './canonical.js'
import { stableJson } from './canonical.js'

/** One difference between two field models. */
export interface SchemaChange {
  kind: 'added' | 'removed' | 'changed'
  /** Field path, e.g. `address.zip`. */
  path: string
  /** The change in words. */
  text: string
}

function typeText(t: CanonicalType): string {
  switch (t.kind) {
    case 'array': case 'set': return `${t.kind === 'set' ? 'Set' : 'array'} of ${typeText(t.of)}`
    case 'record': return `record of ${typeText(t.of)}`
    case 'map': return `Map of ${typeText(t.key)} to ${typeText(t.value)}`
    case 'tuple': return `[${t.items.map(typeText).join(', ')}]`
    case 'union': return t.of.map(typeText).join(' | ')
    case 'literal': return t.values.map((v) => JSON.stringify(v)).join(' | ')
    case 'enum': return `enum ${t.name}`
    case 'object': return t.name ? (t.entity ? `entity ${t.name}` : t.name) : 'object'
    case 'cycle': return t.name
    default: return t.kind
  }
}

function fieldText(f: CanonicalField): string {
  return `${typeText(f.type)}${f.nullable ? ' | null' : ''}${f.optional ? ' (optional)' : ''}`
}

function walk(before: CanonicalField[], after: CanonicalField[], prefix: string, out: SchemaChange[]): void {
  const old = new Map(before.map((f) => [f.name, f]))
  const now = new Map(after.map((f) => [f.name, f]))
  for (const [name, f] of now) {
    const path = prefix + name
    const prev = old.get(name)
    if (!prev) { out.push({ kind: 'added', path, text: `added field ${path}: ${fieldText(f)}` }); continue }
    if (stableJson(prev) === stableJson(f)) continue
    if (prev.type.kind === 'object' && f.type.kind === 'object' && prev.optional === f.optional && prev.nullable === f.nullable) {
      walk(prev.type.fields, f.type.fields, `${path}.`, out)
      continue
    }
    out.push({ kind: 'changed', path, text: `field ${path} changed from ${fieldText(prev)} to ${fieldText(f)}` })
  }
  for (const [name, f] of old) {
    if (!now.has(name)) out.push({ kind: 'removed', path: prefix + name, text: `removed field ${prefix + name} (was ${fieldText(f)})` })
  }
}

/** Added, removed and changed fields between two canonical models, in words. */
export function diffSchemas(before: CanonicalField[], after: CanonicalField[]): SchemaChange[] {
  const out: SchemaChange[] = []
  walk(before, after, '', out)
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
