import type { BackupRegistry } from '../../../runtime/types.js'
import { posix } from 'node:path'
import { BANNER } from './registry.js'

/** A `.js` specifier from the .d.ts folder to a root-relative source file (NodeNext and Bundler both map it to the .ts). */
function moduleSpecifier(dtsDir: string, file: string): string {
  const rel = posix.relative(dtsDir, file).replace(/\.(c|m)?tsx?$/, (ext) => ext.replace('t', 'j'))
  return rel.startsWith('.') ? rel : `./${rel}`
}

const IDENT = /^[A-Za-z_$][\w$]*$/

function key(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name)
}

/**
 * The `.d.ts` that types `koan-backup/registry` for this project, by augmenting `RegisteredEntities`.
 * Entities are keyed by class name, or by full name where two share a class name.
 */
export function generateDts(registry: BackupRegistry, options: { dtsDir: string } = { dtsDir: '.' }): string {
  const seen = new Map<string, number>()
  for (const e of registry.entities) seen.set(e.name, (seen.get(e.name) ?? 0) + 1)
  const shapes = new Map(registry.shapes.map((s) => [s.id, s]))
  const members = registry.entities.map((e) => {
    const name = seen.get(e.name)! > 1 ? e.fullName : e.name
    const policy = e.policy ? `encrypt: ${e.policy.encrypt}; includeSchema: ${e.policy.includeSchema}` : 'encrypt: never; includeSchema: never'
    const exported = e.shape ? shapes.get(e.shape)?.exportName : undefined
    const instance = exported ? `import(${JSON.stringify(moduleSpecifier(options.dtsDir, e.file))})[${JSON.stringify(exported)}]['prototype']` : 'unknown'
    return `    ${key(name)}: { fullName: ${JSON.stringify(e.fullName)}; status: ${JSON.stringify(e.status)}; ${policy}; instance: ${instance} }`
  })
  return [
    BANNER,
    '// Types the generated module `koan-backup/registry` for editors and tsc; include this file in your tsconfig.',
    'export {}',
    '',
    "declare module 'koan-backup/registry' {",
    '  interface RegisteredEntities {',
    ...members,
    '  }',
    '}',
    '',
  ].join('\n')
}
