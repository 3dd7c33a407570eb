/**
 * One real production build of a project's `src/main.ts` per bundler, each with the koan-backup
 * plugin from the package's public entry (`koan-backup/plugin/<bundler>`, i.e. `dist/`).
 * A build resolves with the bundle and what the bundler reported; it rejects with the bundler's
 * own error when the build fails.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { rspack } from '@rspack/core'
import { build as esbuildBuild, formatMessages, transform as esbuildTransform } from 'esbuild'
import koanEsbuild from 'koan-backup/plugin/esbuild'
import koanRollup from 'koan-backup/plugin/rollup'
import koanRspack from 'koan-backup/plugin/rspack'
import koanVite from 'koan-backup/plugin/vite'
import koanWebpack from 'koan-backup/plugin/webpack'
import type { KoanBackupOptions, PluginLogger } from 'koan-backup/plugin'
import { rollup, type Plugin as RollupPlugin } from 'rollup'
import { build as viteBuild, type Logger } from 'vite'
import webpack from 'webpack'

export const BUNDLERS = ['vite', 'esbuild', 'rollup', 'webpack', 'rspack'] as const
export type BundlerName = (typeof BUNDLERS)[number]

export interface BuildResult {
  /** The bundle, runnable with `node`. */
  outfile: string
  /** Its code. */
  code: string
  /** Warnings as the bundler reports them to the user. */
  warnings: string
  /** What the plugin logged (its inventory report). */
  pluginLog: string
}

export interface BuildRequest {
  root: string
  outDir: string
  /** Plugin options besides `dts: false`. */
  options?: KoanBackupOptions
}

type Builder = (request: BuildRequest) => Promise<BuildResult>

function collector(): { lines: string[]; logger: PluginLogger } {
  const lines: string[] = []
  return { lines, logger: { info: (m) => void lines.push(m), warn: (m) => void lines.push(m) } }
}

function result(outfile: string, warnings: string[], pluginLog: string[]): BuildResult {
  return { outfile, code: readFileSync(outfile, 'utf8'), warnings: warnings.join('\n'), pluginLog: pluginLog.join('\n') }
}

/** vite: SSR build (Node output); warnings and the plugin's report go through vite's logger. */
const vite: Builder = async ({ root, outDir, options }) => {
  const warnings: string[] = []
  const info: string[] = []
  const customLogger: Logger = {
    hasWarned: false,
    info: (m) => void info.push(m),
    warn: (m) => void warnings.push(m),
    warnOnce: (m) => void warnings.push(m),
    error: (m) => void warnings.push(m),
    clearScreen: () => {},
    hasErrorLogged: () => false,
  }
  await viteBuild({
    root,
    configFile: false,
    // 'warn' turns off vite's progress lines on stdout; customLogger still receives every call
    logLevel: 'warn',
    customLogger,
    plugins: [koanVite({ dts: false, ...options })],
    build: {
      outDir,
      ssr: 'src/main.ts',
      emptyOutDir: true,
      rollupOptions: { output: { format: 'es', entryFileNames: 'main.mjs' } },
    },
  })
  return result(join(outDir, 'main.mjs'), warnings, info)
}

/** esbuild: warnings as esbuild prints them (`formatMessages` of `result.warnings`). */
const esbuild: Builder = async ({ root, outDir, options }) => {
  const log = collector()
  const outfile = join(outDir, 'main.mjs')
  const built = await esbuildBuild({
    absWorkingDir: root,
    entryPoints: ['src/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    plugins: [koanEsbuild({ dts: false, logger: log.logger, ...options })],
    logLevel: 'silent',
  })
  const warnings = await formatMessages(built.warnings, { kind: 'warning', color: false })
  return result(outfile, warnings, log.lines)
}

/**
 * Rollup reads neither TypeScript nor packages: this plugin strips types with esbuild, resolves
 * extensionless relative imports to `.ts` and bare imports (`koan-backup`) with Node's resolution,
 * so the bundle is self-contained and runs from the temp folder.
 */
export function rollupTypeScript(): RollupPlugin {
  return {
    name: 'test-typescript',
    resolveId(source, importer) {
      if (!importer || source.startsWith('\0')) return null
      if (isBuiltin(source)) return { id: source, external: true }
      if (source.startsWith('.')) {
        const base = resolve(dirname(importer), source)
        return !extname(base) && existsSync(`${base}.ts`) ? `${base}.ts` : null
      }
      if (isAbsolute(source)) return null
      // ESM resolution (the `import` condition), as a bundler would: zod's CommonJS build has no named exports
      return fileURLToPath(import.meta.resolve(source, pathToFileURL(importer).href))
    },
    async transform(code, id) {
      if (!id.endsWith('.ts')) return null
      const out = await esbuildTransform(code, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: id, sourcemap: true })
      return { code: out.code, map: out.map }
    },
  }
}

/** rollup: warnings from `onLog`. Rollup has no project root, so the plugin gets `root`. */
const rollupBuild: Builder = async ({ root, outDir, options }) => {
  const log = collector()
  const warnings: string[] = []
  const bundle = await rollup({
    input: join(root, 'src/main.ts'),
    plugins: [koanRollup({ root, dts: false, logger: log.logger, ...options }), rollupTypeScript()],
    onLog(level, entry) {
      if (level === 'warn') warnings.push(entry.message)
    },
  })
  const outfile = join(outDir, 'main.mjs')
  try {
    await bundle.write({ file: outfile, format: 'es' })
  } finally {
    await bundle.close()
  }
  return result(outfile, warnings, log.lines)
}

const TS_LOADER = fileURLToPath(new URL('./ts-loader.cjs', import.meta.url))

type WebpackLike = (config: never) => {
  run(cb: (err: Error | null, stats?: StatsLike) => void): void
  close(cb: (err?: Error | null) => void): void
}
interface StatsLike {
  hasErrors(): boolean
  toString(options: object): string
  compilation: { warnings: Array<{ message: string }>; errors: Array<{ message: string }> }
}

function webpackLike(make: WebpackLike, plugin: (options: KoanBackupOptions) => unknown, rule: object): Builder {
  return async ({ root, outDir, options }) => {
    const log = collector()
    const compiler = make({
      mode: 'production',
      context: root,
      entry: './src/main.ts',
      target: 'node',
      devtool: false,
      output: { path: outDir, filename: 'main.cjs', library: { type: 'commonjs2' } },
      optimization: { minimize: false },
      resolve: { extensions: ['.ts', '.js'] },
      module: { rules: [rule] },
      plugins: [plugin({ dts: false, logger: log.logger, ...options })],
    } as never)
    const stats = await new Promise<StatsLike>((done, fail) => compiler.run((err, s) => (err ? fail(err) : done(s!))))
    await new Promise<void>((done, fail) => compiler.close((err) => (err ? fail(err) : done())))
    const text = stats.toString({ colors: false })
    if (stats.hasErrors()) throw new Error(text)
    return result(join(outDir, 'main.cjs'), [text, ...stats.compilation.warnings.map((w) => w.message)], log.lines)
  }
}

/** webpack: TypeScript through a tiny esbuild loader; warnings from the stats output. */
const webpackBuild = webpackLike(webpack as unknown as WebpackLike, koanWebpack, { test: /\.ts$/, loader: TS_LOADER })

/** rspack: TypeScript through `builtin:swc-loader`. */
const rspackBuild = webpackLike(rspack as unknown as WebpackLike, koanRspack, {
  test: /\.ts$/,
  loader: 'builtin:swc-loader',
  options: { jsc: { parser: { syntax: 'typescript', decorators: true } } },
})

export const builders: Record<BundlerName, Builder> = {
  vite,
  esbuild,
  rollup: rollupBuild,
  webpack: webpackBuild,
  rspack: rspackBuild,
}
