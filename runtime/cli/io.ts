import type { ProgressStream } from './progress.js'

/** Exit codes: 0 ok, 1 the command failed (or found problems under --strict), 2 usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

/** Output sinks, replaceable in tests. */
export interface CliIO {
  out(text: string): void
  err(text: string): void
  /** Where progress bars are drawn (only when it is a TTY). @default none */
  progress?: ProgressStream
  /** Asks a yes/no question on the terminal; absent when there is none to ask on. */
  confirm?(question: string): Promise<boolean>
}

/** A failure the CLI reports as it is (no stack), with its exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
    super(message)
    this.name = 'CliError'
  }
}

/** A command used wrongly (exit 2), beyond what the option parser catches. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage)
  }
}

function line(t: string): string {
  return t.endsWith('\n') ? t : `${t}\n`
}

async function ask(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises')
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}

/** The process's stdout/stderr; progress and questions only where stderr (and stdin) are terminals. */
export const processIO: CliIO = {
  out: (t) => void process.stdout.write(line(t)),
  err: (t) => void process.stderr.write(line(t)),
  progress: process.stderr,
  ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: ask } : {}),
}
