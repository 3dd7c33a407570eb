import type { BackupRegistry } from '../../../runtime/types.js'
import { BANNER } from './registry.js'

const IDENT = /^[A-Za-z_$][\w$]*$/

function key(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name)
}

/**
 * The `.d.ts` that types `koan-backup/registry` for this project, by augmenting `RegisteredEntities`.
 * Entities are keyed by class name, or by full name where two share a class name.
 */
export function generateDts(registry: BackupRegistry): string {
  const seen = new Map<string, number>()
  for (const e of registry.entities) seen.set(e.name, (seen.get(e.name) ?? 0) + 1)
  const members = registry.entities.map((e) => {
    const name = seen.get(e.name)! > 1 ? e.fullName : e.name
    const policy = e.policy ? `encrypt: ${e.policy.encrypt}; includeSchema: ${e.policy.includeSchema}` : 'encrypt: never; includeSchema: never'
    return `    ${key(name)}: { fullName: ${JSON.stringify(e.fullName)}; status: ${JSON.stringify(e.status)}; ${policy} }`
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
