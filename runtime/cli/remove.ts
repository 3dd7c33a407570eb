import type { Command } from 'commander'
import type { PrunedBackup } from '../engine/retention.js'
import { dataCommand, integer, output, runData, timestampArg, type DataOptions } from './command.js'
import { shortName, table } from './format.js'
import { CliError, UsageError, type CliIO } from './io.js'

interface DeleteOptions extends DataOptions {
  yes?: boolean
}

interface PruneOptions extends DataOptions {
  dryRun?: boolean
  days?: number
  max?: number
  keepDaily?: number
}

function pruned(result: { dryRun: boolean; removed: PrunedBackup[] }, path: string): string {
  if (result.removed.length === 0) return `nothing to prune in ${path}`
  const rows = result.removed.map((r) => [shortName(r.entity), r.timestamp, r.status, r.reason])
  return [
    result.dryRun ? `dry run in ${path}: these backups would be removed (nothing was deleted)` : `removed from ${path}`,
    table(['entity', 'timestamp', 'status', 'reason'], rows),
  ].join('\n')
}

/** `koan-backup delete <entity> <timestamp>` and `koan-backup prune`. */
export function removeCommands(program: Command, io: CliIO, setExit: (code: number) => void): void {
  dataCommand(program, 'delete', 'delete one backup (asks on a terminal; --yes is required anywhere else)', [
    'koan-backup delete Media 2025-10-02T15-30-45Z',
    'koan-backup delete Media 2025-10-02T15-30-45Z --yes --json',
  ])
    .argument('<entity>', 'an entity by class name or full name')
    .argument('<timestamp>', 'the backup timestamp (latest is not accepted: name the backup you delete)')
    .option('-y, --yes', 'delete without asking')
    .action((entity: string, timestamp: string, opts: DeleteOptions) => runData(io, setExit, opts, async (app) => {
      const api = app.backup.entity(entity)
      const info = await api.info(timestamp)
      if (!opts.yes) {
        const sure = await io.confirm!(`delete ${info.status} backup ${timestamp} of ${info.entity} (${info.entityCount} rows)? [y/N] `)
        if (!sure) throw new CliError('[koan-backup] not deleted (answer y to delete, or pass --yes)')
      }
      await api.delete(timestamp)
      output(io, opts, { ok: true, path: app.backup.path, deleted: { entity: info.entity, timestamp } }, () => `deleted ${info.entity} backup ${timestamp}`)
    }, () => {
      timestampArg(timestamp, false)
      if (!opts.yes && (opts.json || !io.confirm)) {
        throw new UsageError(`[koan-backup] delete needs --yes ${opts.json ? 'with --json' : 'when there is no terminal to confirm on'} (it removes ${entity} backup ${timestamp} for good)`)
      }
    }))

  dataCommand(program, 'prune', "remove backups beyond the retention policy (default: the config's `retention`: 30 days, 10 per entity, the newest of each of the last 7 days kept whatever the count); the newest Completed backup of each entity is always kept", [
    'koan-backup prune --dry-run',
    'koan-backup prune --days 7 --max 3',
    'koan-backup prune Media --max 1 --json',
  ])
    .argument('[entities...]', 'entities by class name or full name (default: every included entity)')
    .option('--dry-run', 'list what would be removed; delete nothing')
    .option('--days <n>', 'remove Completed backups older than n days', integer('--days', 0))
    .option('--max <n>', 'keep at most n Completed backups per entity', integer('--max', 1))
    .option('--keep-daily <n>', 'also keep the newest backup of each of the last n days that have one, whatever --max says (0: off)', integer('--keep-daily', 0))
    .action((entities: string[], opts: PruneOptions) => runData(io, setExit, opts, async (app) => {
      const result = await app.backup.prune({
        dryRun: opts.dryRun === true,
        ...(entities.length ? { entities } : {}),
        ...(opts.days !== undefined ? { retentionDays: opts.days } : {}),
        ...(opts.max !== undefined ? { maxBackupsPerEntity: opts.max } : {}),
        ...(opts.keepDaily !== undefined ? { keepDaily: opts.keepDaily } : {}),
      })
      output(io, opts, { ok: true, path: app.backup.path, ...result }, () => pruned(result, app.backup.path))
    }))
}
