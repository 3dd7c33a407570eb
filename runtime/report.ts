import type { BackupRegistry, PolicySource, RegistryEntity } from './types.js'

/** One line of the inventory report with its level. */
export interface ReportLine {
  level: 'info' | 'warn'
  text: string
}

function via(source: PolicySource): string {
  switch (source.kind) {
    case 'decorator': return `via @EntityBackup at ${source.file}:${source.line}:${source.column}`
    case 'scope': return `via scope ${source.file}`
    case 'option': return 'via the plugin option `scope`'
    case 'none': return 'no policy'
  }
}

function count(n: number, what = 'entity'): string {
  return `${n} ${n === 1 ? what : what === 'entity' ? 'entities' : `${what}s`}`
}

function where(e: RegistryEntity): string {
  return `${e.file}:${e.line}:${e.column}`
}

/** Options of the report: the backup path and available sources, when known (run time). */
export interface ReportOptions {
  path?: string
  sources?: string[]
}

/** The inventory report (the boot report's content) as lines with levels. */
export function reportLines(registry: BackupRegistry, options: ReportOptions = {}): ReportLine[] {
  const by = (status: RegistryEntity['status']) => registry.entities.filter((e) => e.status === status)
  const included = by('included')
  const uncovered = by('uncovered')
  const excluded = by('excluded')
  const unreadable = by('unreadable')
  const lines: ReportLine[] = [{ level: 'info', text: `inventory: ${count(registry.entities.length)}, ${count(registry.scopes.length, 'scope file')}` }]
  lines.push({ level: 'info', text: `  included: ${count(included.length)}` })
  for (const e of included) {
    lines.push({ level: 'info', text: `    ${e.name} → encrypt=${e.policy!.encrypt}, schema=${e.policy!.includeSchema} (${via(e.source)}) [${e.fullName}]` })
  }
  if (uncovered.length) {
    const modes = [...new Set(uncovered.map((e) => e.scopeMode))].join(', ')
    lines.push({ level: 'warn', text: `  uncovered: ${count(uncovered.length)} (scope mode: ${modes})` })
    for (const e of uncovered) lines.push({ level: 'warn', text: `    ${e.name} → no backup coverage (${where(e)})` })
  }
  if (unreadable.length) {
    lines.push({ level: 'warn', text: `  unreadable: ${count(unreadable.length)} (policy not statically known, not backed up)` })
    for (const e of unreadable) lines.push({ level: 'warn', text: `    ${e.name} → see the diagnostics at ${where(e)}` })
  }
  if (excluded.length) {
    lines.push({ level: 'info', text: `  excluded: ${count(excluded.length)} (explicit opt-out)` })
    for (const e of excluded) lines.push({ level: 'info', text: `    ${e.name} → reason: ${e.reason === undefined ? '(none given)' : JSON.stringify(e.reason)}` })
  }
  lines.push({ level: 'info', text: `  sources: ${(options.sources ?? ['data']).join(', ')}` })
  lines.push({ level: 'info', text: `  path: ${options.path ?? '.koan/backups (default; /var/koan/backups when NODE_ENV=production)'}` })
  return lines
}

/** The inventory report as text, one `[koan-backup]`-prefixed line per entry. */
export function formatReport(registry: BackupRegistry, options: ReportOptions = {}): string {
  return reportLines(registry, options).map((l) => `[koan-backup] ${l.level === 'warn' ? 'WARN ' : ''}${l.text}`).join('\n')
}
