import { InvalidArgumentError, type Command } from 'commander'
import { isBackupError } from '../errors.js'
import type { VerifyReport } from '../engine/verify.js'
import { dataCommand, output, runData, timestampArg, type DataOptions } from './command.js'
import { count, shortName, table } from './format.js'
import type { CliIO } from './io.js'

interface VerifyOptions extends DataOptions {
  readData?: boolean
  subset?: number
}

/** One entity's outcome. */
type Outcome = { entity: string; ok: true; report: VerifyReport } | { entity: string; ok: false; timestamp: string; error: { code: string; message: string } }

function percent(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new InvalidArgumentError('a percentage above 0 and at most 100.')
  return n
}

function human(outcomes: Outcome[], path: string): string {
  const rows = outcomes.map((o) => o.ok
    ? [shortName(o.entity), o.report.timestamp, 'ok', count(o.report.rows), String(o.report.files), o.report.sampled ? `${count(o.report.sampled.rows)} (${o.report.sampled.percent}%)` : o.report.dataRead ? 'all' : 'checksums']
    : [shortName(o.entity), o.timestamp, o.error.code === 'NOT_FOUND' ? 'no backup' : 'FAILED', '-', '-', '-'])
  const failed = outcomes.filter((o) => !o.ok).length
  return [
    `verified in ${path}`,
    table(['entity', 'backup', 'result', 'rows', 'files', 'rows decoded'], rows),
    failed ? `${failed} of ${outcomes.length} failed (see the messages above)` : `all ${outcomes.length} verified`,
  ].join('\n')
}

/** `koan-backup verify [entity] [timestamp]`: checks sizes and checksums, and with --read-data decodes the rows. */
export function verifyCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  dataCommand(program, 'verify', "check backups without restoring: every file's size and SHA-256 against metadata.json and the manifest; with --read-data also decode and validate the rows", [
    'koan-backup verify',
    'koan-backup verify Media 2025-10-02T15-30-45Z --read-data',
    'koan-backup verify --read-data --subset 5',
  ])
    .argument('[entity]', 'an entity by class name or full name (default: the latest backup of every included entity)')
    .argument('[timestamp]', 'a backup timestamp or latest', 'latest')
    .option('--read-data', 'decode and validate every row against the current schema (reads the whole backup)')
    .option('--subset <percent>', 'with --read-data, validate about this share of the rows, picked by id hash (the same rows each run); implies --read-data', percent)
    .action((entity: string | undefined, timestamp: string, opts: VerifyOptions) => runData(io, setExit, opts, async (app) => {
      const included = app.backup.capabilities().entities
      const names = entity !== undefined ? [entity] : Object.values(included).map((e) => e.fullTypeName)
      const readData = opts.readData === true || opts.subset !== undefined
      const outcomes: Outcome[] = []
      for (const name of names) {
        try {
          const report = await app.backup.entity(name).verify(timestamp, { readData, ...(opts.subset !== undefined ? { subset: opts.subset } : {}) })
          outcomes.push({ entity: report.entity, ok: true, report })
        } catch (error) {
          // an unknown entity or a bad option is not a verification result
          if (!isBackupError(error) || error.code === 'UNKNOWN_ENTITY' || error.code === 'BAD_OPTION') throw error
          io.err(`${error.message} (${error.code})`)
          outcomes.push({ entity: included[name]?.fullTypeName ?? name, ok: false, timestamp, error: { code: error.code, message: error.message } })
        }
      }
      const ok = outcomes.every((o) => o.ok)
      const doc = { ok, path: app.backup.path, results: outcomes.map((o) => (o.ok ? { ok: true, ...o.report } : o)) }
      output(io, opts, doc, () => human(outcomes, app.backup.path))
      if (!ok) setExit(1)
    }, () => timestampArg(timestamp, true)))
}
