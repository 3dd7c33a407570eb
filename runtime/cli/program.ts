import { Command, CommanderError } from 'commander'
import { capabilitiesCommand } from './capabilities.js'
import { createCommand } from './create.js'
import { inventoryCommand } from './inventory.js'
import { CliError, EXIT, processIO, type CliIO } from './io.js'
import { listCommands } from './list.js'
import { removeCommands } from './remove.js'
import { restoreCommand } from './restore.js'
import { verifyCommand } from './verify.js'

export { EXIT, type CliIO } from './io.js'

/** Builds the `koan-backup` program. */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('koan-backup')
    .description('Declarative, verifiable backups of entities and vectors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError()
    .addHelpText('after', '\nExit codes: 0 ok, 1 failed (or problems found under --strict), 2 usage error.\nRun `koan-backup <command> --help` for a command\'s options and examples.\n')
  inventoryCommand(program, io, setExit)
  createCommand(program, io, setExit)
  restoreCommand(program, io, setExit)
  listCommands(program, io, setExit)
  verifyCommand(program, io, setExit)
  removeCommands(program, io, setExit)
  capabilitiesCommand(program, io, setExit)
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
    return error instanceof CliError ? error.exitCode : EXIT.failed
  }
  return code
}
