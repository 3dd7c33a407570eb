#!/usr/bin/env node
// Scan benchmark of the koan-backup build plugin. See bench/README.md.
//
//   node bench/scan.mjs                    sizes 100, 1000, 5000; 3 repetitions
//   node bench/scan.mjs --quick            sizes 100, 1000; 1 repetition
//   node bench/scan.mjs --sizes 100,1000   chosen sizes
//   node bench/scan.mjs --reps 5           repetitions of each timed measurement (default 3)
//   node bench/scan.mjs --keep             keep the generated projects in bench/.tmp/
//
// `npm run bench:scan` builds the package first; this script reads the plugin from dist/.
//
// Internal modes (fresh child processes, so module loading and JIT start cold):
//   node bench/scan.mjs --child scan <projectDir> [--rescan N]   cold Scanner.scan(), then N edits + update()
//   node bench/scan.mjs --child phases <projectDir>              the steps of Scanner.scan() timed one by one
//   node bench/scan.mjs --child vite <projectDir> with|without   one vite build timed from process start
//   node bench/scan.mjs --child tsc6 <projectDir>                type check with ts-morph's TypeScript 6 (reference)

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const BENCH = dirname(fileURLToPath(import.meta.url))
const REPO = dirname(BENCH)
const TMP = join(BENCH, '.tmp')
const DIST = join(REPO, 'dist')
const TSC = join(REPO, 'node_modules', '.bin', 'tsc')
const RESULTS = join(BENCH, 'results-scan.json')
const GENERATOR_VERSION = 1

const TARGETS = { overheadAt1000: 0.25, scanOverTsc: 0.5, rescanMs: 20 }

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d)
const distUrl = (p) => pathToFileURL(join(DIST, p)).href

// ---------------------------------------------------------------------------------------------
// Synthetic projects
// ---------------------------------------------------------------------------------------------

const DOMAINS = ['billing', 'catalog', 'customers', 'shipping', 'inventory', 'analytics', 'media', 'messaging',
  'identity', 'payments', 'reviews', 'support', 'marketing', 'search', 'scheduling', 'documents', 'compliance',
  'pricing', 'loyalty', 'warehouse']
const NOUNS = ['Account', 'Address', 'Asset', 'Attachment', 'Batch', 'Booking', 'Campaign', 'Category', 'Channel',
  'Comment', 'Contract', 'Coupon', 'Device', 'Discount', 'Event', 'Export', 'Feature', 'Feedback', 'Group', 'Import',
  'Invoice', 'Item', 'Job', 'Label', 'Ledger', 'License', 'Location', 'Message', 'Note', 'Offer', 'Order', 'Package',
  'Payment', 'Plan', 'Policy', 'Profile', 'Quote', 'Receipt', 'Refund', 'Report', 'Request', 'Rule', 'Segment',
  'Session', 'Setting', 'Subscription', 'Task', 'Template', 'Ticket', 'Token']
/** Entity files per folder; with base.ts, helpers.ts and (sometimes) backup.scope.ts a folder holds ~50 files. */
const PER_FOLDER = 48

const pascal = (s) => s.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())
const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()

function folderName(f) {
  const d = DOMAINS[f % DOMAINS.length]
  return f < DOMAINS.length ? d : `${d}-${Math.floor(f / DOMAINS.length) + 1}`
}

/** Describes a project of `n` entity files (deterministic). */
function plan(n) {
  const folders = []
  for (let f = 0, left = n; left > 0; f++, left -= PER_FOLDER) {
    const name = folderName(f)
    const count = Math.min(PER_FOLDER, left)
    const scoped = f % 3 === 0
    const entities = []
    for (let i = 0; i < count; i++) {
      const noun = NOUNS[i % NOUNS.length]
      const slot = i % 10
      // 40% @EntityBackup(), 20% encrypted, 10% opted out, 30% covered by the folder scope
      // (those get @EntityBackup({ includeSchema: false }) where the folder has no scope file).
      const decorator =
        slot <= 3 ? '@EntityBackup()'
          : slot <= 5 ? '@EntityBackup({ encrypt: true })'
            : slot === 6 ? `@EntityBackup({ enabled: false, reason: 'Derived data, rebuilt from the event log' })`
              : scoped ? null : '@EntityBackup({ includeSchema: false })'
      const base = i % 3 === 1 ? 'folder' : i % 7 === 2 ? 'shared' : 'entity'
      entities.push({ cls: `${pascal(name)}${noun}`, file: `${kebab(noun)}.ts`, decorator, base, helperClass: i % 5 === 0, usesHelpers: i % 4 === 0 })
    }
    folders.push({ name, scoped, encryptByDefault: f % 6 === 0, entities })
  }
  return folders
}

function entitySource(folder, e) {
  const markers = [...(e.base === 'entity' ? ['Entity'] : []), ...(e.decorator ? ['EntityBackup'] : [])]
  const imports = markers.length ? [`import { ${markers.join(', ')} } from 'koan-backup'`] : []
  if (e.base === 'folder') imports.push(`import { ${pascal(folder.name)}Record } from './base'`)
  if (e.base === 'shared') imports.push(`import { Auditable } from '../../shared'`)
  imports.push(`import type { Money, Status } from '../../shared/types'`)
  imports.push(`import { formatMoney } from '../../shared/utils'`)
  if (e.usesHelpers) imports.push(`import { normalize${pascal(folder.name)}Name } from './helpers'`)
  const base = e.base === 'folder' ? `${pascal(folder.name)}Record<${e.cls}>` : e.base === 'shared' ? `Auditable<${e.cls}>` : `Entity<${e.cls}>`
  const lines = [
    ...imports,
    '',
    `/** ${e.cls.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} of the ${folder.name} module. */`,
  ]
  if (e.decorator) lines.push(e.decorator)
  lines.push(
    `export class ${e.cls} extends ${base} {`,
    `  id: string = ''`,
    `  name: string = ''`,
    `  status: Status = 'active'`,
    `  amount: Money = { value: 0, currency: 'EUR' }`,
    `  tags: string[] = []`,
    `  updatedAt: Date | null = null`,
    '',
    `  label(): string {`,
    e.usesHelpers ? `    return \`\${normalize${pascal(folder.name)}Name(this.name)} (\${formatMoney(this.amount)})\`` : `    return \`\${this.name} (\${formatMoney(this.amount)})\``,
    '  }',
    '}',
    '',
    `export function is${e.cls}(value: unknown): value is ${e.cls} {`,
    `  return value instanceof ${e.cls}`,
    '}',
  )
  if (e.helperClass) {
    lines.push(
      '',
      `/** Not an entity: maps ${e.cls} to its wire format. */`,
      `export class ${e.cls}Mapper {`,
      `  toJSON(value: ${e.cls}): Record<string, unknown> {`,
      `    return { id: value.id, name: value.name, status: value.status, tags: [...value.tags] }`,
      '  }',
      '}',
    )
  }
  return lines.join('\n') + '\n'
}

function writeProject(n) {
  const dir = join(TMP, `p${n}`)
  const stamp = join(dir, '.generated')
  const want = JSON.stringify({ v: GENERATOR_VERSION, n })
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return { dir, reused: true, ...countFiles(plan(n)) }
  rmSync(dir, { recursive: true, force: true })
  const folders = plan(n)
  const w = (rel, text) => {
    const file = join(dir, rel)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
  w('tsconfig.json', JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true },
    include: ['src'],
  }, null, 2) + '\n')
  w('src/shared/types.ts', [
    `export type Status = 'active' | 'archived' | 'deleted'`,
    `export interface Money {`, `  value: number`, `  currency: 'EUR' | 'USD' | 'GBP'`, `}`, '',
  ].join('\n'))
  w('src/shared/utils.ts', [
    `import type { Money } from './types'`, '',
    `export function formatMoney(m: Money): string {`, `  return \`\${(m.value / 100).toFixed(2)} \${m.currency}\``, `}`, '',
    `/** Not an entity. */`, `export class Clock {`, `  now(): Date {`, `    return new Date()`, `  }`, `}`, '',
  ].join('\n'))
  w('src/shared/auditable.ts', [
    `import { Entity } from 'koan-backup'`, '',
    `/** Intermediate abstract base: its concrete subclasses are entities. */`,
    `export abstract class Auditable<T> extends Entity<T> {`,
    `  createdAt: Date = new Date()`, `  createdBy: string = 'system'`, `  version: number = 1`, `}`, '',
  ].join('\n'))
  w('src/shared/index.ts', [`export * from './auditable'`, `export * from './utils'`, `export type * from './types'`, ''].join('\n'))
  const mainImports = []
  const mainNames = []
  for (const folder of folders) {
    const P = pascal(folder.name)
    const base = `src/features/${folder.name}`
    w(`${base}/base.ts`, [
      `import { Entity } from 'koan-backup'`, '',
      `/** Intermediate abstract base of the ${folder.name} entities. */`,
      `export abstract class ${P}Record<T> extends Entity<T> {`,
      `  tenantId: string = ''`, `  createdAt: Date = new Date()`, `}`, '',
    ].join('\n'))
    w(`${base}/helpers.ts`, [
      `import { Clock } from '../../shared/utils'`, '',
      `export function normalize${P}Name(name: string): string {`, `  return name.trim().toLowerCase()`, `}`, '',
      `/** Not an entity: a service class. */`,
      `export class ${P}Service {`, `  private clock = new Clock()`, '',
      `  stamp(): string {`, `    return this.clock.now().toISOString()`, `  }`, `}`, '',
    ].join('\n'))
    if (folder.scoped) {
      const opts = folder.encryptByDefault ? `{ mode: 'all', encryptByDefault: true }` : `{ mode: 'all' }`
      w(`${base}/backup.scope.ts`, `import { defineBackupScope } from 'koan-backup'\n\nexport default defineBackupScope(${opts})\n`)
    }
    for (const e of folder.entities) {
      w(`${base}/${e.file}`, entitySource(folder, e))
      mainImports.push(`import { ${e.cls} } from './features/${folder.name}/${e.file.replace(/\.ts$/, '')}'`)
      mainNames.push(e.cls)
    }
  }
  w('src/main.ts', [
    `import { registry } from 'koan-backup/registry'`,
    ...mainImports,
    '',
    `export const entityClasses = [`,
    ...mainNames.map((c) => `  ${c},`),
    `]`,
    '',
    `export const summary = {`,
    `  declared: entityClasses.length,`,
    `  registered: registry.entities.length,`,
    `  included: registry.entities.filter((e) => e.status === 'included').length,`,
    `}`,
    '',
  ].join('\n'))
  writeFileSync(stamp, want)
  return { dir, reused: false, ...countFiles(folders) }
}

function countFiles(folders) {
  const entities = folders.reduce((a, f) => a + f.entities.length, 0)
  const scopes = folders.filter((f) => f.scoped).length
  // entity files + base.ts + helpers.ts per folder + scope files + 4 shared + main.ts
  return { entities, scopes, folders: folders.length, files: entities + 2 * folders.length + scopes + 5 }
}

/** An entity file whose `encrypt: true` the re-scan benchmark toggles (one in a middle folder); null if there is none. */
function toggleTarget(dir, n) {
  const folders = plan(n)
  const mid = Math.floor(folders.length / 2)
  for (const folder of [...folders.slice(mid), ...folders.slice(0, mid)]) {
    const e = folder.entities.find((x) => x.decorator === '@EntityBackup({ encrypt: true })')
    if (e) return { file: join(dir, 'src/features', folder.name, e.file).replaceAll('\\', '/'), cls: e.cls }
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Child processes: cold scan (+ re-scan), phase breakdown
// ---------------------------------------------------------------------------------------------

async function childScan(dir, rescanCount) {
  const t0 = performance.now()
  await import('ts-morph')
  const tsMorphImport = performance.now() - t0
  const t1 = performance.now()
  const { resolveOptions } = await import(distUrl('plugin/core/options.js'))
  const { Scanner } = await import(distUrl('plugin/core/scan/scanner.js'))
  const pluginImport = performance.now() - t1
  const s = new Scanner(resolveOptions({ root: dir, dts: false }))
  const t2 = performance.now()
  const registry = s.scan()
  const scanMs = performance.now() - t2
  const out = {
    tsMorphImport, pluginImport, scanMs, stats: s.stats,
    entities: registry.entities.length,
    included: registry.entities.filter((e) => e.status === 'included').length,
    excluded: registry.entities.filter((e) => e.status === 'excluded').length,
    encrypted: registry.entities.filter((e) => e.policy?.encrypt).length,
    scopes: registry.scopes.length,
    diagnostics: registry.diagnostics.length,
    firstDiagnostic: registry.diagnostics[0]?.message ?? null,
  }
  // warm full re-scan (nothing changed: every file is read and hashed, none parsed, then linked)
  const t3 = performance.now()
  s.scan()
  out.warmScanMs = performance.now() - t3
  out.warmScanParsed = s.stats.parsed
  const target = rescanCount > 0 ? toggleTarget(dir, Number(dir.match(/p(\d+)$/)[1])) : null
  if (target) {
    const { file, cls } = target
    const original = readFileSync(file, 'utf8')
    const samples = []
    let ok = true
    try {
      for (let i = 0; i < rescanCount; i++) {
        const encrypt = i % 2 === 0 ? 'false' : 'true'
        writeFileSync(file, original.replace('encrypt: true', `encrypt: ${encrypt}`))
        const t = performance.now()
        const reg = s.update(file)
        samples.push(performance.now() - t)
        const entity = reg.entities.find((x) => x.name === cls)
        if (!entity || String(entity.policy?.encrypt) !== encrypt || s.stats.parsed !== 1) ok = false
      }
    } finally {
      writeFileSync(file, original)
    }
    out.rescan = { samples, ok, file: file.slice(dir.length + 1) }
  }
  process.stdout.write(JSON.stringify(out))
}

async function childPhases(dir) {
  const { existsSync: exists, readFileSync: read } = await import('node:fs')
  const T = {}
  let t = performance.now()
  const { ts } = await import('ts-morph')
  T.tsMorphImport = performance.now() - t
  t = performance.now()
  const { resolveOptions } = await import(distUrl('plugin/core/options.js'))
  const { loadProject, ModuleResolver } = await import(distUrl('plugin/core/scan/project.js'))
  const { contentHash, parseFacts } = await import(distUrl('plugin/core/scan/parse.js'))
  const { analyze } = await import(distUrl('plugin/core/scan/analyze.js'))
  const { isScopeFile, SCOPE_FILE_NAMES } = await import(distUrl('plugin/core/scan/scopes.js'))
  T.pluginImport = performance.now() - t
  const options = resolveOptions({ root: dir, dts: false })

  // the same steps, in the same order, as Scanner.scan() on a cold cache (without the type-checker fallback,
  // which is built lazily and never needed by these projects: every base is syntactic, every field annotated)
  t = performance.now()
  const project = loadProject(options.root, options.tsconfig)
  T.loadTsconfig = performance.now() - t
  t = performance.now()
  const files = project.files.filter((f) => !isScopeFile(f))
  const fileSet = new Set(project.files)
  const resolver = new ModuleResolver(project.compilerOptions, (f) => fileSet.has(f))
  const dirs = new Set(files.map((f) => dirname(f)))
  for (const d of [...dirs]) for (let p = dirname(d); p.startsWith(options.root) && !dirs.has(p); p = dirname(p)) dirs.add(p)
  const scopeFiles = []
  for (const d of dirs) for (const name of SCOPE_FILE_NAMES) { const f = join(d, name); if (exists(f)) scopeFiles.push(f) }
  scopeFiles.sort()
  T.findScopeFiles = performance.now() - t
  const all = [...files, ...scopeFiles]
  t = performance.now()
  const texts = all.map((f) => read(f, 'utf8'))
  T.readFiles = performance.now() - t
  t = performance.now()
  const hashes = texts.map((x) => contentHash(x))
  T.hash = performance.now() - t
  t = performance.now()
  const facts = new Map(all.map((f, i) => [f, parseFacts(f, texts[i], hashes[i])]))
  T.parseCold = performance.now() - t
  t = performance.now()
  const registry = analyze({ options, files, scopeFiles, facts: (f) => facts.get(f), resolver })
  T.linkCold = performance.now() - t
  T.sumCold = T.loadTsconfig + T.findScopeFiles + T.readFiles + T.hash + T.parseCold + T.linkCold

  // warm repeats (best of 3 alternating rounds), to separate JIT warm-up from the steady-state cost
  // of the TypeScript parser alone and of the facts visit on top of it
  T.parseWarm = Infinity
  T.createSourceFileWarm = Infinity
  for (let round = 0; round < 3; round++) {
    t = performance.now()
    for (let i = 0; i < all.length; i++) parseFacts(all[i], texts[i], hashes[i])
    T.parseWarm = Math.min(T.parseWarm, performance.now() - t)
    t = performance.now()
    for (let i = 0; i < all.length; i++) ts.createSourceFile(all[i], texts[i], ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
    T.createSourceFileWarm = Math.min(T.createSourceFileWarm, performance.now() - t)
  }
  T.factsExtractionWarm = T.parseWarm - T.createSourceFileWarm
  t = performance.now()
  analyze({ options, files, scopeFiles, facts: (f) => facts.get(f), resolver })
  T.linkWarmMemo = performance.now() - t
  t = performance.now()
  analyze({ options, files, scopeFiles, facts: (f) => facts.get(f), resolver: new ModuleResolver(project.compilerOptions, (f) => fileSet.has(f)) })
  T.linkWarmFreshResolver = performance.now() - t
  T.files = all.length
  T.entities = registry.entities.length
  process.stdout.write(JSON.stringify(T))
}

function runChild(args) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed (${r.status}):\n${r.stderr}`)
  return JSON.parse(r.stdout)
}

function runTsc(dir) {
  const t = performance.now()
  const r = spawnSync(TSC, ['--noEmit', '-p', dir], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const ms = performance.now() - t
  if (r.status !== 0) throw new Error(`tsc --noEmit -p ${dir} failed (${r.status}):\n${(r.stdout + r.stderr).slice(0, 4000)}`)
  return ms
}

// ---------------------------------------------------------------------------------------------
// vite builds (in this process, after warm-up)
// ---------------------------------------------------------------------------------------------

const BASELINE_REGISTRY = 'export const registry = { formatVersion: 1, entities: [], scopes: [], diagnostics: [] }\n'

/** Same work as the plugin minus the scan: strip `@EntityBackup(...)` lines, serve a static registry. */
function baselinePlugin() {
  return {
    name: 'bench-baseline',
    enforce: 'pre',
    resolveId: {
      filter: { id: /^koan-backup\/registry$/ },
      handler: (id) => (id === 'koan-backup/registry' ? '\0bench-registry' : null),
    },
    load: {
      filter: { id: /^\0bench-registry$/ },
      handler: (id) => (id === '\0bench-registry' ? BASELINE_REGISTRY : null),
    },
    transform: {
      filter: { id: { include: [/\.ts$/], exclude: [/node_modules/] }, code: { include: 'EntityBackup' } },
      handler: (code) => ({ code: code.replace(/^[ \t]*@EntityBackup\(.*\)[ \t]*$/gm, ''), map: null }),
    },
  }
}

/** Wraps a plugin's hook handlers to add up the time spent in them (filters are kept, so rolldown still filters natively). */
function timeHooks(plugin, acc) {
  for (const key of ['buildStart', 'resolveId', 'load', 'transform']) {
    const hook = plugin[key]
    if (!hook) continue
    const fn = typeof hook === 'function' ? hook : hook.handler
    const timed = function (...args) {
      const t = performance.now()
      try {
        return fn.apply(this, args)
      } finally {
        acc[key] = (acc[key] ?? 0) + performance.now() - t
      }
    }
    plugin[key] = typeof hook === 'function' ? timed : { ...hook, handler: timed }
  }
  return plugin
}

async function viteBuild(vite, koanBackup, dir, withPlugin) {
  const hooks = {}
  const plugin = timeHooks(withPlugin ? koanBackup({ dts: false, report: false }) : baselinePlugin(), hooks)
  const t = performance.now()
  const result = await vite.build({
    root: dir,
    configFile: false,
    envFile: false,
    publicDir: false,
    logLevel: 'silent',
    plugins: [plugin],
    build: { write: false, ssr: 'src/main.ts', minify: false, sourcemap: false, reportCompressedSize: false },
  })
  const ms = performance.now() - t
  const outputs = Array.isArray(result) ? result.flatMap((r) => r.output) : result.output
  const code = outputs.filter((o) => o.type === 'chunk').map((o) => o.code).join('\n')
  return { ms, hooks, bytes: code.length, decoratorsLeft: (code.match(/@EntityBackup/g) ?? []).length, registryEntities: (code.match(/["']?fullName["']?\s*:\s*["']src\./g) ?? []).length }
}

/** One build in a fresh process, timed from process start: node start-up, vite (and plugin) import, build. */
async function childVite(dir, withPlugin) {
  const vite = await import('vite')
  const koanBackup = withPlugin ? (await import(distUrl('plugin/vite.js'))).default : null
  const b = await viteBuild(vite, koanBackup, dir, withPlugin)
  process.stdout.write(JSON.stringify({ totalMs: performance.now(), buildMs: b.ms, hooks: b.hooks }))
}

/** Type check with the JavaScript compiler bundled in ts-morph (TypeScript 6), timed from process start. */
async function childTsc6(dir) {
  const { Project, ts } = await import('ts-morph')
  const project = new Project({ tsConfigFilePath: join(dir, 'tsconfig.json') })
  const diagnostics = ts.getPreEmitDiagnostics(project.getProgram().compilerObject)
  if (diagnostics.length) throw new Error(`TypeScript ${ts.version}: ${diagnostics.length} errors, first: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, ' ')}`)
  process.stdout.write(JSON.stringify({ totalMs: performance.now(), version: ts.version }))
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const a = { quick: false, sizes: null, reps: null, keep: false }
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]
    if (x === '--quick') a.quick = true
    else if (x === '--keep') a.keep = true
    else if (x === '--sizes') a.sizes = argv[++i]
    else if (x.startsWith('--sizes=')) a.sizes = x.slice(8)
    else if (x === '--reps') a.reps = Number(argv[++i])
    else if (x.startsWith('--reps=')) a.reps = Number(x.slice(7))
    else if (x === '--help' || x === '-h') {
      console.log('usage: node bench/scan.mjs [--quick] [--sizes 100,1000,5000] [--reps 3] [--keep]')
      process.exit(0)
    } else throw new Error(`unknown argument ${x} (try --help)`)
  }
  const sizes = a.sizes ? a.sizes.split(',').map((s) => Number(s.trim())) : a.quick ? [100, 1000] : [100, 1000, 5000]
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes: expected positive integers, got ${a.sizes}`)
  const reps = a.reps ?? (a.quick ? 1 : 3)
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps: expected a positive integer')
  return { ...a, sizes, reps }
}

const pad = (s, n) => String(s).padStart(n)
const fmtMs = (x) => (x === null || x === undefined ? '—' : x >= 100 ? Math.round(x).toString() : x.toFixed(1))
const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`)

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const started = performance.now()
  if (!existsSync(join(DIST, 'plugin/vite.js'))) throw new Error('dist/ is missing: run `npm run build` (or `npm run bench:scan`)')
  const log = (m) => process.stderr.write(`${m}\n`)
  const mode = args.quick ? 'quick' : args.sizes.join() === '100,1000,5000' && args.reps === 3 ? 'full' : 'custom'
  log(`koan-backup scan benchmark (${mode}): sizes ${args.sizes.join(', ')}, ${args.reps} repetition(s); ${cpus().length} cores, node ${process.version}`)

  const projects = {}
  for (const n of args.sizes) {
    const t = performance.now()
    projects[n] = writeProject(n)
    const p = projects[n]
    log(`  project p${n}: ${p.files} files (${p.entities} entities, ${p.folders} folders, ${p.scopes} scope files) ${p.reused ? 'reused' : `generated in ${Math.round(performance.now() - t)} ms`}`)
  }

  const vite = await import('vite')
  const koanBackup = (await import(distUrl('plugin/vite.js'))).default
  const tscVersion = spawnSync(TSC, ['-v'], { encoding: 'utf8' }).stdout.trim()
  // which plugin code was measured (read-only git queries; empty outside a checkout)
  const git = (...a) => spawnSync('git', a, { cwd: REPO, encoding: 'utf8' }).stdout?.trimEnd() ?? ''
  const source = { commit: git('rev-parse', '--short', 'HEAD') || null, uncommitted: git('status', '--porcelain', '--', 'plugin', 'runtime').split('\n').filter(Boolean).map((l) => l.trim()) }

  // warm-up: load vite/rolldown and ts-morph, JIT both build paths, check tsc, on the smallest project
  const smallest = projects[Math.min(...args.sizes)].dir
  log('  warm-up (both builds and tsc on the smallest project)…')
  await viteBuild(vite, koanBackup, smallest, false)
  await viteBuild(vite, koanBackup, smallest, true)
  runTsc(smallest)

  const empty = () => ({ without: [], with: [], coldWithout: [], coldWith: [], hooksWith: [], hooksWithout: [], tsc: [], tsc6: [], scan: [], checks: {} })
  const raw = Object.fromEntries(args.sizes.map((n) => [n, empty()]))
  const notes = []
  const slow = new Set()
  let repsDone = 0
  for (let rep = 0; rep < args.reps; rep++) {
    const elapsed = (performance.now() - started) / 1000
    if (rep > 0 && elapsed > 7 * 60 * (rep / args.reps)) {
      notes.push(`stopped after ${rep} repetition(s): ${Math.round(elapsed)} s elapsed, the run would exceed ~8 minutes`)
      break
    }
    for (const n of args.sizes) {
      const { dir } = projects[n]
      const r = raw[n]
      if (rep > 0 && slow.has(n)) continue
      // alternate the order so neither configuration always runs first
      const order = rep % 2 === 0 ? [false, true] : [true, false]
      for (const withPlugin of order) {
        const b = await viteBuild(vite, koanBackup, dir, withPlugin)
        ;(withPlugin ? r.with : r.without).push(b.ms)
        ;(withPlugin ? r.hooksWith : r.hooksWithout).push(b.hooks)
        r.checks[withPlugin ? 'with' : 'without'] = b
      }
      for (const withPlugin of order) {
        const c = runChild(['vite', dir, withPlugin ? 'with' : 'without'])
        ;(withPlugin ? r.coldWith : r.coldWithout).push(c.totalMs)
      }
      r.tsc.push(runTsc(dir))
      r.tsc6.push(runChild(['tsc6', dir]).totalMs)
      r.scan.push(runChild(['scan', dir, '--rescan', rep === 0 ? '20' : '0']))
      const last = r.scan.at(-1)
      log(`  rep ${rep + 1}/${args.reps} p${n}: vite ${fmtMs(r.without.at(-1))} / ${fmtMs(r.with.at(-1))} ms (cold process ${fmtMs(r.coldWithout.at(-1))} / ${fmtMs(r.coldWith.at(-1))}), ` +
        `tsc ${fmtMs(r.tsc.at(-1))} ms (TS 6 JS ${fmtMs(r.tsc6.at(-1))}), cold scan ${fmtMs(last.scanMs)} ms` +
        (last.rescan ? `, re-scan median ${fmtMs(median(last.rescan.samples))} ms` : ''))
      if (rep === 0 && Math.max(r.without[0], r.with[0]) > 60_000) {
        slow.add(n)
        notes.push(`p${n}: a vite build took over 60 s, so it was measured once (no repetitions)`)
      }
    }
    repsDone = rep + 1
  }
  log('  phase breakdown (fresh processes)…')
  const phases = Object.fromEntries(args.sizes.map((n) => [n, runChild(['phases', projects[n].dir])]))

  // ---- results -------------------------------------------------------------------------------
  const results = {
    date: new Date().toISOString().slice(0, 10),
    mode, reps: repsDone,
    source,
    machine: { cores: cpus().length, parallelism: availableParallelism(), cpu: cpus()[0]?.model ?? null, node: process.version, vite: vite.version, tsc: tscVersion },
    build: "vite.build({ root, configFile: false, logLevel: 'silent', build: { ssr: 'src/main.ts', write: false, minify: false, sourcemap: false } })",
    targets: TARGETS,
    sizes: {},
    notes,
  }
  const hookMedian = (list, key) => (list.length ? median(list.map((h) => h[key] ?? 0)) : null)
  for (const n of args.sizes) {
    const r = raw[n]
    const p = projects[n]
    const scanMs = median(r.scan.map((x) => x.scanMs))
    const tsMorphImport = median(r.scan.map((x) => x.tsMorphImport))
    const without = median(r.without)
    const withP = median(r.with)
    const coldWithout = median(r.coldWithout)
    const coldWith = median(r.coldWith)
    const tsc = median(r.tsc)
    const tsc6 = median(r.tsc6)
    const rescan = r.scan.find((x) => x.rescan)?.rescan
    const first = r.scan[0]
    const checks = {
      entitiesFound: first.entities, entitiesGenerated: p.entities,
      scopesFound: first.scopes, scopesGenerated: p.scopes,
      diagnostics: first.diagnostics, firstDiagnostic: first.firstDiagnostic,
      rescanCorrect: rescan?.ok ?? null,
      decoratorsLeftInBundle: { without: r.checks.without.decoratorsLeft, with: r.checks.with.decoratorsLeft },
      registryEntitiesInBundle: r.checks.with.registryEntities,
    }
    if (first.entities !== p.entities || first.scopes !== p.scopes || first.diagnostics !== 0 || r.checks.with.decoratorsLeft ||
      r.checks.without.decoratorsLeft || r.checks.with.registryEntities !== p.entities || rescan?.ok === false) {
      notes.push(`p${n}: sanity check failed: ${JSON.stringify(checks)}`)
    }
    results.sizes[n] = {
      files: p.files, entities: p.entities, folders: p.folders, scopeFiles: p.scopes, scannedFiles: first.stats.files,
      viteWithoutMs: round(without), viteWithMs: round(withP),
      pluginOverhead: round((withP - without) / without, 4),
      hooksWithMs: { buildStart: round(hookMedian(r.hooksWith, 'buildStart')), transform: round(hookMedian(r.hooksWith, 'transform')), resolveIdAndLoad: round(median(r.hooksWith.map((h) => (h.resolveId ?? 0) + (h.load ?? 0))), 2) },
      hooksWithoutMs: { transform: round(hookMedian(r.hooksWithout, 'transform')) },
      viteColdProcessWithoutMs: round(coldWithout), viteColdProcessWithMs: round(coldWith),
      pluginOverheadColdProcess: round((coldWith - coldWithout) / coldWithout, 4),
      tscMs: round(tsc), tsc6JsMs: round(tsc6),
      scanColdMs: round(scanMs), scanWarmMs: round(median(r.scan.map((x) => x.warmScanMs))),
      scanOverTsc: round(scanMs / tsc, 4),
      scanPlusImportOverTsc: round((scanMs + tsMorphImport) / tsc, 4),
      scanOverTsc6Js: round(scanMs / tsc6, 4),
      tsMorphImportMs: round(tsMorphImport), pluginModulesImportMs: round(median(r.scan.map((x) => x.pluginImport))),
      rescanMs: rescan ? round(median(rescan.samples), 2) : null,
      rescanP90Ms: rescan ? round([...rescan.samples].sort((a, b) => a - b)[Math.floor(rescan.samples.length * 0.9)], 2) : null,
      rescanFile: rescan?.file ?? null,
      phases: Object.fromEntries(Object.entries(phases[n]).map(([k, v]) => [k, round(v)])),
      samples: {
        viteWithoutMs: r.without.map((x) => round(x)), viteWithMs: r.with.map((x) => round(x)),
        viteColdProcessWithoutMs: r.coldWithout.map((x) => round(x)), viteColdProcessWithMs: r.coldWith.map((x) => round(x)),
        tscMs: r.tsc.map((x) => round(x)), tsc6JsMs: r.tsc6.map((x) => round(x)),
        scanColdMs: r.scan.map((x) => round(x.scanMs)), tsMorphImportMs: r.scan.map((x) => round(x.tsMorphImport)),
        rescanMs: rescan?.samples.map((x) => round(x, 2)) ?? [],
      },
      checks,
    }
  }
  const s1000 = results.sizes[1000]
  const verdict = (v, t) => (v === null || v === undefined ? null : v <= t)
  results.verdicts = {
    overheadAt1000: s1000 ? verdict(s1000.pluginOverhead, TARGETS.overheadAt1000) : null,
    scanOverTsc: Object.fromEntries(args.sizes.map((n) => [n, verdict(results.sizes[n].scanOverTsc, TARGETS.scanOverTsc)])),
    rescanMs: Object.fromEntries(args.sizes.map((n) => [n, verdict(results.sizes[n].rescanMs, TARGETS.rescanMs)])),
  }
  const largest = Math.max(...args.sizes)
  if (results.sizes[largest].viteWithoutMs > 20_000) notes.push(`the ${largest}-file vite build takes ${fmtMs(results.sizes[largest].viteWithoutMs)} ms without the plugin`)
  results.totalSeconds = round((performance.now() - started) / 1000)
  writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n')

  // ---- tables --------------------------------------------------------------------------------
  const table = (cols) => {
    const lines = [['size', ...cols.map(([h, , w]) => pad(h, w))].join('  ')]
    for (const n of args.sizes) lines.push([pad(n, 4), ...cols.map(([, f, w]) => pad(f(results.sizes[n]) ?? '—', w))].join('  '))
    return lines
  }
  const out = ['']
  out.push(`koan-backup scan benchmark — ${results.date}, ${mode}, median of ${repsDone} (re-scan: median of 20), ${results.machine.cores} cores, node ${process.version}, vite ${vite.version}, tsc ${tscVersion}`)
  out.push(`vite: ${results.build}; in this process after warm-up, and in a fresh process (node start + imports + build)`)
  out.push(`plugin code: dist/ built from ${source.commit ?? 'unknown commit'}${source.uncommitted.length ? ` with ${source.uncommitted.length} uncommitted change(s) under plugin/ and runtime/` : ''}`)
  out.push('')
  out.push(...table([
    ['files', (x) => x.files, 5], ['vite w/o', (x) => fmtMs(x.viteWithoutMs), 8], ['vite with', (x) => fmtMs(x.viteWithMs), 9], ['overhead', (x) => pct(x.pluginOverhead), 8],
    ['cold w/o', (x) => fmtMs(x.viteColdProcessWithoutMs), 8], ['cold with', (x) => fmtMs(x.viteColdProcessWithMs), 9], ['cold ovh', (x) => pct(x.pluginOverheadColdProcess), 8],
    ['tsc', (x) => fmtMs(x.tscMs), 5], ['scan', (x) => fmtMs(x.scanColdMs), 5], ['scan/tsc', (x) => x.scanOverTsc?.toFixed(2), 8],
    ['re-scan', (x) => fmtMs(x.rescanMs), 7], ['ts-morph import', (x) => fmtMs(x.tsMorphImportMs), 15],
  ]))
  out.push('(ms; overhead = (with − w/o) / w/o; scan = first Scanner.scan() in a fresh process, ts-morph already imported; re-scan = Scanner.update(file) after an edit)')
  out.push('')
  out.push('targets:')
  const mark = (b) => (b === null ? 'n/a' : b ? 'met' : 'MISSED')
  out.push(`  plugin overhead at 1000 files ≤ ${pct(TARGETS.overheadAt1000)}: ${s1000 ? `${pct(s1000.pluginOverhead)} → ${mark(results.verdicts.overheadAt1000)} (fresh process: ${pct(s1000.pluginOverheadColdProcess)})` : 'n/a (size 1000 not measured)'}`)
  for (const n of args.sizes) {
    const x = results.sizes[n]
    out.push(`  p${n}: full scan / tsc = ${x.scanOverTsc?.toFixed(2)} (≤ ${TARGETS.scanOverTsc}: ${mark(results.verdicts.scanOverTsc[n])}; with the ts-morph import ${x.scanPlusImportOverTsc?.toFixed(2)}), ` +
      `re-scan ${fmtMs(x.rescanMs)} ms (≤ ${TARGETS.rescanMs} ms: ${mark(results.verdicts.rescanMs[n])})`)
  }
  out.push('')
  out.push('where the time goes:')
  out.push(...table([
    ['buildStart', (x) => fmtMs(x.hooksWithMs.buildStart), 10], ['transform', (x) => fmtMs(x.hooksWithMs.transform), 9], ['baseline transform', (x) => fmtMs(x.hooksWithoutMs.transform), 18],
    ['warm scan', (x) => fmtMs(x.scanWarmMs), 9], ['TS 6 JS check', (x) => fmtMs(x.tsc6JsMs), 13], ['scan/TS 6', (x) => x.scanOverTsc6Js?.toFixed(2), 9],
  ]))
  out.push('(buildStart = the plugin\'s full scan inside the vite build; transform = its decorator stripping over all files; warm scan = scan() again with nothing changed;')
  out.push(' TS 6 JS check = type check with the JavaScript compiler bundled in ts-morph, fresh process, for reference)')
  out.push('')
  out.push('cold scan phases (fresh process, same steps as Scanner.scan(); ms):')
  const ph = ['tsMorphImport', 'loadTsconfig', 'findScopeFiles', 'readFiles', 'hash', 'parseCold', 'linkCold', 'sumCold', 'parseWarm', 'createSourceFileWarm', 'factsExtractionWarm', 'linkWarmMemo']
  out.push(...table(ph.map((k) => [k, (x) => fmtMs(x.phases[k]), Math.max(k.length, 6)])))
  if (notes.length) {
    out.push('')
    out.push('notes:')
    for (const note of notes) out.push(`  - ${note}`)
  }
  out.push('')
  out.push(`wrote ${RESULTS.slice(REPO.length + 1)}; total ${results.totalSeconds} s`)
  console.log(out.join('\n'))

  if (!args.keep) rmSync(TMP, { recursive: true, force: true })
}

const argv = process.argv.slice(2)
if (argv[0] === '--child') {
  const [, kind, dir, ...rest] = argv
  const rescan = rest[0] === '--rescan' ? Number(rest[1]) : 0
  if (kind === 'scan') await childScan(dir, rescan)
  else if (kind === 'phases') await childPhases(dir)
  else if (kind === 'vite') await childVite(dir, rest[0] === 'with')
  else if (kind === 'tsc6') await childTsc6(dir)
  else throw new Error(`unknown child mode ${kind}`)
} else {
  await main()
}
