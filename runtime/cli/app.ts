import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Message, Plugin } from 'esbuild'
import { CONFIG_FILES } from '../../plugin/core/options.js'
import { ESBUILD_NAMESPACE, RUNTIME_ENTRIES, RUNTIME_ID_FILTER } from '../../plugin/core/virtual.js'
import type { BackupConfig } from '../config.js'
import type { BackupApi } from '../engine/api.js'
import type { Logger } from '../engine/context.js'
import type { BackupRegistry } from '../types.js'
import { CliError, type CliIO } from './io.js'

/** Where the app is and how its entities are found (the plugin options the CLI passes on). */
export interface AppOptions {
  root: string
  config?: string
  tsconfig: string
  scope: 'all' | 'none'
  entityDecorator: string[]
  entityBase: string[]
  /** Backup root overriding the config's `path`. */
  path?: string
  verbose?: boolean
}

/** The app as the CLI sees it: the generated `backup` bound to the app's config. */
export interface LoadedApp {
  backup: BackupApi
  registry: BackupRegistry
  config: BackupConfig
  root: string
  configFile: string
  /** Releases the stores (database handles). */
  close(): Promise<void>
}

/** The config file: `--config` (relative to the working directory) or the first default name under the root. */
function findConfig(root: string, config: string | undefined): string {
  if (config !== undefined) {
    const file = resolve(config)
    if (!existsSync(file)) throw new CliError(`[koan-backup] --config ${config}: ${file} does not exist`)
    return file
  }
  const found = CONFIG_FILES.map((f) => join(root, f)).find((f) => existsSync(f))
  if (found) return found
  throw new CliError([
    `[koan-backup] no config file: looked for ${join(root, CONFIG_FILES[0]!)} (also .mts, .js, .mjs).`,
    'The data commands need the stores your app uses. Create koan-backup.config.ts in the project root:',
    '',
    `  import { defineBackupConfig, sqliteStore } from 'koan-backup'`,
    `  export default defineBackupConfig({ data: sqliteStore({ file: 'data/app.db' }), path: '.koan/backups' })`,
    '',
    'or point to one with --config <file> (and --root <dir> when the project is elsewhere).',
  ].join('\n'))
}

function formatMessage(m: Message, root: string): string {
  const where = m.location ? `${relative(root, resolve(root, m.location.file)).replaceAll('\\', '/')}:${m.location.line}:${m.location.column + 1} ` : ''
  // the plugin's own messages already carry their location and prefix
  return m.text.startsWith('[koan-backup]') ? m.text : `[koan-backup] ${where}${m.text}`
}

/** The runtime modules the generated registry imports stay outside the bundle: the CLI's own engine, loaded once. */
const runtimeExternal: Plugin = {
  name: 'koan-backup-cli-runtime',
  setup(build) {
    build.onResolve({ filter: RUNTIME_ID_FILTER, namespace: ESBUILD_NAMESPACE }, (args) => ({
      path: pathToFileURL(RUNTIME_ENTRIES[args.path]!).href, external: true,
    }))
  },
}

/**
 * Bundles the registry and the config through the plugin into one ESM module (packages stay external).
 * The plugin gets `config: false`: the CLI exports the config itself and binds it once (`configure`),
 * so a bad config fails there with its own error code.
 */
async function bundle(options: AppOptions, root: string, configFile: string, io: CliIO): Promise<string> {
  const { build } = await import('esbuild')
  const { default: koanBackup } = await import('../../plugin/esbuild.js')
  const plugin = koanBackup({
    root, tsconfig: options.tsconfig, config: false, dts: false, report: false,
    scope: { mode: options.scope }, entityDecorators: options.entityDecorator, entityBases: options.entityBase,
    logger: { info: () => {}, warn: (m) => io.err(m) },
  })
  try {
    const out = await build({
      stdin: {
        contents: `export { backup, registry, codecs } from 'koan-backup/registry'\nexport { default as config } from ${JSON.stringify(configFile)}\n`,
        resolveDir: root, loader: 'ts', sourcefile: 'koan-backup-cli.ts',
      },
      absWorkingDir: root, bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20',
      packages: 'external', logLevel: 'silent', plugins: [runtimeExternal, plugin],
    })
    // coverage warnings belong to builds and `koan-backup inventory`; here they are counted, or printed with --verbose
    if (options.verbose) for (const w of out.warnings) io.err(formatMessage(w, root).replace('[koan-backup] ', '[koan-backup] warning: '))
    else if (out.warnings.length) io.err(`[koan-backup] ${out.warnings.length} build warning${out.warnings.length === 1 ? '' : 's'} (\`koan-backup inventory\` lists them; --verbose prints them here)`)
    return out.outputFiles[0]!.text
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors
    if (!errors?.length) throw error
    throw new CliError([`[koan-backup] the app could not be compiled (${errors.length} error${errors.length === 1 ? '' : 's'}):`, ...errors.map((m) => `  ${formatMessage(m, root)}`)].join('\n'))
  }
}

/** Writes the bundle where bare imports resolve as from the root: `<root>/node_modules/.cache/koan-backup/`. */
function writeBundle(root: string, code: string): string {
  const dir = join(root, 'node_modules', '.cache', 'koan-backup')
  mkdirSync(dir, { recursive: true })
  const name = `cli-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`
  const file = join(dir, name)
  if (!existsSync(file)) {
    // written aside and renamed: a CLI running at the same time never imports a half-written file
    const temp = `${file}.${process.pid}.tmp`
    writeFileSync(temp, code)
    renameSync(temp, file)
  } else {
    // in use again: not stale for the clean-up of another CLI
    utimesSync(file, new Date(), new Date())
  }
  // other bundles of this project are removed once stale (not while another CLI may be importing one)
  const stale = Date.now() - 10 * 60_000
  for (const old of readdirSync(dir)) {
    if (!/^cli-[0-9a-f]{16}\.mjs$/.test(old) || old === name) continue
    try {
      if (statSync(join(dir, old)).mtimeMs < stale) rmSync(join(dir, old), { force: true })
    } catch {
      // removed by another CLI meanwhile
    }
  }
  return file
}

/**
 * Loads the app: finds its config, bundles `koan-backup/registry` with the config through the
 * plugin, imports it and binds `backup` to the config (with the CLI's logger and `--path`). The
 * working directory becomes the root, so relative paths in the config resolve as when the app runs there.
 */
export async function loadApp(options: AppOptions, io: CliIO): Promise<LoadedApp> {
  const root = resolve(options.root)
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CliError(`[koan-backup] --root ${options.root}: ${root} is not a folder`)
  const configFile = findConfig(root, options.config)
  const path = options.path === undefined ? undefined : resolve(options.path)
  const code = await bundle(options, root, configFile, io)
  const file = writeBundle(root, code)
  process.chdir(root)
  let mod: { backup: BackupApi; registry: BackupRegistry; config?: BackupConfig }
  try {
    mod = await import(pathToFileURL(file).href)
  } catch (error) {
    throw new CliError(`[koan-backup] loading the app (${relative(root, configFile)} and its entities) failed: ${(error as Error).message}`)
  }
  const config = mod.config
  if (!config || typeof config !== 'object') {
    throw new CliError(`[koan-backup] ${configFile} has no default export; end it with \`export default defineBackupConfig({ data: …, path: … })\``)
  }
  const logger: Logger | false = config.logger === false ? false : { info: (m) => void (options.verbose && io.err(m)), warn: (m) => io.err(m) }
  mod.backup.configure({ ...config, logger, ...(path ? { path } : {}) })
  if (!config.data) io.err(`[koan-backup] warning: ${relative(root, configFile)} configures no \`data\` store; the CLI sees an empty in-memory store`)
  return {
    backup: mod.backup, registry: mod.registry, config, root, configFile,
    close: async () => {
      await config.data?.close?.()
      await config.vectors?.close()
    },
  }
}
