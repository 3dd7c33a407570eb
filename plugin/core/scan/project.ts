import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ts } from './morph.js'

/** The files a scan covers and the compiler options used to resolve imports between them. */
export interface ProjectFiles {
  files: string[]
  compilerOptions: ts.CompilerOptions
}

const SOURCE_FILE = /\.(c|m)?tsx?$/
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage'])

function isScannable(file: string): boolean {
  return SOURCE_FILE.test(file) && !/\.d\.(c|m)?ts$/.test(file)
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) walk(full, out)
    else if (entry.isFile() && isScannable(entry.name)) out.push(full.replaceAll('\\', '/'))
  }
}

function configError(tsconfig: string, diag: ts.Diagnostic): never {
  const text = ts.flattenDiagnosticMessageText(diag.messageText, ' ')
  throw new Error(`[koan-backup] option \`tsconfig\`: cannot read ${tsconfig}: ${text}`)
}

/** Lists the files of the tsconfig (or, without one, every TypeScript file under root). */
export function loadProject(root: string, tsconfig: string | null): ProjectFiles {
  if (tsconfig === null || !existsSync(tsconfig)) {
    if (tsconfig !== null && !tsconfig.endsWith('/tsconfig.json')) {
      throw new Error(`[koan-backup] option \`tsconfig\`: ${tsconfig} does not exist; give an existing file or \`false\``)
    }
    const files: string[] = []
    walk(root, files)
    return { files: files.sort(), compilerOptions: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true } }
  }
  const host: ts.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configError(tsconfig, d) }
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, host)
  if (!parsed) throw new Error(`[koan-backup] option \`tsconfig\`: cannot read ${tsconfig}`)
  const fatal = parsed.errors.find((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003)
  if (fatal) configError(tsconfig, fatal)
  return { files: parsed.fileNames.filter(isScannable).sort(), compilerOptions: parsed.options }
}

/** Resolves import specifiers to project files; anything outside the project is external. */
export class ModuleResolver {
  private cache: ts.ModuleResolutionCache
  private memo = new Map<string, string | null>()

  constructor(private options: ts.CompilerOptions, private isProjectFile: (file: string) => boolean) {
    this.cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, options)
  }

  /** The project file a specifier names from `fromFile`, or `null` when it is external or missing. */
  resolve(specifier: string, fromFile: string): string | null {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/')
    if (bare && !this.options.paths && !this.options.baseUrl) return null
    const key = `${bare ? '' : dirname(fromFile)}\0${specifier}`
    const known = this.memo.get(key)
    if (known !== undefined) return known
    const result = ts.resolveModuleName(specifier, fromFile, this.options, ts.sys, this.cache).resolvedModule
    const file = result && this.isProjectFile(result.resolvedFileName) ? result.resolvedFileName : null
    this.memo.set(key, file)
    return file
  }

  /** Forgets every resolution (after files were added or removed). */
  clear(): void {
    this.memo.clear()
    this.cache.clear()
  }
}
