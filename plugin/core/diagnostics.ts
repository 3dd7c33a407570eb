import type { RegistryDiagnostic } from '../../runtime/types.js'

/** A located build diagnostic (file root-relative with forward slashes, 1-based line and column). */
export type Diagnostic = RegistryDiagnostic

/** Stable diagnostic codes, their default severity and what they mean. */
export const DIAGNOSTIC_CODES = {
  KB001: { severity: 'warning', title: 'entity has no backup coverage' },
  KB002: { severity: 'warning', title: '@EntityBackup argument is not statically known' },
  KB003: { severity: 'warning', title: 'unknown @EntityBackup option' },
  KB004: { severity: 'warning', title: '@EntityBackup option has the wrong type' },
  KB005: { severity: 'warning', title: '@EntityBackup on a class that is not an entity' },
  KB006: { severity: 'warning', title: '@EntityBackup used more than once on a class' },
  KB007: { severity: 'warning', title: '@EntityBackup on an abstract class' },
  KB010: { severity: 'error', title: 'invalid backup scope declaration' },
  KB011: { severity: 'error', title: 'more than one backup scope file in a folder' },
  KB020: { severity: 'error', title: 'two entities share a full name' },
  KB021: { severity: 'warning', title: 'two entities share a class name' },
  KB030: { severity: 'info', title: 'computed base class not followed' },
  KB031: { severity: 'warning', title: 'syntax error in a scanned file' },
  KB032: { severity: 'warning', title: 'no source files to scan' },
  KB033: { severity: 'warning', title: 'an entity class the scan does not take (class expression, anonymous default class, class in a namespace, declare class)' },
  KB035: { severity: 'warning', title: '@EntityBackup in a file the scan does not read' },
  KB040: { severity: 'warning', title: 'a property type cannot be stored exactly' },
  KB041: { severity: 'warning', title: 'a stored class is not exported' },
  KB043: { severity: 'warning', title: 'an embedding field is missing or not text' },
} as const

/** A diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES

/** Builds a diagnostic with the code's default severity. */
export function diagnostic(
  code: DiagnosticCode, at: { file: string; line: number; column: number }, message: string, hint: string,
): Diagnostic {
  return { code, severity: DIAGNOSTIC_CODES[code].severity, message, hint, file: at.file, line: at.line, column: at.column }
}

/** How to bring a file the scan does not read into it (KB035). */
export function listFileHint(rel: string): string {
  return `add ${rel} (or its folder) to \`include\` in the tsconfig, or point the plugin's \`tsconfig\` option at a config that lists it`
}

/** Under `strict`, warnings become errors. */
export function applyStrict(diagnostics: Diagnostic[], strict: boolean): Diagnostic[] {
  return strict ? diagnostics.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' } : d)) : diagnostics
}

/** `file:line:col` of a diagnostic. */
export function location(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}`
}

/** The one-line text a bundler prints: location, code, message and hint. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${location(d)} ${d.code} ${d.message}. Fix: ${d.hint}`
}

/** Sorts diagnostics by file, position and code (deterministic output). */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}
