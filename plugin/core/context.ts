import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { formatReport } from '../../runtime/report.js'
import type { BackupRegistry } from '../../runtime/types.js'
import type { KoanBackupOptions, PluginLogger } from '../types.js'
import { applyStrict, diagnostic, listFileHint, type Diagnostic } from './diagnostics.js'
import { generateDts } from './generate/dts.js'
import { generateDataModule, generateRegistryModule } from './generate/registry.js'
import { resolveOptions, type ResolvedOptions } from './options.js'
import { Scanner, scanResultOf, type ScanResult } from './scan/scanner.js'
import { editCode, type TransformOutput } from './transform.js'
import { DATA_IMPORT, REGISTRY_IMPORT } from './virtual.js'

/** Names of texts kept with a cached scan (the full module's are its options as JSON; the .d.ts's `dts:<dir>`). */
const DATA_TEXT = 'registry-only'
const REPORT_TEXT = 'report'

const defaultLogger: PluginLogger = {
  info: (m) => void process.stdout.write(`${m}\n`),
  warn: (m) => void process.stderr.write(`${m}\n`),
}

/** Writes a file only when its content changed; returns whether it wrote. */
export function writeIfChanged(file: string, content: string): boolean {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return false
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, content)
  return true
}

/**
 * The plugin's state, shared by every bundler hook: the scanner (and its cache), the last
 * registry, and what was last reported, so hooks only delegate here.
 */
export class PluginContext {
  private resolved: ResolvedOptions | null = null
  private scanner: Scanner | null = null
  private last: ScanResult | null = null
  private code: string | null = null
  private data: string | null = null
  private lastReport: string | null = null
  private bundlerLogger: PluginLogger | null = null

  constructor(private raw: KoanBackupOptions = {}) {
    // validate eagerly so a bad option fails when the config loads, not mid-build
    resolveOptions(raw)
  }

  /** Sets the bundler's root and logger (vite knows them after `configResolved`). */
  configure(root?: string, logger?: PluginLogger): void {
    if (root && !this.raw.root && this.resolved?.root !== root) {
      this.resolved = resolveOptions(this.raw, root)
      this.scanner = null
      // a scan of another root is not this one's
      this.last = this.code = this.data = null
    }
    if (logger) this.bundlerLogger = logger
  }

  get options(): ResolvedOptions {
    this.resolved ??= resolveOptions(this.raw)
    return this.resolved
  }

  private get scan(): Scanner {
    this.scanner ??= new Scanner(this.options)
    return this.scanner
  }

  get logger(): PluginLogger {
    return this.options.logger ?? this.bundlerLogger ?? defaultLogger
  }

  /** Full scan (re-reading changed files); writes the .d.ts when it changed. */
  refresh(): void {
    this.accept(this.scan.scanResult())
  }

  /** Re-scans one changed file; returns whether the registry changed. */
  update(file: string): boolean {
    // the tsconfig is watched too (`watchFiles`): a change of it lists the project again
    const tsconfig = file.replaceAll('\\', '/') === this.options.tsconfig
    if (!tsconfig && !this.scan.covers(file) && !/\.(c|m)?tsx?$/.test(file)) return false
    // the full module is generated from the registry alone, and the registry-only module is the registry
    const before = this.last ? this.dataCode() : null
    this.accept(scanResultOf(this.scan.update(file)))
    return before !== this.dataCode()
  }

  /**
   * Takes a scan and writes its .d.ts (when it changed). Both modules are generated when a build
   * loads them: a build that never imports the registry generates neither, one that imports nothing
   * but `registry` never generates the full module. The texts of a cached scan come from the same
   * cache entry (generating them costs about as much as the link), so its registry is not even parsed.
   */
  private accept(result: ScanResult): void {
    this.last = result
    this.code = this.data = null
    if (this.options.dts) {
      const dtsDir = relative(this.options.root, dirname(this.options.dts)).replaceAll('\\', '/') || '.'
      writeIfChanged(this.options.dts, this.derived(`dts:${dtsDir}`, () => generateDts(result.registry(), { dtsDir })))
    }
  }

  /** A text generated from the last scan's registry: from the results cache when the scan has an entry there. */
  private derived(name: string, generate: () => string): string {
    const key = this.scan.resultKey
    const cached = key ? this.scan.results.text(key, name) : undefined
    if (cached !== undefined) return cached
    const text = generate()
    if (key) this.scan.results.setText(key, name, text)
    return text
  }

  /** The last scan (scanning first if there is none). */
  private get scanned(): ScanResult {
    if (!this.last) this.refresh()
    return this.last!
  }

  get registry(): BackupRegistry {
    return this.scanned.registry()
  }

  /** Diagnostics of the last scan. */
  get diagnostics(): Diagnostic[] {
    return this.scanned.diagnostics
  }

  /** The generated module's code. */
  moduleCode(): string {
    const scan = this.scanned
    if (this.code === null) {
      const moduleOptions = { root: this.options.root.replaceAll('\\', '/'), config: this.options.config }
      this.code = this.derived(JSON.stringify(moduleOptions), () => generateRegistryModule(scan.registry(), moduleOptions))
    }
    return this.code
  }

  /** The registry-only module's code. */
  dataCode(): string {
    const scan = this.scanned
    this.data ??= this.derived(DATA_TEXT, () => generateDataModule(scan.registry()))
    return this.data
  }

  /** The bundler finished a build: what was kept for its transforms is let go. */
  buildEnd(): void {
    this.scanner?.releaseTexts()
  }

  /** Every file the registry depends on: scanned files, scope files and the tsconfig. */
  watchFiles(): string[] {
    return this.scan.watchFiles()
  }

  get stats() {
    return this.scan.stats
  }

  /** Prints the inventory report, unless the same report was already printed. */
  report(): void {
    if (!this.options.report) return
    const scan = this.scanned
    const text = this.derived(REPORT_TEXT, () => formatReport(scan.registry()))
    if (text === this.lastReport) return
    this.lastReport = text
    this.logger.info(text)
  }

  /**
   * A file's code without its `@EntityBackup` decorators, and with its imports that take nothing but
   * `registry` pointed at the registry-only module. A file the scan does not read (the tsconfig does not
   * list it, and no scanned file imports it) is stripped all the same, so the bundle still runs, and each
   * of its decorators is handed to `unscanned` (KB035, an error under `strict`): its class is not in the
   * inventory.
   */
  transform(code: string, id: string, unscanned?: (d: Diagnostic) => void): TransformOutput | null {
    const file = id.split('?')[0]!.replaceAll('\\', '/')
    if (!code.includes('EntityBackup') && !code.includes(REGISTRY_IMPORT)) return null
    const edits = this.scan.transformEdits(file, code)
    // (which files the scan reads beyond the listing, a scan tells)
    if (edits.strip.length > 0 && unscanned && !this.last) this.refresh()
    if (edits.strip.length > 0 && unscanned && !this.scan.covers(file)) {
      const found = unscannedDecorators(relative(this.options.root, file).replaceAll('\\', '/'), code, edits.strip)
      for (const d of applyStrict(found, this.options.strict)) unscanned(d)
    }
    return editCode(code, edits.strip, edits.registryOnly, DATA_IMPORT)
  }
}

/** KB035 for each `@EntityBackup` of a file the scan does not read, at the decorator. */
function unscannedDecorators(rel: string, code: string, strip: Array<[number, number]>): Diagnostic[] {
  return strip.map(([start]) => {
    const before = code.slice(0, start)
    const line = before.split('\n').length
    const column = start - before.lastIndexOf('\n')
    return diagnostic('KB035', { file: rel, line, column }, `@EntityBackup in ${rel}, a file the scan does not read (the tsconfig does not list it, and no TypeScript file it scans imports it): its class is not in the inventory and will not be backed up (the decorator is stripped from the bundle all the same)`,
      listFileHint(rel))
  })
}
