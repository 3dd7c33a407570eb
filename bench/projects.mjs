// The synthetic projects the scan benchmark builds (and the quick reader's tests read): `n` entity files in
// folders of ~50 files, with intermediate base classes, scope files, shared types and a main module.

const DOMAINS = ['billing', 'catalog', 'customers', 'shipping', 'inventory', 'analytics', 'media', 'messaging',
  'identity', 'payments', 'reviews', 'support', 'marketing', 'search', 'scheduling', 'documents', 'compliance',
  'pricing', 'loyalty', 'warehouse']
const NOUNS = ['Account', 'Address', 'Asset', 'Attachment', 'Batch', 'Booking', 'Campaign', 'Category', 'Channel',
  'Comment', 'Contract', 'Coupon', 'Device', 'Discount', 'Event', 'Export', 'Feature', 'Feedback', 'Group', 'Import',
  'Invoice', 'Item', 'Job', 'Label', 'Ledger', 'License', 'Location', 'Message', 'Note', 'Offer', 'Order', 'Package',
  'Payment', 'Plan', 'Policy', 'Profile', 'Quote', 'Receipt', 'Refund', 'Report', 'Request', 'Rule', 'Segment',
  'Session', 'Setting', 'Subscription', 'Task', 'Template', 'Ticket', 'Token']
/** Entity files per folder; with base.ts, helpers.ts and (sometimes) backup.scope.ts a folder holds ~50 files. */
const PER_FOLDER = 48

const pascal = (s) => s.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())
const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()

function folderName(f) {
  const d = DOMAINS[f % DOMAINS.length]
  return f < DOMAINS.length ? d : `${d}-${Math.floor(f / DOMAINS.length) + 1}`
}

/** Describes a project of `n` entity files (deterministic). */
export function plan(n) {
  const folders = []
  for (let f = 0, left = n; left > 0; f++, left -= PER_FOLDER) {
    const name = folderName(f)
    const count = Math.min(PER_FOLDER, left)
    const scoped = f % 3 === 0
    const entities = []
    for (let i = 0; i < count; i++) {
      const noun = NOUNS[i % NOUNS.length]
      const slot = i % 10
      // 40% @EntityBackup(), 20% encrypted, 10% opted out, 30% covered by the folder scope
      // (those get @EntityBackup({ includeSchema: false }) where the folder has no scope file).
      const decorator =
        slot <= 3 ? '@EntityBackup()'
          : slot <= 5 ? '@EntityBackup({ encrypt: true })'
            : slot === 6 ? `@EntityBackup({ enabled: false, reason: 'Derived data, rebuilt from the event log' })`
              : scoped ? null : '@EntityBackup({ includeSchema: false })'
      const base = i % 3 === 1 ? 'folder' : i % 7 === 2 ? 'shared' : 'entity'
      entities.push({ cls: `${pascal(name)}${noun}`, file: `${kebab(noun)}.ts`, decorator, base, helperClass: i % 5 === 0, usesHelpers: i % 4 === 0 })
    }
    folders.push({ name, scoped, encryptByDefault: f % 6 === 0, entities })
  }
  return folders
}

export function entitySource(folder, e) {
  const markers = [...(e.base === 'entity' ? ['Entity'] : []), ...(e.decorator ? ['EntityBackup'] : [])]
  const imports = markers.length ? [`import { ${markers.join(', ')} } from 'koan-backup'`] : []
  if (e.base === 'folder') imports.push(`import { ${pascal(folder.name)}Record } from './base'`)
  if (e.base === 'shared') imports.push(`import { Auditable } from '../../shared'`)
  imports.push(`import type { Money, Status } from '../../shared/types'`)
  imports.push(`import { formatMoney } from '../../shared/utils'`)
  if (e.usesHelpers) imports.push(`import { normalize${pascal(folder.name)}Name } from './helpers'`)
  const base = e.base === 'folder' ? `${pascal(folder.name)}Record<${e.cls}>` : e.base === 'shared' ? `Auditable<${e.cls}>` : `Entity<${e.cls}>`
  const lines = [
    ...imports,
    '',
    `/** ${e.cls.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} of the ${folder.name} module. */`,
  ]
  if (e.decorator) lines.push(e.decorator)
  lines.push(
    `export class ${e.cls} extends ${base} {`,
    `  id: string = ''`,
    `  name: string = ''`,
    `  status: Status = 'active'`,
    `  amount: Money = { value: 0, currency: 'EUR' }`,
    `  tags: string[] = []`,
    `  updatedAt: Date | null = null`,
    '',
    `  label(): string {`,
    e.usesHelpers ? `    return \`\${normalize${pascal(folder.name)}Name(this.name)} (\${formatMoney(this.amount)})\`` : `    return \`\${this.name} (\${formatMoney(this.amount)})\``,
    '  }',
    '}',
    '',
    `export function is${e.cls}(value: unknown): value is ${e.cls} {`,
    `  return value instanceof ${e.cls}`,
    '}',
  )
  if (e.helperClass) {
    lines.push(
      '',
      `/** Not an entity: maps ${e.cls} to its wire format. */`,
      `export class ${e.cls}Mapper {`,
      `  toJSON(value: ${e.cls}): Record<string, unknown> {`,
      `    return { id: value.id, name: value.name, status: value.status, tags: [...value.tags] }`,
      '  }',
      '}',
    )
  }
  return lines.join('\n') + '\n'
}

/** Every file of a project of `n` entity files, as project-relative paths and texts (deterministic). */
export function projectFiles(n) {
  const folders = plan(n)
  const files = []
  const w = (rel, text) => files.push({ rel, text })
  w('tsconfig.json', JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true },
    include: ['src'],
  }, null, 2) + '\n')
  w('src/shared/types.ts', [
    `export type Status = 'active' | 'archived' | 'deleted'`,
    `export interface Money {`, `  value: number`, `  currency: 'EUR' | 'USD' | 'GBP'`, `}`, '',
  ].join('\n'))
  w('src/shared/utils.ts', [
    `import type { Money } from './types'`, '',
    `export function formatMoney(m: Money): string {`, `  return \`\${(m.value / 100).toFixed(2)} \${m.currency}\``, `}`, '',
    `/** Not an entity. */`, `export class Clock {`, `  now(): Date {`, `    return new Date()`, `  }`, `}`, '',
  ].join('\n'))
  w('src/shared/auditable.ts', [
    `import { Entity } from 'koan-backup'`, '',
    `/** Intermediate abstract base: its concrete subclasses are entities. */`,
    `export abstract class Auditable<T> extends Entity<T> {`,
    `  createdAt: Date = new Date()`, `  createdBy: string = 'system'`, `  version: number = 1`, `}`, '',
  ].join('\n'))
  w('src/shared/index.ts', [`export * from './auditable'`, `export * from './utils'`, `export type * from './types'`, ''].join('\n'))
  const mainImports = []
  const mainNames = []
  for (const folder of folders) {
    const P = pascal(folder.name)
    const base = `src/features/${folder.name}`
    w(`${base}/base.ts`, [
      `import { Entity } from 'koan-backup'`, '',
      `/** Intermediate abstract base of the ${folder.name} entities. */`,
      `export abstract class ${P}Record<T> extends Entity<T> {`,
      `  tenantId: string = ''`, `  createdAt: Date = new Date()`, `}`, '',
    ].join('\n'))
    w(`${base}/helpers.ts`, [
      `import { Clock } from '../../shared/utils'`, '',
      `export function normalize${P}Name(name: string): string {`, `  return name.trim().toLowerCase()`, `}`, '',
      `/** Not an entity: a service class. */`,
      `export class ${P}Service {`, `  private clock = new Clock()`, '',
      `  stamp(): string {`, `    return this.clock.now().toISOString()`, `  }`, `}`, '',
    ].join('\n'))
    if (folder.scoped) {
      const opts = folder.encryptByDefault ? `{ mode: 'all', encryptByDefault: true }` : `{ mode: 'all' }`
      w(`${base}/backup.scope.ts`, `import { defineBackupScope } from 'koan-backup'\n\nexport default defineBackupScope(${opts})\n`)
    }
    for (const e of folder.entities) {
      w(`${base}/${e.file}`, entitySource(folder, e))
      mainImports.push(`import { ${e.cls} } from './features/${folder.name}/${e.file.replace(/\.ts$/, '')}'`)
      mainNames.push(e.cls)
    }
  }
  w('src/main.ts', [
    `import { registry } from 'koan-backup/registry'`,
    ...mainImports,
    '',
    `export const entityClasses = [`,
    ...mainNames.map((c) => `  ${c},`),
    `]`,
    '',
    `export const summary = {`,
    `  declared: entityClasses.length,`,
    `  registered: registry.entities.length,`,
    `  included: registry.entities.filter((e) => e.status === 'included').length,`,
    `}`,
    '',
  ].join('\n'))
  // the entry of the same app when it backs up: \`backup\` brings in the full registry module and the engine
  w('src/app.ts', [`export * from './main'`, `export { backup } from 'koan-backup/registry'`, ''].join('\n'))
  return files
}

/** How many entities, scopes, folders and files a plan makes. */
export function countFiles(folders) {
  const entities = folders.reduce((a, f) => a + f.entities.length, 0)
  const scopes = folders.filter((f) => f.scoped).length
  // entity files + base.ts + helpers.ts per folder + scope files + 4 shared + main.ts + app.ts
  return { entities, scopes, folders: folders.length, files: entities + 2 * folders.length + scopes + 6 }
}
