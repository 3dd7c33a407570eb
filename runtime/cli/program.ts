import { Command, CommanderError } from 'commander'
import { inventoryCommand } from './inventory.js'

/** Exit codes: 0 ok, 1 the command failed (or found problems under --strict), 2 usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

/** Output sinks, replaceable in tests. */
export interface CliIO {
  out(text: string): void
  err(text: string): void
}

const processIO: CliIO = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
}

/** Builds the `koan-backup` program. */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('koan-backup')
    .description('Declarative, verifiable backups of entities and vectors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError()
  inventoryCommand(program, io, setExit)
  return program
}

/** Runs the CLI with `argv` (as in process.argv) and returns the exit code. */
export async function run(argv: string[], io: CliIO = processIO): Promise<number> {
  let code: number = EXIT.ok
  const program = buildProgram(io, (c) => { code = c })
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    io.err(error instanceof Error ? error.message : String(error))
    return EXIT.failed
  }
  return code
}
