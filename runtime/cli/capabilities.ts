import type { Command } from 'commander'
import type { Capabilities } from '../engine/api.js'
import { dataCommand, output, runData, type DataOptions } from './command.js'
import { table } from './format.js'
import type { CliIO } from './io.js'

function human(c: Capabilities, path: string): string {
  const rows = Object.entries(c.entities).map(([name, e]) => [name, e.fullTypeName, e.availableSources.join(', '), e.encrypt ? 'yes' : 'no', e.includeSchema ? 'yes' : 'no'])
  return [
    `sources: ${c.availableSources.join(', ')}; backups in ${path}`,
    rows.length ? table(['entity', 'full name', 'sources', 'encrypt', 'schema'], rows) : 'no entity is included in backups (run `koan-backup inventory` to see why)',
    ...c.warnings.map((w) => `warning: ${w}`),
  ].join('\n')
}

/** `koan-backup capabilities`: what this app can back up (the REST handler's capabilities document). */
export function capabilitiesCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  dataCommand(program, 'capabilities', 'show what can be backed up: the included entities, their sources (data, vectors) and policies', [
    'koan-backup capabilities',
    'koan-backup capabilities --json',
  ])
    .action((opts: DataOptions) => runData(io, setExit, opts, async (app) => {
      const c = app.backup.capabilities()
      output(io, opts, { ok: true, path: app.backup.path, ...c }, () => human(c, app.backup.path))
    }))
}
