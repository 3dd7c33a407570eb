import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatDiagnostic, type Diagnostic } from './diagnostics.js'

/** Diagnostics split by what they do to the build (info is reported, not warned). */
export function partition(diagnostics: Diagnostic[]) {
  return {
    errors: diagnostics.filter((d) => d.severity === 'error'),
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
  }
}

/** The message for bundlers that print the plugin name themselves (vite, rollup). */
export function rollupMessage(d: Diagnostic, root: string) {
  return { message: formatDiagnostic(d), code: d.code, loc: { file: join(root, d.file), line: d.line, column: d.column - 1 } }
}

/** One error that lists every error (rollup and vite stop at the first `this.error`). */
export function combinedError(errors: Diagnostic[], root: string) {
  const first = rollupMessage(errors[0]!, root)
  const text = errors.length === 1 ? first.message : `${errors.length} errors:\n${errors.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`
  return { ...first, message: text }
}

function lineText(root: string, d: Diagnostic): string {
  try {
    return readFileSync(join(root, d.file), 'utf8').split(/\r?\n/)[d.line - 1] ?? ''
  } catch {
    return ''
  }
}

/** esbuild's message format (printed with the source line and a caret). */
export function esbuildMessages(diagnostics: Diagnostic[], root: string) {
  const toMessage = (d: Diagnostic) => ({
    id: d.code,
    pluginName: 'koan-backup',
    text: `[koan-backup] ${formatDiagnostic(d)}`,
    location: { file: d.file, line: d.line, column: d.column - 1, lineText: lineText(root, d) },
  })
  const { errors, warnings } = partition(diagnostics)
  return { errors: errors.map(toMessage), warnings: warnings.map(toMessage) }
}

/** Adds the diagnostics to a webpack or rspack compilation (they print message text only). */
export function pushToCompilation(
  compilation: { warnings: unknown[]; errors: unknown[] }, diagnostics: Diagnostic[], makeError: (message: string) => Error,
): void {
  const { errors, warnings } = partition(diagnostics)
  for (const d of warnings) compilation.warnings.push(makeError(`[koan-backup] ${formatDiagnostic(d)}`))
  for (const d of errors) compilation.errors.push(makeError(`[koan-backup] ${formatDiagnostic(d)}`))
}
