import type { BackupRegistry } from '../types.js'
import { CODEC_HELPERS, CodecWriter } from './program-writer.js'
import { addShapeRefs } from './shape-refs.js'

/** The codec program of a registry: its source and the shape ids of the classes it takes (`C[id]`), in order. */
export interface CodecProgram {
  source: string
  classIds: string[]
}

/**
 * The fast path of every included entity as one program body, generated from the registry's shapes
 * (deterministic: the same registry gives the same text). The runtime generates and compiles it on
 * the first use of a codec (`new Function('$', 'C', source)`): `$` holds the codec helpers, `C` the
 * classes by shape id (`codecClassIds`).
 */
export function generateCodecProgram(registry: BackupRegistry): CodecProgram {
  const writer = new CodecWriter(registry.shapes)
  const entries: string[] = []
  for (const e of registry.entities) {
    if (e.status !== 'included' || !e.shape) continue
    const fn = writer.shape(e.shape)
    const text = e.embedding ? `, text: ${writer.embeddingText(e.embedding.fields, e.embedding.joiner)}` : ''
    entries.push(`  ${JSON.stringify(e.fullName)}: { write: ${fn.write}, read: ${fn.read}${text} },`)
  }
  const classes = [...writer.imports].map(([alias, id]) => ({ alias, id }))
  const helpers = Object.entries(CODEC_HELPERS).map(([name, alias]) => `${name}: ${alias}`).join(', ')
  const source = [
    `'use strict'`,
    `const { ${helpers} } = $`,
    ...classes.map((c) => `const ${c.alias} = C[${JSON.stringify(c.id)}], ${c.alias}_ = ${c.alias}.prototype`),
    '',
    ...writer.decls.flatMap((d) => [d, '']),
    `return {`,
    ...entries,
    `}`,
    '',
  ].join('\n')
  return { source, classIds: classes.map((c) => c.id) }
}

/**
 * The shape ids of the classes the codec program takes, without generating it: every exported class
 * shape reachable from an included entity's shape through field types, in the order the program
 * writer meets them. The generated module imports these classes and hands them to the runtime.
 */
export function codecClassIds(registry: BackupRegistry): string[] {
  const byId = new Map(registry.shapes.map((s) => [s.id, s]))
  const seen = new Set<string>()
  const classes: string[] = []
  const visit = (id: string): void => {
    if (seen.has(id)) return
    seen.add(id)
    const shape = byId.get(id)
    if (!shape) return
    if (shape.isClass && shape.exportName) classes.push(id)
    for (const f of shape.fields) {
      const refs = new Set<string>()
      addShapeRefs(f.type, refs)
      for (const ref of refs) visit(ref)
    }
  }
  for (const e of registry.entities) if (e.status === 'included' && e.shape) visit(e.shape)
  return classes
}
