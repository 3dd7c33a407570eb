import type { Command } from 'commander'
import type { BackupSetResult } from '../engine/api.js'
import { dataCommand, output, runData, type DataOptions } from './command.js'
import { bytes, count, duration, shortName, table } from './format.js'
import type { CliIO } from './io.js'
import { ProgressRenderer } from './progress.js'

interface CreateOptions extends DataOptions {
  compress: boolean
  vectors?: boolean
}

function human(result: BackupSetResult, path: string): string {
  const rows = result.entities.map((r) => [shortName(r.entity), count(r.entityCount), count(r.vectorCount), bytes(r.sizeBytes), duration(r.durationMs), r.encrypted ? 'yes' : 'no'])
  return [
    `backup ${result.timestamp} in ${path}`,
    table(['entity', 'rows', 'vectors', 'size', 'time', 'encrypted'], rows),
    `${count(result.entities.length)} entit${result.entities.length === 1 ? 'y' : 'ies'}, ${count(result.entityCount)} rows, ${count(result.vectorCount)} vectors, ${bytes(result.sizeBytes)} in ${duration(result.durationMs)}`,
  ].join('\n')
}

/** `koan-backup create [entities...]`: one backup of the included entities under one timestamp. */
export function createCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  dataCommand(program, 'create', 'back up the included entities (every one, or those named) under one timestamp', [
    'koan-backup create',
    'koan-backup create Media User --no-compress',
    'koan-backup create --no-vectors --path /mnt/backups',
    'koan-backup create --json > backup.json',
  ])
    .argument('[entities...]', 'entities by class name or full name (default: every included entity)')
    .option('--no-compress', "write data.json instead of data.json.gz (default: the config's `compress`, true)")
    .option('--no-vectors', 'back up the rows only, not the vectors of entities that have an embedding recipe')
    .action((entities: string[], opts: CreateOptions) => runData(io, setExit, opts, async (app) => {
      const progress = ProgressRenderer.create(io.progress, !opts.json)
      let result: BackupSetResult
      try {
        result = await app.backup.create({
          ...(entities.length ? { entities } : {}),
          ...(opts.compress === false ? { compress: false } : {}),
          ...(opts.vectors === false ? { include: ['data'] } : {}),
          ...(progress ? { onProgress: progress.update } : {}),
        })
      } finally {
        progress?.end()
      }
      output(io, opts, { ok: true, path: app.backup.path, ...result }, () => human(result, app.backup.path))
    }))
}
