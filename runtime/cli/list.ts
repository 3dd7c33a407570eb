import type { Command } from 'commander'
import type { BackupInfo } from '../engine/api.js'
import type { BackupMetadata } from '../engine/metadata.js'
import { dataCommand, output, runData, timestampArg, type DataOptions } from './command.js'
import { bytes, count, shortName, table } from './format.js'
import type { CliIO } from './io.js'

function listing(backups: BackupInfo[], path: string): string {
  if (backups.length === 0) return `no backups in ${path}; \`koan-backup create\` makes one`
  const rows = backups.map((b) => [
    shortName(b.entity), b.timestamp, b.status, count(b.entityCount), count(b.vectorCount), bytes(b.sizeBytes), b.encrypted ? 'yes' : 'no', b.latest ? 'latest' : '',
  ])
  const problems = backups.filter((b) => b.errorMessage).map((b) => `${shortName(b.entity)} ${b.timestamp}: ${b.errorMessage!.replace(/^\[koan-backup\] /, '')}`)
  return [`backups in ${path}`, table(['entity', 'timestamp', 'status', 'rows', 'vectors', 'size', 'encrypted', ''], rows), ...problems].join('\n')
}

function details(info: BackupInfo & { metadata: unknown }): string {
  const m = info.metadata as BackupMetadata | null
  const lines = [
    `${shortName(info.entity)} (${info.entity}) backup ${info.timestamp}`,
    `  status      ${info.status}${info.latest ? ' (latest)' : ''}`,
    `  rows        ${count(info.entityCount)}`,
    `  vectors     ${count(info.vectorCount)}`,
    `  size        ${bytes(info.sizeBytes)}`,
    `  encrypted   ${info.encrypted ? `yes${m?.encryption ? ` (key ${m.encryption.keyId})` : ''}` : 'no'}`,
    ...(info.startedAt ? [`  started     ${info.startedAt}`] : []),
    ...(info.finishedAt ? [`  finished    ${info.finishedAt}`] : []),
    ...(info.errorMessage ? [`  error       ${info.errorMessage.replace(/^\[koan-backup\] /, '')}`] : []),
  ]
  if (m) {
    lines.push(`  consistency ${m.consistency ?? '-'}`, `  schema      ${m.schema?.fingerprint ?? '-'}`, `  written by  ${m.tool} (format ${m.formatVersion})`)
    if (m.vectors) lines.push(`  embeddings  ${m.vectors.model}, ${m.vectors.dimension} dimensions, ${m.vectors.metric ?? 'metric unknown'}`)
    if (m.files.length) {
      lines.push('', table(['file', 'role', 'size', 'sha256'], m.files.map((f) => [f.name, f.role, bytes(f.size), `${f.sha256.slice(0, 16)}…`])))
    }
  }
  return lines.join('\n')
}

/** `koan-backup list [entity]` and `koan-backup info <entity> [timestamp]`. */
export function listCommands(program: Command, io: CliIO, setExit: (code: number) => void): void {
  dataCommand(program, 'list', 'list the backups (every included entity, or one), oldest first', [
    'koan-backup list',
    'koan-backup list Media',
    'koan-backup list --json | jq ".backups[] | select(.status != \\"Completed\\")"',
  ])
    .argument('[entity]', 'an entity by class name or full name')
    .action((entity: string | undefined, opts: DataOptions) => runData(io, setExit, opts, async (app) => {
      const backups = entity === undefined ? await app.backup.list() : await app.backup.entity(entity).list()
      output(io, opts, { ok: true, path: app.backup.path, backups }, () => listing(backups, app.backup.path))
    }))

  dataCommand(program, 'info', "show one backup's metadata: status, counts, files and checksums, schema, encryption", [
    'koan-backup info Media',
    'koan-backup info Media 2025-10-02T15-30-45Z --json',
  ])
    .argument('<entity>', 'an entity by class name or full name')
    .argument('[timestamp]', 'a backup timestamp or latest', 'latest')
    .action((entity: string, timestamp: string, opts: DataOptions) => runData(io, setExit, opts, async (app) => {
      const info = await app.backup.entity(entity).info(timestamp)
      output(io, opts, { ok: true, path: app.backup.path, ...info }, () => details(info))
    }, () => timestampArg(timestamp, true)))
}
