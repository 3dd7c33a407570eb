import { Option, type Command } from 'commander'
import { formatDiagnostic } from '../../plugin/core/diagnostics.js'
import { resolveOptions } from '../../plugin/core/options.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'
import { formatReport } from '../report.js'
import type { CliIO } from './program.js'

const collect = (value: string, previous: string[]) => [...previous, value]

/** `koan-backup inventory`: the plugin's scan and report without a bundler. */
export function inventoryCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('inventory')
    .description('scan the project and print the backup inventory and coverage warnings')
    .option('--root <dir>', 'project root', process.cwd())
    .option('--tsconfig <file>', 'tsconfig whose files are scanned, relative to the root', 'tsconfig.json')
    .option('--json', 'print the registry as JSON')
    .option('--strict', 'exit 1 when any entity is uncovered or unreadable, or on any warning')
    .option('--entity-decorator <name[@module]>', 'a class decorator that marks entities (repeatable)', collect, [])
    .option('--entity-base <name[@module]>', 'a base class that marks entities (repeatable)', collect, [])
    .addOption(new Option('--scope <mode>', 'scope where no backup.scope file applies').choices(['all', 'none']).default('none'))
    .action((opts: { root: string; tsconfig: string; json?: boolean; strict?: boolean; entityDecorator: string[]; entityBase: string[]; scope: string }) => {
      const options = resolveOptions({
        root: opts.root, tsconfig: opts.tsconfig, strict: opts.strict ?? false, dts: false,
        scope: { mode: opts.scope as 'all' | 'none' },
        entityDecorators: opts.entityDecorator, entityBases: opts.entityBase,
      })
      const registry = new Scanner(options).scan()
      if (opts.json) io.out(JSON.stringify(registry, null, 2))
      else {
        io.out(formatReport(registry))
        for (const d of registry.diagnostics) io.err(`[koan-backup] ${d.severity}: ${formatDiagnostic(d)}`)
      }
      const problems = registry.entities.some((e) => e.status === 'uncovered' || e.status === 'unreadable')
      const errors = registry.diagnostics.some((d) => d.severity === 'error')
      if (errors || (opts.strict && problems)) setExit(1)
    })
}
