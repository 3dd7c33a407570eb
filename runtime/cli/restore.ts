import type { Command } from 'commander'
import type { RestoreSetResult } from '../engine/api.js'
import { dataCommand, output, runData, timestampArg, type DataOptions } from './command.js'
import { count, duration, shortName, table } from './format.js'
import type { CliIO } from './io.js'
import { ProgressRenderer } from './progress.js'

interface RestoreOptions extends DataOptions {
  timestamp: string
  overwrite?: boolean
  vectors: boolean
  dryRun?: boolean
  strict?: boolean
  safetyBackup: boolean
}

function human(result: RestoreSetResult, path: string): string {
  const rows = result.entities.map((r) => [
    shortName(r.entity), r.timestamp, count(r.entityCount), count(r.inserted), count(r.skipped), count(r.overwritten), count(r.vectorCount), duration(r.durationMs),
  ])
  const notes = result.entities.flatMap((r) => [
    ...r.schemaChanges.map((c) => `${shortName(r.entity)}: schema changed since the backup: ${c}`),
    ...(r.safetyBackup ? [`${shortName(r.entity)}: safety backup ${r.safetyBackup} taken of the rows before they were overwritten (restore it by that timestamp to undo)`] : []),
    ...(r.vectors ? [`${shortName(r.entity)}: vectors (${r.vectors.model}): ${r.vectors.reused} reused, ${r.vectors.changed} changed, ${r.vectors.missing} missing, ${r.vectors.embedded} embedded, ${r.vectors.unembedded} left without a vector`] : []),
  ])
  return [
    result.dryRun ? `dry run from ${path}: nothing was written; this is what a restore would do` : `restored from ${path}`,
    table(['entity', 'backup', 'rows', 'inserted', 'skipped', 'overwritten', 'vectors', 'time'], rows),
    ...notes,
    `${count(result.inserted)} inserted, ${count(result.skipped)} skipped (id exists${result.skipped ? '; --overwrite replaces them' : ''}), ${count(result.overwritten)} overwritten, ${count(result.vectorCount)} vectors in ${duration(result.durationMs)}`,
  ].join('\n')
}

/** `koan-backup restore [entities...]`: restores the latest (or a given) backup into the configured stores. */
export function restoreCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  dataCommand(program, 'restore', 'restore entities from a backup into the configured stores (files are verified first)', [
    'koan-backup restore',
    'koan-backup restore Media --timestamp 2025-10-02T15-30-45Z',
    'koan-backup restore --dry-run',
    'koan-backup restore User --overwrite --no-vectors',
    'koan-backup restore Media --overwrite --no-safety-backup',
  ])
    .argument('[entities...]', 'entities by class name or full name (default: every included entity)')
    .option('--timestamp <ts>', 'which backup: a timestamp or latest', 'latest')
    .option('--overwrite', 'replace rows whose id exists (default: keep them and count them as skipped)')
    .option('--no-vectors', 'restore the rows only, not the vectors')
    .option('--dry-run', 'report what would be inserted, skipped and overwritten; write nothing')
    .option('--no-safety-backup', 'with --overwrite, skip the safety backup of the current rows taken before they are replaced')
    .option('--strict', 'refuse before writing when some vectors cannot be reused and no embedder is configured')
    .action((entities: string[], opts: RestoreOptions) => runData(io, setExit, opts, async (app) => {
      const progress = ProgressRenderer.create(io.progress, !opts.json)
      let result: RestoreSetResult
      try {
        result = await app.backup.restore({
          ...(entities.length ? { entities } : {}),
          timestamp: opts.timestamp, overwriteExisting: opts.overwrite === true, restoreVectors: opts.vectors, dryRun: opts.dryRun === true, strict: opts.strict === true,
          safetyBackup: opts.safetyBackup,
          ...(progress ? { onProgress: progress.update } : {}),
        })
      } finally {
        progress?.end()
      }
      output(io, opts, { ok: true, path: app.backup.path, ...result }, () => human(result, app.backup.path))
    }, () => timestampArg(opts.timestamp, true)))
}
