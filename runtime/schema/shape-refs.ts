import type { FieldType } from '../types.js'

/**
 * Adds to `out` the ids of the shapes a field type refers to, depth first in the order they appear
 * (without going into those shapes' own fields).
 */
export function addShapeRefs(t: FieldType, out: Set<string>): void {
  switch (t.kind) {
    case 'shape': out.add(t.id); break
    case 'array': case 'set': case 'record': addShapeRefs(t.of, out); break
    case 'map': addShapeRefs(t.key, out); addShapeRefs(t.value, out); break
    case 'tuple': for (const i of t.items) addShapeRefs(i, out); break
    case 'union': for (const i of t.of) addShapeRefs(i, out); break
    case 'object': for (const f of t.fields) addShapeRefs(f.type, out); break
    default: break
  }
}
