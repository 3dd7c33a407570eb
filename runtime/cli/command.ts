import { InvalidArgumentError, Option, type Command } from 'commander'
import { isBackupError } from '../errors.js'
import { TIMESTAMP } from '../engine/layout.js'
import { loadApp, type AppOptions, type LoadedApp } from './app.js'
import { CliError, EXIT, UsageError, type CliIO } from './io.js'

/** Options every data command takes. */
export interface DataOptions extends AppOptions {
  json?: boolean
}

const collect = (value: string, previous: string[]) => [...previous, value]

/** A `commander` parser for an integer within bounds (a bad value is a usage error). */
export function integer(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`)
    return n
  }
}

/** Checks a timestamp argument before any path is built from it. */
export function timestampArg(value: string, latestAllowed: boolean): string {
  if ((latestAllowed && value === 'latest') || TIMESTAMP.test(value)) return value
  throw new UsageError(`[koan-backup] ${JSON.stringify(value)} is not a backup timestamp (expected e.g. 2025-10-02T15-30-45Z${latestAllowed ? ', or latest' : ''}); \`koan-backup list\` shows them`)
}

/** Declares a data command with the shared options (app location, scan options, output). */
export function dataCommand(program: Command, name: string, description: string, examples: string[]): Command {
  const app = (o: Option) => o.helpGroup('App options:')
  return program
    .command(name)
    .description(description)
    .option('--json', 'print one JSON document on stdout (no tables, no progress)')
    .option('--path <dir>', "backup root, instead of the config's `path`")
    .addOption(app(new Option('--root <dir>', 'project root (the working directory while the command runs)').default(process.cwd(), 'the current folder')))
    .addOption(app(new Option('--config <file>', 'run-time config module (default: <root>/koan-backup.config.ts, .mts, .js or .mjs)')))
    .addOption(app(new Option('--tsconfig <file>', 'tsconfig whose files are scanned, relative to the root').default('tsconfig.json')))
    .addOption(app(new Option('--entity-decorator <name[@module]>', 'a class decorator that marks entities (repeatable)').argParser(collect).default([])))
    .addOption(app(new Option('--entity-base <name[@module]>', 'a base class that marks entities (repeatable)').argParser(collect).default([])))
    .addOption(app(new Option('--scope <mode>', 'scope where no backup.scope file applies').choices(['all', 'none']).default('none')))
    .addOption(app(new Option('--verbose', 'print the boot report and engine info lines on stderr')))
    .addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`)
}

/** Prints a failure: the message on stderr (with the engine's code), and under --json an error document on stdout. */
export function reportFailure(io: CliIO, json: boolean | undefined, error: unknown): number {
  const code = error instanceof CliError ? (error.exitCode === EXIT.usage ? 'USAGE' : 'FAILED') : isBackupError(error) ? error.code : 'FAILED'
  const message = error instanceof Error ? error.message : String(error)
  io.err(isBackupError(error) ? `${message} (${error.code})` : message)
  if (!(error instanceof CliError) && !isBackupError(error) && error instanceof Error && error.stack && process.env.DEBUG) io.err(error.stack)
  if (json) io.out(JSON.stringify({ ok: false, error: { code, message, ...(isBackupError(error) && Object.keys(error.details).length ? { details: error.details } : {}) } }, null, 2))
  return error instanceof CliError ? error.exitCode : EXIT.failed
}

/**
 * Runs a data command: `check` validates the arguments (before anything loads), then the app is
 * loaded, `fn` runs and the stores are released; a failure sets exit code 1 (2 for usage).
 */
export async function runData(io: CliIO, setExit: (code: number) => void, opts: DataOptions, fn: (app: LoadedApp) => Promise<void>, check?: () => void): Promise<void> {
  let app: LoadedApp | null = null
  try {
    check?.()
    app = await loadApp(opts, io)
    await fn(app)
  } catch (error) {
    setExit(reportFailure(io, opts.json, error))
  } finally {
    await app?.close().catch((e: Error) => io.err(`[koan-backup] warning: closing the stores failed: ${e.message}`))
  }
}

/** Prints the JSON document (under --json) or the human text. */
export function output(io: CliIO, opts: DataOptions, doc: unknown, human: () => string): void {
  io.out(opts.json ? JSON.stringify(doc, null, 2) : human())
}
