#!/usr/bin/env node
// Scan benchmark of the koan-backup build plugin. See bench/README.md.
//
//   node bench/scan.mjs                    sizes 100, 1000, 5000; 5 repetitions
//   node bench/scan.mjs --quick            sizes 100, 1000; 1 repetition
//   node bench/scan.mjs --sizes 100,1000   chosen sizes
//   node bench/scan.mjs --reps 3           repetitions of each timed measurement (default 5)
//   node bench/scan.mjs --keep             keep the generated projects in bench/.tmp/
//   node bench/scan.mjs --no-phases        skip the phase breakdown; --no-tsc6: skip the TypeScript 6 reference check
//   node bench/scan.mjs --max-wait 20      seconds this run may wait in total for other load to leave the CPUs (default 150)
//   node bench/scan.mjs --figures f        also write the headline figures to f (bench/run.mjs does)
//   node bench/scan.mjs --head             measure the last commit: build HEAD (git archive, read-only) into
//                                          bench/.tmp/head/ instead of using dist/, ignoring uncommitted changes
//
// `npm run bench:scan` builds the package first; this script reads the plugin from dist/. It copies the build to
// bench/.tmp/plugin-dist/ first and measures the copy, so a rebuild of dist/ during the run changes nothing.
//
// Two facts-cache scenarios are measured separately:
//   cold  the plugin and the Scanner run with `cache: false` (first build ever, CI without a cache);
//         the project's cache file is deleted before these runs
//   warm  default options (`cache: true`), and <project>/node_modules/.cache/koan-backup/facts.json was
//         written by an earlier build process of the same project (the benchmark writes it first)
// and a third, of fresh-process builds with the default options:
//   ci    a fresh copy of the project (new mtimes and inodes, with a lockfile) into which the cache folder that a
//         build of an earlier copy wrote is restored, as a CI job with a cache step gets: at that copy's path, and
//         at another path
//
// Internal modes (fresh child processes, so module loading and JIT start cold):
//   node bench/scan.mjs --child scan <projectDir> cold|warm [--rescan N]   Scanner.scan(), then N edits + update(),
//                                                                          N more through PluginContext.update()
//   node bench/scan.mjs --child phases <projectDir> cold|warm               the steps of Scanner.scan() timed one by one
//   node bench/scan.mjs --child vite <projectDir> without|cold|warm         one vite build timed from process start
//   node bench/scan.mjs --child tsc6 <projectDir>                           type check with ts-morph's TypeScript 6 (reference)
// Children read the plugin from $KOAN_BENCH_PLUGIN_DIST (set by the main process), else from dist/. To profile one
// build: run the benchmark with --keep (warm needs the cache file it leaves), then e.g.
//   node --cpu-prof bench/scan.mjs --child vite bench/.tmp/p1000 warm

import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { countFiles, plan, projectFiles } from './projects.mjs'
import { BENCH, DIST as MEASURED_DIST, REPO, TMP, buildHead, figureRecorder, fmtMs, fmtPct as pct, gitSource, machineInfo, median, parseArgs as readArgs, round } from './lib.mjs'
/** The plugin build that is measured: dist/ (or HEAD's build with --head), copied by main(); children inherit the copy. */
let DIST = process.env.KOAN_BENCH_PLUGIN_DIST ?? MEASURED_DIST
const TSC = join(REPO, 'node_modules', '.bin', 'tsc')
const RESULTS = join(BENCH, 'results-scan.json')
const GENERATOR_VERSION = 2

const TARGETS = { overheadAt1000: 0.25, scanOverTsc: 0.5, rescanMs: 20 }
/** Interleaved with/without build pairs per repetition and scenario, in process and in fresh processes (sizes up to 1000 files; one above). */
const IN_PROCESS_PAIRS = 5
const FRESH_PAIRS = 7
/**
 * The lower quartile of the with-samples over that of the without-samples, minus 1: on this machine about one
 * fresh-process build in three is 100–250 ms slower whatever it builds, a one-sided noise that moves the median
 * of 9–15 pairs by ±15 points; the lower quartiles show the cost of the plugin's own work (reported beside the
 * median, which the targets use).
 */
const lowerQuartileOverhead = (withSamples, withoutSamples) => {
  const q = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 4)] : null }
  const a = q(withSamples)
  const b = q(withoutSamples)
  return a === null || b === null ? null : Math.round((a / b - 1) * 1e4) / 1e4
}
/** Where a CI job's checkout is, against the job that saved the cache folder. */
const CI_PLACES = ['samePath', 'otherPath']
const CI_LABELS = { samePath: 'same path', otherPath: 'other path' }

const distUrl = (p) => pathToFileURL(join(DIST, p)).href

// ---------------------------------------------------------------------------------------------
// Synthetic projects
// ---------------------------------------------------------------------------------------------

function writeProject(n) {
  const dir = join(TMP, `p${n}`)
  const stamp = join(dir, '.generated')
  const want = JSON.stringify({ v: GENERATOR_VERSION, n })
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return { dir, reused: true, ...countFiles(plan(n)) }
  rmSync(dir, { recursive: true, force: true })
  for (const { rel, text } of projectFiles(n)) {
    const file = join(dir, rel)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
  writeFileSync(stamp, want)
  return { dir, reused: false, ...countFiles(plan(n)) }
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
// Facts-cache scenarios
// ---------------------------------------------------------------------------------------------

/** Plugin (and Scanner) options of a configuration: `cold` disables the facts cache, `warm` keeps the default (on). */
const pluginOptions = (config) => (config === 'cold' ? { dts: false, report: false, cache: false } : { dts: false, report: false })
/** The project's default cache folder and file (`cache: true` → `<root>/node_modules/.cache/koan-backup/facts.json`). */
const cacheDir = (dir) => join(dir, 'node_modules', '.cache', 'koan-backup')
const cacheFile = (dir) => join(cacheDir(dir), 'facts.json')
const removeCache = (dir) => rmSync(cacheDir(dir), { recursive: true, force: true })
/** The file parsing writes: the facts file next to the index (`facts.data.json`), or the one file of older builds. */
const factsFile = (dir) => (existsSync(join(cacheDir(dir), 'facts.data.json')) ? join(cacheDir(dir), 'facts.data.json') : cacheFile(dir))
/** Size of the cache files and mtime of the facts file (null when absent), to tell whether a run parsed and wrote
 *  facts (the index alone is rewritten when files age past the 3 s after which their stamps are trusted). */
function cacheStamp(dir) {
  try {
    const index = statSync(cacheFile(dir))
    const facts = statSync(factsFile(dir))
    return { bytes: index.size + (factsFile(dir) === cacheFile(dir) ? 0 : facts.size), factsBytes: facts.size, mtimeMs: facts.mtimeMs }
  } catch {
    return null
  }
}

/**
 * A fresh checkout of a project at `to`, as a CI job gets one: every file copied anew (new mtimes and inodes),
 * with a lockfile (the repository's own, as a real project has one: the results key names it by content), and
 * the cache folder an earlier job saved (`cacheFrom`, or none) restored into `node_modules/.cache/koan-backup`.
 */
function checkout(dir, to, cacheFrom) {
  rmSync(to, { recursive: true, force: true })
  mkdirSync(to, { recursive: true })
  for (const name of readdirSync(dir)) if (name !== 'node_modules' && name !== '.generated') cpSync(join(dir, name), join(to, name), { recursive: true })
  cpSync(join(REPO, 'package-lock.json'), join(to, 'package-lock.json'))
  if (cacheFrom) cpSync(cacheFrom, cacheDir(to), { recursive: true })
}

// ---------------------------------------------------------------------------------------------
// Child processes: full scan (+ re-scan), phase breakdown
// ---------------------------------------------------------------------------------------------

async function childScan(dir, mode, rescanCount) {
  // nothing loaded beforehand: the scan's time includes loading TypeScript when it needs it (the plugin loads the file
  // ts-morph bundles, ts-morph itself only for the type checker); a project whose tsconfig, files and imports the plugin
  // reads without TypeScript never loads it
  const morph = await import(distUrl('plugin/core/scan/morph.js'))
  const t1 = performance.now()
  const { resolveOptions } = await import(distUrl('plugin/core/options.js'))
  const { Scanner } = await import(distUrl('plugin/core/scan/scanner.js'))
  const pluginImport = performance.now() - t1
  const options = resolveOptions({ root: dir, ...pluginOptions(mode) })
  const cacheExisted = options.cache !== null && existsSync(options.cache)
  const s = new Scanner(options)
  const t2 = performance.now()
  const registry = s.scan()
  const scanMs = performance.now() - t2
  const tsNeeded = typeof morph.typeScriptLoaded === 'function' ? morph.typeScriptLoaded() : true
  // TypeScript's load on its own, for the report (when the scan needed it, it is part of scanMs)
  const t0 = performance.now()
  morph.loadTypeScript()
  const tsMorphImport = tsNeeded ? null : performance.now() - t0
  const out = {
    mode, cacheFile: options.cache, cacheExisted,
    tsMorphImport, tsNeeded, pluginImport, scanMs, stats: s.stats, parsed: s.stats.parsed,
    entities: registry.entities.length,
    included: registry.entities.filter((e) => e.status === 'included').length,
    excluded: registry.entities.filter((e) => e.status === 'excluded').length,
    encrypted: registry.entities.filter((e) => e.policy?.encrypt).length,
    scopes: registry.scopes.length,
    diagnostics: registry.diagnostics.length,
    firstDiagnostic: registry.diagnostics[0]?.message ?? null,
  }
  // repeat full scan with nothing changed: every file is read and hashed, none parsed, no per-file result recomputed
  const t3 = performance.now()
  s.scan()
  out.repeatScanMs = performance.now() - t3
  out.repeatScanParsed = s.stats.parsed
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
    // the same edit through the plugin's watch path (vite's watchChange → PluginContext.update): the re-scan plus
    // regenerating the registry module, which is what a dev server waits for before it can serve the new registry
    const { PluginContext } = await import(distUrl('plugin/core/context.js'))
    const ctx = new PluginContext({ root: dir, ...pluginOptions(mode) })
    ctx.refresh()
    const watch = []
    let watchOk = true
    try {
      for (let i = 0; i < rescanCount; i++) {
        const encrypt = i % 2 === 0 ? 'false' : 'true'
        writeFileSync(file, original.replace('encrypt: true', `encrypt: ${encrypt}`))
        const t = performance.now()
        const changed = ctx.update(file)
        watch.push(performance.now() - t)
        const entity = ctx.registry.entities.find((x) => x.name === cls)
        if (!changed || String(entity?.policy?.encrypt) !== encrypt) watchOk = false
      }
    } finally {
      writeFileSync(file, original)
    }
    out.watchUpdate = { samples: watch, ok: watchOk, moduleBytes: ctx.moduleCode().length }
  }
  process.stdout.write(JSON.stringify(out))
}

/** Best of `n` runs of `fn` (ms). */
function bestOf(n, fn) {
  let best = Infinity
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    fn()
    best = Math.min(best, performance.now() - t)
  }
  return best
}

/**
 * The steps of Scanner.scan() (plus the module generation that the plugin's buildStart adds), timed one by one in a
 * fresh process. `cold`: every file is parsed; `warm`: facts come from the cache file an earlier build wrote.
 * The type-checker fallback is left out: it is built lazily and these projects never need it.
 */
async function childPhases(dir, mode) {
  const T = {}
  let t = performance.now()
  ;(await import(distUrl('plugin/core/scan/morph.js'))).loadTypeScript()
  T.tsMorphImport = performance.now() - t
  t = performance.now()
  const { resolveOptions } = await import(distUrl('plugin/core/options.js'))
  const { loadProject, ModuleResolver } = await import(distUrl('plugin/core/scan/project.js'))
  const { contentHash, parseFacts } = await import(distUrl('plugin/core/scan/parse.js'))
  const { Analyzer } = await import(distUrl('plugin/core/scan/analyze.js'))
  const { isScopeFile, SCOPE_FILE_NAMES } = await import(distUrl('plugin/core/scan/scopes.js'))
  const { FactsCache } = await import(distUrl('plugin/core/scan/facts-cache.js'))
  const { generateRegistryModule } = await import(distUrl('plugin/core/generate/registry.js'))
  T.pluginImport = performance.now() - t
  const options = resolveOptions({ root: dir, ...pluginOptions(mode) })
  const root = options.root.replaceAll('\\', '/')

  t = performance.now()
  const project = loadProject(options.root, options.tsconfig)
  T.loadTsconfig = performance.now() - t
  t = performance.now()
  const files = project.files.filter((f) => !isScopeFile(f))
  const fileSet = new Set(project.files)
  const resolver = new ModuleResolver(project.compilerOptions, (f) => fileSet.has(f))
  const dirs = new Set()
  for (const f of project.files) {
    for (let d = dirname(f); !dirs.has(d); d = dirname(d)) {
      dirs.add(d)
      if (d.length <= root.length) break
    }
  }
  const scopeFiles = []
  for (const d of dirs) {
    if (!d.startsWith(root)) continue
    for (const name of SCOPE_FILE_NAMES) { const f = join(d, name).replaceAll('\\', '/'); if (existsSync(f)) scopeFiles.push(f) }
  }
  scopeFiles.sort()
  T.findScopeFiles = performance.now() - t
  const all = [...files, ...scopeFiles]
  t = performance.now()
  const texts = all.map((f) => readFileSync(f, 'utf8'))
  T.readFiles = performance.now() - t
  t = performance.now()
  const hashes = texts.map((x) => contentHash(x))
  T.hash = performance.now() - t
  let facts
  if (mode === 'cold') {
    t = performance.now()
    facts = new Map(all.map((f, i) => [f, parseFacts(f, texts[i], hashes[i])]))
    T.parse = performance.now() - t
  } else {
    if (!options.cache || !existsSync(options.cache)) throw new Error(`phases warm: no cache file ${options.cache}`)
    T.cacheFileBytes = statSync(options.cache).size
    const cache = new FactsCache(options.cache, options.root)
    t = performance.now()
    cache.get(all[0], hashes[0]) // the first lookup reads and parses the cache file
    T.cacheLoad = performance.now() - t
    t = performance.now()
    facts = new Map(all.map((f, i) => [f, cache.get(f, hashes[i])]))
    T.cacheLookup = performance.now() - t
    T.cacheMisses = [...facts.values()].filter((x) => !x).length
    if (T.cacheMisses) throw new Error(`phases warm: ${T.cacheMisses} cache misses`)
  }
  const input = { options, files, scopeFiles, facts: (f) => facts.get(f), resolver }
  t = performance.now()
  const registry = new Analyzer().analyze(input, 'all')
  T.link = performance.now() - t
  t = performance.now()
  const code = generateRegistryModule(registry, { root })
  T.generate = performance.now() - t
  T.moduleBytes = code.length
  T.scanSum = T.loadTsconfig + T.findScopeFiles + T.readFiles + T.hash + (mode === 'cold' ? T.parse : T.cacheLoad + T.cacheLookup) + T.link
  T.buildStartSum = T.scanSum + T.generate

  if (mode === 'cold') {
    // what the default options add to a first build: serialising and writing the cache file
    const tmpFile = join(dir, 'node_modules', '.cache', `phases-${process.pid}.json`)
    const c = new FactsCache(tmpFile, options.root)
    for (const f of all) c.set(f, facts.get(f))
    t = performance.now()
    c.save(all)
    T.cacheSave = performance.now() - t
    T.cacheFileBytes = statSync(tmpFile).size
    rmSync(tmpFile, { force: true })
    // the syntax-tree reader on the same files, its code run for the first time here (what every file cost
    // before the quick reader, and what a file the quick reader gives up on costs), then warm repeats (best
    // of 3) of both readers
    const { tsFacts } = await import(distUrl('plugin/core/scan/parse.js'))
    t = performance.now()
    for (let i = 0; i < all.length; i++) tsFacts(all[i], texts[i], hashes[i])
    T.tsParse = performance.now() - t
    T.parseWarm = Infinity
    T.tsParseWarm = Infinity
    for (let round = 0; round < 3; round++) {
      t = performance.now()
      for (let i = 0; i < all.length; i++) parseFacts(all[i], texts[i], hashes[i])
      T.parseWarm = Math.min(T.parseWarm, performance.now() - t)
      t = performance.now()
      for (let i = 0; i < all.length; i++) tsFacts(all[i], texts[i], hashes[i])
      T.tsParseWarm = Math.min(T.tsParseWarm, performance.now() - t)
    }
  }
  // JIT-warm repeats: a full link, an incremental link after one entity file changed, the module generation
  T.linkWarm = bestOf(3, () => new Analyzer().analyze(input, 'all'))
  const analyzer = new Analyzer()
  analyzer.analyze(input, 'all')
  const target = toggleTarget(dir, Number(dir.match(/p(\d+)$/)[1]))
  if (target) T.relinkOne = bestOf(5, () => analyzer.analyze(input, new Set([target.file])))
  T.generateWarm = bestOf(3, () => generateRegistryModule(registry, { root }))
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
// vite builds
// ---------------------------------------------------------------------------------------------

const BASELINE_REGISTRY = 'export const registry = { formatVersion: 1, entities: [], scopes: [], diagnostics: [] }\n'
/** The apps the vite builds bundle: the benchmark's app reads the registry; the same app when it backs up imports `backup`. */
const APPS = { registry: 'src/main.ts', backup: 'src/app.ts' }
/** For the app that backs up: a registry without entities, and the engine's `codecs` and `backup` over it (so both sides bundle the engine). */
const BASELINE_BACKUP_MODULE = [
  `import { compileCodecs } from 'koan-backup/codec'`,
  `import { createBackup } from 'koan-backup/engine'`,
  `export const registry = { formatVersion: 1, entities: [], scopes: [], shapes: [], diagnostics: [] }`,
  `export const codecs = /* #__PURE__ */ compileCodecs(registry, {})`,
  `export const backup = /* #__PURE__ */ createBackup({ registry, codecs, classes: {} })`,
  '',
].join('\n')
/** Where the plugin resolves the runtime ids its full module imports. */
const RUNTIME_IDS = { 'koan-backup/codec': 'runtime/schema/index.js', 'koan-backup/engine': 'runtime/engine/index.js' }

/** Same work as the plugin minus the scan: strip `@EntityBackup(...)` lines, serve a static registry (`app`: see APPS). */
function baselinePlugin(app = 'registry') {
  return {
    name: 'bench-baseline',
    enforce: 'pre',
    resolveId: {
      filter: { id: /^koan-backup\/(?:registry|codec|engine)$/ },
      handler: (id) => (id === 'koan-backup/registry' ? '\0bench-registry' : RUNTIME_IDS[id] ? join(DIST, RUNTIME_IDS[id]) : null),
    },
    load: {
      filter: { id: /^\0bench-registry$/ },
      handler: (id) => (id === '\0bench-registry' ? (app === 'backup' ? BASELINE_BACKUP_MODULE : BASELINE_REGISTRY) : null),
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
        acc[`${key}Calls`] = (acc[`${key}Calls`] ?? 0) + 1
      }
    }
    plugin[key] = typeof hook === 'function' ? timed : { ...hook, handler: timed }
  }
  return plugin
}

/** A decorator left in the output: `@EntityBackup` opening a line (the runtime's own messages mention it mid-line). */
const DECORATOR_LEFT = /^[ \t]*@EntityBackup\b/gm

/** Entities listed in the bundled registry: `"fullName":"src.…` keys, plain or inside the escaped JSON string literal. */
const REGISTRY_ENTITY = /\\?["']fullName\\?["']\s*:\s*\\?["']src\./g

/** One vite build: `without` = baseline plugin; `cold` / `warm` = koan-backup without / with the facts cache.
 *  (No forced GC between builds: a full `gc()` also flushes the TypeScript parser's bytecode, which made each
 *  cold build ~150 ms slower at 1000 files than in a process that just keeps building.) */
async function viteBuild(vite, koanBackup, dir, config, app = 'registry') {
  const hooks = {}
  const plugin = timeHooks(config === 'without' ? baselinePlugin(app) : koanBackup(pluginOptions(config)), hooks)
  const t = performance.now()
  const result = await vite.build({
    root: dir,
    configFile: false,
    envFile: false,
    publicDir: false,
    logLevel: 'silent',
    plugins: [plugin],
    build: { write: false, ssr: APPS[app], minify: false, sourcemap: false, reportCompressedSize: false },
  })
  const ms = performance.now() - t
  const outputs = Array.isArray(result) ? result.flatMap((r) => r.output) : result.output
  const code = outputs.filter((o) => o.type === 'chunk').map((o) => o.code).join('\n')
  return {
    ms, hooks, bytes: code.length, decoratorsLeft: (code.match(DECORATOR_LEFT) ?? []).length, registryEntities: (code.match(REGISTRY_ENTITY) ?? []).length,
    engine: /\bfunction createBackup\b/.test(code),
  }
}

/** One build in a fresh process, timed from process start: node start-up, vite (and plugin) import, build. */
async function childVite(dir, config) {
  const vite = await import('vite')
  const koanBackup = config === 'without' ? null : (await import(distUrl('plugin/vite.js'))).default
  const b = await viteBuild(vite, koanBackup, dir, config)
  process.stdout.write(JSON.stringify({ totalMs: performance.now(), buildMs: b.ms, hooks: b.hooks, bytes: b.bytes, decoratorsLeft: b.decoratorsLeft, registryEntities: b.registryEntities }))
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

/** Share of CPU time the whole machine spent busy over `ms` (Linux /proc/stat; null elsewhere). Sampled while the
 *  benchmark itself is idle, it shows other load; the load average is no help here (it idles at ~1 on the CI VM). */
function machineBusy(ms = 500) {
  const read = () => {
    try {
      const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
      return { idle: v[3] + (v[4] ?? 0), total: v.reduce((a, b) => a + b, 0) }
    } catch {
      return null
    }
  }
  const a = read()
  if (!a) return null
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
  const b = read()
  return b.total > a.total ? round(1 - (b.idle - a.idle) / (b.total - a.total), 2) : null
}

/** USER_HZ: the unit of /proc CPU times on Linux. */
const TICK_MS = 10

/** CPU time so far (Linux; null elsewhere), in ticks: busy = the whole machine's non-idle time; own = this process's
 *  threads plus its waited-for children (each child process, with all its threads, once it has exited). */
function cpuSnapshot() {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const self = readFileSync('/proc/self/stat', 'utf8')
    const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number) // f[0] is field 3 (state)
    return { busy: v.reduce((a, b) => a + b, 0) - v[3] - (v[4] ?? 0), own: f[11] + f[12] + f[13] + f[14] }
  } catch {
    return null
  }
}

/** A short hash of the plugin build's JavaScript (plugin/ and runtime/), to tell builds apart in the results. */
function buildHash(dist) {
  const h = createHash('sha1')
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const f = join(d, e.name)
      if (e.isDirectory()) walk(f)
      else if (f.endsWith('.js')) h.update(f.slice(dist.length)).update(readFileSync(f))
    }
  }
  for (const sub of ['plugin', 'runtime']) if (existsSync(join(dist, sub))) walk(join(dist, sub))
  return h.digest('hex').slice(0, 12)
}

const KNOWN_ARGS = { flags: ['quick', 'keep', 'head', 'no-phases', 'no-tsc6'], options: ['sizes', 'reps', 'max-wait', 'figures'] }

function parseArgs(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: node bench/scan.mjs [--quick] [--sizes 100,1000,5000] [--reps 3] [--keep] [--head] [--no-phases] [--no-tsc6] [--max-wait 150] [--figures file]')
    process.exit(0)
  }
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '').replace(/=.*$/, '')
    if (KNOWN_ARGS.options.includes(name)) { if (!argv[i].includes('=')) i++ } else if (!KNOWN_ARGS.flags.includes(name)) throw new Error(`unknown argument ${argv[i]} (try --help)`)
  }
  const x = readArgs(argv)
  const quick = x.flag('quick')
  const sizes = x.list('sizes', quick ? '100,1000' : '100,1000,5000').map(Number)
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes: expected positive integers, got ${x.option('sizes')}`)
  const reps = x.integer('reps', quick ? 1 : 5)
  const maxWait = Number(x.option('max-wait') ?? 150)
  if (!(maxWait >= 0)) throw new Error('--max-wait: expected seconds (a number ≥ 0)')
  return { quick, keep: x.flag('keep'), head: x.flag('head'), phases: !x.flag('no-phases'), tsc6: !x.flag('no-tsc6'), maxWaitMs: maxWait * 1000, sizes, reps }
}

const pad = (s, n) => String(s).padStart(n)
const share = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`)
const ratio = (x) => (x === null || x === undefined ? '—' : x.toFixed(2))
const fmtKB = (x) => (x === null || x === undefined ? '—' : `${(x / 1024).toFixed(0)} KB`)

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const started = performance.now()
  const log = (m) => process.stderr.write(`${m}\n`)
  const loadAtStart = loadavg()
  const busy = [machineBusy(1000)]
  const waits = []
  const contaminated = []
  let remeasured = 0
  const mode = args.quick ? 'quick' : args.sizes.join() === '100,1000,5000' && args.reps === 5 ? 'full' : 'custom'
  log(`koan-backup scan benchmark (${mode}): sizes ${args.sizes.join(', ')}, ${args.reps} repetition(s); ${cpus().length} cores, node ${process.version}; other CPU load ${share(busy[0])}`)
  // waiting for quiet is capped at 60 s each time and 150 s per run, so a busy machine cannot stretch the run much
  let waitBudgetMs = args.maxWaitMs
  /** When other processes are using the CPUs, waits (within the budget) for a quiet second; returns the last sample. */
  const settle = (b, when) => {
    if (b === null || b <= 0.1 || waitBudgetMs <= 0) return b
    const t = performance.now()
    const limit = Math.min(60_000, waitBudgetMs)
    while (b > 0.05 && performance.now() - t < limit) b = machineBusy(1000)
    waitBudgetMs -= performance.now() - t
    const waited = Math.round((performance.now() - t) / 1000)
    waits.push(waited)
    log(b > 0.05 ? `  warning: ${when}, other processes kept the CPUs ${share(b)} busy for ${waited} s; timings will be noisy`
      : `  ${when}: waited ${waited} s for other processes to leave the CPUs`)
    return b
  }
  busy[0] = settle(busy[0], 'before the run')
  // which plugin code is measured (read-only git queries; empty outside a checkout)
  const source = {
    ...gitSource(['plugin', 'runtime']),
    from: args.head ? 'HEAD (git archive, built by the benchmark)' : 'dist/',
  }
  if (args.head) {
    DIST = buildHead(join(TMP, 'head'), log)
    source.excludedUncommitted = source.uncommitted
    source.uncommitted = []
  } else {
    if (!existsSync(join(DIST, 'plugin/vite.js'))) throw new Error('dist/ is missing: run `npm run build` (or `npm run bench:scan`)')
    // measure a private copy: another `npm run build` (a test run, say) may rewrite dist/ during the benchmark
    const copy = join(TMP, 'plugin-dist')
    rmSync(copy, { recursive: true, force: true })
    mkdirSync(TMP, { recursive: true })
    cpSync(DIST, copy, { recursive: true, filter: (f) => !f.endsWith('.map') })
    DIST = copy
  }
  if (!existsSync(join(DIST, 'plugin/core/scan/facts-cache.js'))) throw new Error('the plugin build predates the facts cache: run `npm run build`')
  process.env.KOAN_BENCH_PLUGIN_DIST = DIST
  source.buildHash = buildHash(DIST)

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

  // warm-up: load vite/rolldown and ts-morph and JIT every build path (at 1000 files the in-process build times
  // settle after about 5 builds), on the largest project of at most 1000 entity files; check that tsc runs
  const warmUpSize = Math.max(...args.sizes.filter((n) => n <= 1000), Math.min(...args.sizes))
  const warmUp = projects[warmUpSize].dir
  log(`  warm-up (5 in-process builds of each configuration on p${warmUpSize}, 3 of the app that backs up, tsc)…`)
  removeCache(warmUp)
  for (let i = 0; i < 5; i++) for (const config of ['without', 'cold', 'warm']) await viteBuild(vite, koanBackup, warmUp, config)
  for (let i = 0; i < 3; i++) for (const config of ['without', 'cold', 'warm']) await viteBuild(vite, koanBackup, warmUp, config, 'backup')
  runTsc(warmUp)

  const empty = () => ({
    without: [], cold: [], warm: [], hooks: { without: [], cold: [], warm: [] }, bundles: {},
    freshWithout: [], freshCold: [], freshWarm: [], freshPrime: [], freshHooks: { cold: [], warm: [] },
    // with ÷ without of each interleaved pair (built back to back, so drift in the machine's load cancels out)
    pairs: { cold: [], warm: [] }, freshPairs: { cold: [], warm: [] },
    tsc: [], tsc6: [], scanCold: [], scanWarm: [], cache: [], cacheEvents: [],
    // the app that imports `backup` (in process, up to 1000 files)
    app: { without: [], cold: [], warm: [], pairs: { cold: [], warm: [] }, bundles: {} },
    // CI: a fresh checkout with the cache folder of an earlier job restored, at the same path and at another (fresh processes)
    ci: Object.fromEntries(CI_PLACES.map((place) => [place, { without: [], with: [], pairs: [] }])),
  })
  const raw = Object.fromEntries(args.sizes.map((n) => [n, empty()]))
  const notes = []
  const slow = new Set()
  let repsDone = 0
  /** Whether the last `guarded` measurement ran without other load. */
  let lastClean = true
  /** Adds a sample to a list, remembering whether it was measured without other load (see `guarded`). */
  const add = (list, value, clean = lastClean) => {
    list.push(value)
    ;(list.clean ??= []).push(clean)
    return value
  }
  /** Median of a list's clean samples (of all of them when none is clean). */
  const med = (list, f = (x) => x) => {
    const clean = list.filter((_, i) => list.clean?.[i] !== false)
    return list.length ? median((clean.length ? clean : list).map(f)) : null
  }
  /**
   * Runs one timed measurement and checks, from the kernel's CPU accounting, how much CPU other processes used
   * meanwhile. Over 5% of the machine (at least 30 ms), it waits for quiet and measures again (3 attempts at most,
   * the last one is kept and counted as contaminated, and left out of the medians when a clean sample exists). The
   * CI machine is shared: test suites of other jobs would otherwise add ±50% to single samples.
   */
  const guarded = async (label, fn) => {
    for (let attempt = 1; ; attempt++) {
      const a = cpuSnapshot()
      const t = performance.now()
      const result = await fn()
      const wall = performance.now() - t
      const b = cpuSnapshot()
      const otherMs = a && b ? Math.max(0, b.busy - a.busy - (b.own - a.own)) * TICK_MS : 0
      lastClean = otherMs <= Math.max(30, 0.05 * wall * cpus().length)
      if (lastClean) return result
      if (attempt === 3 || waitBudgetMs <= 0) {
        contaminated.push(`${label} (other processes used ${otherMs} ms of CPU in ${Math.round(wall)} ms)`)
        return result
      }
      remeasured++
      log(`  ${label}: other processes used ${otherMs} ms of CPU during the ${Math.round(wall)} ms measurement; measuring again`)
      settle(machineBusy(), 'before measuring again')
    }
  }
  /** Builds one interleaved pair in `configs` order (`with` is 'cold' or 'warm') through `run`, and records its ratio. */
  const pairOf = async (configs, withConfig, list, run) => {
    const ms = {}
    let clean = true
    for (const config of configs) {
      ms[config] = await run(config)
      clean &&= lastClean
    }
    add(list, ms[withConfig] / ms.without, clean)
  }
  const inProcess = async (r, n, dir, config) => {
    const b = await guarded(`p${n} in-process ${config}`, () => viteBuild(vite, koanBackup, dir, config))
    add(r[config], b.ms)
    add(r.hooks[config], b.hooks)
    r.bundles[config] = b
    return b
  }
  /** One in-process build of the app that imports `backup`. */
  const inProcessApp = async (r, n, dir, config) => {
    const b = await guarded(`p${n} in-process backup app ${config}`, () => viteBuild(vite, koanBackup, dir, config, 'backup'))
    add(r.app[config], b.ms)
    r.app.bundles[config] = b
    return b
  }
  /** One build in a fresh process; `label` names it in the checks (`fresh-first` is the build that writes the cache). */
  const fresh = async (r, n, dir, config, list, label = `fresh-${config}`) => {
    const c = await guarded(`p${n} ${label}`, () => {
      if (label === 'fresh-first') removeCache(dir)
      return runChild(['vite', dir, config])
    })
    add(list, c.totalMs)
    if (label === 'fresh-cold' || label === 'fresh-warm') add(r.freshHooks[config], c.hooks)
    r.bundles[label] = c
    return c
  }
  const repsStarted = performance.now()
  const waitedBeforeReps = (args.maxWaitMs - waitBudgetMs) / 1000
  for (let rep = 0; rep < args.reps; rep++) {
    if (rep > 0) busy.push(settle(machineBusy(), `before repetition ${rep + 1}`))
    // stop adding repetitions when the next one (estimated from the ones done) would end past ~7 minutes, not
    // counting the time spent waiting for other processes (capped, see `settle`)
    const waited = (args.maxWaitMs - waitBudgetMs) / 1000
    const elapsed = (performance.now() - started) / 1000
    const perRep = rep > 0 ? ((performance.now() - repsStarted) / 1000 - (waited - waitedBeforeReps)) / rep : 0
    if (rep > 0 && elapsed - waited + perRep > 7 * 60) {
      notes.push(`stopped after ${rep} repetition(s): ${Math.round(elapsed)} s elapsed, the run would exceed ~8 minutes`)
      break
    }
    for (const n of args.sizes) {
      const { dir } = projects[n]
      const r = raw[n]
      if (rep > 0 && slow.has(n)) continue
      // alternate the order so neither configuration always runs first
      const flip = rep % 2 === 1

      // builds come in interleaved pairs (with / without), several per repetition up to 1000 files: one build is
      // 0.05–0.5 s, and single samples of the overhead moved by ±20 points on this shared machine
      const pairs = (k) => (n <= 1000 ? k : 1)
      const order = (i, a, b) => ((flip ? 1 : 0) ^ (i % 2) ? [a, b] : [b, a])

      // (a) cold: no facts cache. The cache file is removed first; `cache: false` must not write one.
      removeCache(dir)
      for (let i = 0; i < pairs(IN_PROCESS_PAIRS); i++) await pairOf(order(i, 'cold', 'without'), 'cold', r.pairs.cold, async (config) => (await inProcess(r, n, dir, config)).ms)
      for (let i = 0; i < pairs(FRESH_PAIRS); i++) await pairOf(order(i, 'cold', 'without'), 'cold', r.freshPairs.cold, async (config) => (await fresh(r, n, dir, config, config === 'cold' ? r.freshCold : r.freshWithout)).totalMs)
      if (n <= 1000) for (let i = 0; i < IN_PROCESS_PAIRS; i++) await pairOf(order(i, 'cold', 'without'), 'cold', r.app.pairs.cold, async (config) => (await inProcessApp(r, n, dir, config)).ms)
      add(r.scanCold, await guarded(`p${n} scan cold`, () => runChild(['scan', dir, 'cold', '--rescan', rep === 0 ? '20' : '0'])))
      if (cacheStamp(dir)) r.cacheEvents.push('a cold run (cache: false) wrote a cache file')

      // (b) warm: a first build with the default options (fresh process, no cache file yet) parses every file
      // and writes the cache; the warm runs that follow must find every file in it and write nothing
      await fresh(r, n, dir, 'warm', r.freshPrime, 'fresh-first')
      const stamp = cacheStamp(dir)
      if (!stamp) throw new Error(`p${n}: the first build with the default options wrote no ${cacheFile(dir)}`)
      r.cache.push(stamp.bytes)
      for (let i = 0; i < pairs(IN_PROCESS_PAIRS); i++) await pairOf(order(i, 'without', 'warm'), 'warm', r.pairs.warm, async (config) => (await inProcess(r, n, dir, config)).ms)
      for (let i = 0; i < pairs(FRESH_PAIRS); i++) await pairOf(order(i, 'without', 'warm'), 'warm', r.freshPairs.warm, async (config) => (await fresh(r, n, dir, config, config === 'warm' ? r.freshWarm : r.freshWithout)).totalMs)
      if (n <= 1000) for (let i = 0; i < IN_PROCESS_PAIRS; i++) await pairOf(order(i, 'without', 'warm'), 'warm', r.app.pairs.warm, async (config) => (await inProcessApp(r, n, dir, config)).ms)
      add(r.scanWarm, await guarded(`p${n} scan warm`, () => runChild(['scan', dir, 'warm', '--rescan', rep === 0 ? '20' : '0'])))
      const after = cacheStamp(dir)
      if (!after || after.mtimeMs !== stamp.mtimeMs || after.factsBytes !== stamp.factsBytes) r.cacheEvents.push('a warm run rewrote the facts file (it parsed something)')

      // (c) CI: a fresh checkout (new mtimes and inodes) with the cache folder an earlier job saved: a first job's build
      // in a checkout writes it; later jobs restore it into a new checkout at the same path, or at another path.
      // Their builds must parse nothing (the facts file is not rewritten)
      const ci = { at: { samePath: join(TMP, `p${n}-ci-a`), otherPath: join(TMP, `p${n}-ci-b`) }, saved: join(TMP, `p${n}-ci-cache`) }
      checkout(dir, ci.at.samePath, null)
      await fresh(r, n, ci.at.samePath, 'warm', [], 'ci-first-job')
      rmSync(ci.saved, { recursive: true, force: true })
      cpSync(cacheDir(ci.at.samePath), ci.saved, { recursive: true })
      for (const place of CI_PLACES) {
        for (let i = 0; i < pairs(FRESH_PAIRS); i++) {
          await pairOf(order(i, 'without', 'warm'), 'warm', r.ci[place].pairs, async (config) => {
            checkout(dir, ci.at[place], ci.saved)
            const restored = cacheStamp(ci.at[place])
            const c = await fresh(r, n, ci.at[place], config, config === 'warm' ? r.ci[place].with : r.ci[place].without, `ci-${place}-${config}`)
            const after = cacheStamp(ci.at[place])
            if (config === 'warm' && (!after || after.mtimeMs !== restored.mtimeMs)) r.cacheEvents.push(`a CI build (${place}) rewrote the facts file (it parsed something)`)
            return c.totalMs
          })
        }
      }
      for (const d of [...Object.values(ci.at), ci.saved]) rmSync(d, { recursive: true, force: true })

      add(r.tsc, await guarded(`p${n} tsc`, () => runTsc(dir)))
      if (args.tsc6) add(r.tsc6, (await guarded(`p${n} TS 6 check`, () => runChild(['tsc6', dir]))).totalMs)
      const c = r.scanCold.at(-1)
      const w = r.scanWarm.at(-1)
      log(`  rep ${rep + 1}/${args.reps} p${n}: vite w/o ${fmtMs(r.without.at(-1))}, cold ${fmtMs(r.cold.at(-1))}, warm ${fmtMs(r.warm.at(-1))} ms; ` +
        `fresh process w/o ${fmtMs(r.freshWithout.at(-1))}, cold ${fmtMs(r.freshCold.at(-1))}, warm ${fmtMs(r.freshWarm.at(-1))} (first ${fmtMs(r.freshPrime.at(-1))}); ` +
        `tsc ${fmtMs(r.tsc.at(-1))} (TS 6 ${fmtMs(r.tsc6.at(-1))}); scan cold ${fmtMs(c.scanMs)}, warm ${fmtMs(w.scanMs)} ms` +
        (c.rescan ? `; re-scan median ${fmtMs(median(c.rescan.samples))} / ${fmtMs(median(w.rescan.samples))} ms, watch update ${fmtMs(median(c.watchUpdate.samples))} / ${fmtMs(median(w.watchUpdate.samples))} ms` : ''))
      if (rep === 0 && Math.max(r.without[0], r.cold[0]) > 60_000) {
        slow.add(n)
        notes.push(`p${n}: a vite build took over 60 s, so it was measured once (no repetitions)`)
      }
    }
    repsDone = rep + 1
  }
  if (args.phases) {
    busy.push(settle(machineBusy(), 'before the phase breakdown'))
    log('  phase breakdown (fresh processes, cold and warm)…')
  }
  // three fresh processes per size and mode; each step's median
  const PHASE_RUNS = 3
  const medianPhases = (runs) => Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((x) => x[k]))]))
  const phases = {}
  for (const n of args.phases ? args.sizes : []) {
    const { dir } = projects[n]
    if (!cacheStamp(dir)) await fresh(raw[n], n, dir, 'warm', [], 'fresh-first')
    const runs = { cold: [], warm: [] }
    for (let i = 0; i < PHASE_RUNS; i++) for (const k of ['cold', 'warm']) add(runs[k], await guarded(`p${n} phases ${k}`, () => runChild(['phases', dir, k])))
    const pick = (list) => (list.some((_, i) => list.clean[i]) ? list.filter((_, i) => list.clean[i]) : list)
    phases[n] = { cold: medianPhases(pick(runs.cold)), warm: medianPhases(pick(runs.warm)) }
  }

  // ---- results -------------------------------------------------------------------------------
  const results = {
    date: new Date().toISOString().slice(0, 10),
    mode, reps: repsDone,
    source,
    machine: {
      cores: cpus().length, parallelism: availableParallelism(), cpu: cpus()[0]?.model ?? null, node: process.version, vite: vite.version, tsc: tscVersion,
      loadAverageAtStart: loadAtStart.map((x) => round(x, 2)), loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
      otherCpuLoad: [...busy, machineBusy()], secondsWaitedForQuiet: waits, remeasured, contaminated,
    },
    build: "vite.build({ root, configFile: false, logLevel: 'silent', build: { ssr: 'src/main.ts', write: false, minify: false, sourcemap: false } })",
    scenarios: {
      cold: 'koanBackup({ dts: false, report: false, cache: false }) / Scanner with cache: false; the cache file is removed first',
      warm: 'koanBackup({ dts: false, report: false }) / Scanner with the default cache; <project>/node_modules/.cache/koan-backup/facts.json written beforehand by a build in another process',
      ci: 'koanBackup({ dts: false, report: false }) in a fresh copy of the project (new mtimes and inodes, with a lockfile) into which the cache folder a build of an earlier copy wrote is restored: at that copy\'s path (samePath) or at another (otherPath)',
    },
    targets: TARGETS,
    sizes: {},
    notes,
  }
  const hookMedian = (list, key) => med(list, (h) => h[key] ?? 0)
  const hookSummary = (list) => ({
    buildStart: round(hookMedian(list, 'buildStart')),
    transform: round(hookMedian(list, 'transform')),
    transformCalls: hookMedian(list, 'transformCalls'),
    resolveIdAndLoad: round(med(list, (h) => (h.resolveId ?? 0) + (h.load ?? 0)), 2),
    resolveIdCalls: hookMedian(list, 'resolveIdCalls'),
  })
  const sumOver = (a, b) => (a === null || b === null ? null : round(a / b, 4))
  for (const n of args.sizes) {
    const r = raw[n]
    const p = projects[n]
    const without = med(r.without)
    const freshWithout = med(r.freshWithout)
    const tsc = med(r.tsc)
    const tsc6 = med(r.tsc6)
    const scenario = (key) => {
      const scans = key === 'cold' ? r.scanCold : r.scanWarm
      const withMs = med(r[key])
      const freshWith = med(key === 'cold' ? r.freshCold : r.freshWarm)
      const scanMs = med(scans, (x) => x.scanMs)
      const rescan = scans.find((x) => x.rescan)?.rescan
      const watch = scans.find((x) => x.watchUpdate)?.watchUpdate
      return {
        // the overhead is the median of the pairs' own ratios (each pair built back to back); the ratio of the
        // separate medians is kept beside it (it pools every `without` build of the repetition, cold and warm phases)
        viteWithMs: round(withMs), pluginOverhead: round(med(r.pairs[key]) - 1, 4),
        pluginOverheadOfMedians: sumOver(withMs - without, without), pairRatios: r.pairs[key].map((x) => round(x, 3)),
        viteFreshWithMs: round(freshWith), pluginOverheadFresh: round(med(r.freshPairs[key]) - 1, 4),
        pluginOverheadFreshOfMedians: sumOver(freshWith - freshWithout, freshWithout), freshPairRatios: r.freshPairs[key].map((x) => round(x, 3)),
        pluginOverheadFreshLowerQuartiles: lowerQuartileOverhead(key === 'cold' ? r.freshCold : r.freshWarm, r.freshWithout),
        hooksMs: hookSummary(r.hooks[key]), hooksFreshMs: hookSummary(r.freshHooks[key]),
        scanMs: round(scanMs), tsLoadedByScan: scans.some((x) => x.tsNeeded),
        scanOverTsc: sumOver(scanMs, tsc), scanOverTsc6Js: sumOver(scanMs, tsc6),
        parsedInScan: scans[0].parsed, cacheFileExisted: scans[0].cacheExisted,
        repeatScanMs: round(med(scans, (x) => x.repeatScanMs)),
        rescanMs: rescan ? round(median(rescan.samples), 2) : null,
        rescanP90Ms: rescan ? round([...rescan.samples].sort((a, b) => a - b)[Math.floor(rescan.samples.length * 0.9)], 2) : null,
        rescanFile: rescan?.file ?? null, rescanCorrect: rescan?.ok ?? null,
        watchUpdateMs: watch ? round(median(watch.samples), 2) : null, watchUpdateCorrect: watch?.ok ?? null, moduleBytes: watch?.moduleBytes ?? null,
        bundleBytes: r.bundles[key].bytes,
        phases: Object.fromEntries(Object.entries(phases[n]?.[key] ?? {}).map(([k, v]) => [k, round(v)])),
        samples: {
          viteWithMs: r[key].map((x) => round(x)), viteFreshWithMs: (key === 'cold' ? r.freshCold : r.freshWarm).map((x) => round(x)),
          scanMs: scans.map((x) => round(x.scanMs)),
          rescanMs: rescan?.samples.map((x) => round(x, 2)) ?? [],
          watchUpdateMs: watch?.samples.map((x) => round(x, 2)) ?? [],
        },
      }
    }
    const cold = scenario('cold')
    const warm = scenario('warm')
    const firstC = r.scanCold[0]
    const firstW = r.scanWarm[0]
    const b = r.bundles
    const checks = {
      entitiesGenerated: p.entities, scopesGenerated: p.scopes, filesGenerated: p.files,
      entitiesFound: { cold: firstC.entities, warm: firstW.entities },
      scopesFound: { cold: firstC.scopes, warm: firstW.scopes },
      diagnostics: { cold: firstC.diagnostics, warm: firstW.diagnostics }, firstDiagnostic: firstC.firstDiagnostic ?? firstW.firstDiagnostic,
      parsedInScan: { cold: firstC.parsed, warm: firstW.parsed },
      warmCacheFileExisted: firstW.cacheExisted, defaultCacheFile: firstW.cacheFile === cacheFile(p.dir),
      rescanCorrect: { cold: cold.rescanCorrect, warm: warm.rescanCorrect },
      watchUpdateCorrect: { cold: cold.watchUpdateCorrect, warm: warm.watchUpdateCorrect },
      decoratorsLeftInBundle: Object.fromEntries(Object.entries(b).map(([k, x]) => [k, x.decoratorsLeft])),
      registryEntitiesInBundle: Object.fromEntries(Object.entries(b).filter(([k]) => !k.endsWith('without')).map(([k, x]) => [k, x.registryEntities])),
      backupAppBundles: Object.fromEntries(Object.entries(r.app.bundles).map(([k, x]) => [k, { decoratorsLeft: x.decoratorsLeft, registryEntities: x.registryEntities, engine: x.engine }])),
      cacheEvents: [...new Set(r.cacheEvents)],
    }
    const failed = []
    if (firstC.entities !== p.entities || firstW.entities !== p.entities) failed.push('entities found')
    if (firstC.scopes !== p.scopes || firstW.scopes !== p.scopes) failed.push('scopes found')
    if (firstC.diagnostics || firstW.diagnostics) failed.push('diagnostics')
    if (firstC.parsed !== p.files || firstW.parsed !== 0 || !firstW.cacheExisted || !checks.defaultCacheFile) failed.push('cache use (cold must parse every file, warm none)')
    if (Object.values(checks.decoratorsLeftInBundle).some((x) => x)) failed.push('@EntityBackup left in a bundle')
    if (Object.values(checks.registryEntitiesInBundle).some((x) => x !== p.entities)) failed.push('registry incomplete in a bundle')
    for (const [k, x] of Object.entries(checks.backupAppBundles)) {
      if (x.decoratorsLeft || !x.engine || x.registryEntities !== (k === 'without' ? 0 : p.entities)) failed.push(`backup app bundle (${k}): decorators left, no engine, or registry incomplete`)
    }
    if (cold.rescanCorrect === false || warm.rescanCorrect === false) failed.push('re-scan missed the toggled policy')
    if (cold.watchUpdateCorrect === false || warm.watchUpdateCorrect === false) failed.push('watch update missed the toggled policy')
    if (checks.cacheEvents.length) failed.push('cache file written when it should not be')
    if (failed.length) notes.push(`p${n}: sanity check failed (${failed.join(', ')}): ${JSON.stringify(checks)}`)
    results.sizes[n] = {
      files: p.files, entities: p.entities, folders: p.folders, scopeFiles: p.scopes, scannedFiles: firstC.stats.files,
      viteWithoutMs: round(without), viteFreshWithoutMs: round(freshWithout),
      hooksWithoutMs: { transform: round(hookMedian(r.hooks.without, 'transform')) },
      bundleBytesWithout: b.without.bytes,
      tscMs: round(tsc), tsc6JsMs: round(tsc6),
      // measured after the scans that did not need it (null when every scan loaded it itself)
      tsMorphImportMs: round(median([...r.scanCold, ...r.scanWarm].map((x) => x.tsMorphImport).filter((x) => x !== null && x !== undefined))),
      pluginModulesImportMs: round(median([med(r.scanCold, (x) => x.pluginImport), med(r.scanWarm, (x) => x.pluginImport)])),
      cacheFileBytes: median(r.cache),
      firstBuildWithCacheFreshMs: round(med(r.freshPrime)), firstBuildWithCacheOverhead: sumOver(med(r.freshPrime) - freshWithout, freshWithout),
      cold, warm,
      ci: Object.fromEntries(CI_PLACES.map((place) => {
        const x = r.ci[place]
        return [place, {
          viteFreshWithoutMs: round(med(x.without)), viteFreshWithMs: round(med(x.with)), pluginOverheadFresh: round(med(x.pairs) - 1, 4),
          pluginOverheadFreshLowerQuartiles: lowerQuartileOverhead(x.with, x.without),
          freshPairRatios: x.pairs.map((v) => round(v, 3)), samples: { without: x.without.map((v) => round(v)), with: x.with.map((v) => round(v)) },
        }]
      })),
      backupApp: r.app.without.length ? {
        viteWithoutMs: round(med(r.app.without)), bundleBytesWithout: r.app.bundles.without.bytes, bundleBytesWith: r.app.bundles.cold.bytes,
        ...Object.fromEntries(['cold', 'warm'].map((k) => [k, {
          viteWithMs: round(med(r.app[k])), pluginOverhead: round(med(r.app.pairs[k]) - 1, 4), pairRatios: r.app.pairs[k].map((x) => round(x, 3)),
        }])),
        samples: { viteWithoutMs: r.app.without.map((x) => round(x)), cold: r.app.cold.map((x) => round(x)), warm: r.app.warm.map((x) => round(x)) },
      } : null,
      samples: { viteWithoutMs: r.without.map((x) => round(x)), viteFreshWithoutMs: r.freshWithout.map((x) => round(x)), firstBuildWithCacheFreshMs: r.freshPrime.map((x) => round(x)), tscMs: r.tsc.map((x) => round(x)), tsc6JsMs: r.tsc6.map((x) => round(x)) },
      checks,
      sane: failed.length === 0,
      /** samples taken while other processes used the CPUs (left out of the medians when a clean one exists) */
      contaminatedSamples: Object.fromEntries(Object.entries({
        viteWithout: r.without, viteCold: r.cold, viteWarm: r.warm, freshWithout: r.freshWithout, freshCold: r.freshCold, freshWarm: r.freshWarm,
        freshFirst: r.freshPrime, scanCold: r.scanCold, scanWarm: r.scanWarm, tsc: r.tsc, tsc6: r.tsc6,
      }).map(([k, list]) => [k, (list.clean ?? []).filter((c) => !c).length]).filter(([, c]) => c > 0)),
    }
  }
  const verdict = (v, t) => (v === null || v === undefined ? null : v <= t)
  const s1000 = results.sizes[1000]
  results.verdicts = Object.fromEntries(['cold', 'warm'].map((k) => [k, {
    overheadAt1000: s1000 ? verdict(s1000[k].pluginOverhead, TARGETS.overheadAt1000) : null,
    overheadAt1000Fresh: s1000 ? verdict(s1000[k].pluginOverheadFresh, TARGETS.overheadAt1000) : null,
    backupAppOverheadAt1000: s1000?.backupApp ? verdict(s1000.backupApp[k].pluginOverhead, TARGETS.overheadAt1000) : null,
    scanOverTsc: Object.fromEntries(args.sizes.map((n) => [n, verdict(results.sizes[n][k].scanOverTsc, TARGETS.scanOverTsc)])),
    rescanMs: Object.fromEntries(args.sizes.map((n) => [n, verdict(results.sizes[n][k].rescanMs, TARGETS.rescanMs)])),
  }]))
  results.verdicts.ci = Object.fromEntries(CI_PLACES.map((place) => [place, s1000 ? verdict(s1000.ci[place].pluginOverheadFresh, TARGETS.overheadAt1000) : null]))
  const largest = Math.max(...args.sizes)
  if (contaminated.length) notes.push(`${contaminated.length} measurement(s) still had other processes using the CPUs after 3 attempts: ${contaminated.join('; ')}`)
  if (results.sizes[largest].viteWithoutMs > 20_000) notes.push(`the ${largest}-file vite build takes ${fmtMs(results.sizes[largest].viteWithoutMs)} ms without the plugin`)
  results.totalSeconds = round((performance.now() - started) / 1000)
  writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n')
  recordFigures(results, args)

  // ---- tables --------------------------------------------------------------------------------
  const table = (cols) => {
    const lines = [['size', ...cols.map(([h, , w]) => pad(h, w))].join('  ')]
    for (const n of args.sizes) lines.push([pad(n, 4), ...cols.map(([h, f, w]) => pad(f(results.sizes[n]) ?? '—', Math.max(w, h.length)))].join('  '))
    return lines
  }
  const mark = (v) => (v === null || v === undefined ? 'n/a' : v ? 'met' : 'MISSED')
  const out = ['']
  out.push(`koan-backup scan benchmark — ${results.date}, ${mode}, median of ${repsDone} repetition(s); vite builds up to 1000 files: ${IN_PROCESS_PAIRS} in-process and ${FRESH_PAIRS} fresh-process pairs per repetition (re-scan: median of 20), ${results.machine.cores} cores, node ${process.version}, vite ${vite.version}, tsc ${tscVersion}`)
  out.push(`vite: ${results.build}; in this process after warm-up, and in a fresh process (node start + imports + build)`)
  out.push(args.head
    ? `plugin code: HEAD ${source.commit} built by the benchmark (build ${source.buildHash}); ${source.excludedUncommitted.length} uncommitted change(s) under plugin/ and runtime/ not included`
    : `plugin code: dist/ (build ${source.buildHash}), checkout at ${source.commit ?? 'unknown commit'}${source.uncommitted.length ? ` with ${source.uncommitted.length} uncommitted change(s) under plugin/ and runtime/` : ''}`)
  out.push(`CPU time used by other processes (sampled before the run, between repetitions, before the phases, after): ${results.machine.otherCpuLoad.map(share).join(', ')}${waits.length ? `; waited ${waits.join(' + ')} s for quiet` : ''}; ${remeasured} measurement(s) repeated because other processes used the CPUs, ${contaminated.length} kept although contaminated`)
  for (const k of ['cold', 'warm']) {
    out.push('')
    out.push(k === 'cold' ? 'COLD: no facts cache (cache: false; first build ever, CI without a cache)' : 'WARM: facts cache file written by an earlier build process (default options)')
    out.push(...table([
      ['files', (x) => x.files, 5], ['vite w/o', (x) => fmtMs(x.viteWithoutMs), 8], ['vite with', (x) => fmtMs(x[k].viteWithMs), 9], ['overhead', (x) => pct(x[k].pluginOverhead), 8],
      ['fresh w/o', (x) => fmtMs(x.viteFreshWithoutMs), 9], ['fresh with', (x) => fmtMs(x[k].viteFreshWithMs), 10], ['fresh ovh', (x) => pct(x[k].pluginOverheadFresh), 9],
      ['tsc', (x) => fmtMs(x.tscMs), 5], ['scan', (x) => fmtMs(x[k].scanMs), 5], ['scan/tsc', (x) => ratio(x[k].scanOverTsc), 8],
      ['TS loaded', (x) => (x[k].tsLoadedByScan ? 'yes' : 'no'), 9], ['re-scan', (x) => fmtMs(x[k].rescanMs), 7], ['watch update', (x) => fmtMs(x[k].watchUpdateMs), 12],
      ['buildStart', (x) => fmtMs(x[k].hooksMs.buildStart), 10], ['transform', (x) => fmtMs(x[k].hooksMs.transform), 9],
    ]))
  }
  out.push('(ms; overhead = median over the interleaved pairs of with ÷ w/o, minus 1 (the with/w/o columns are the separate medians); scan = first Scanner.scan() in a fresh process, including loading')
  out.push(' TypeScript if it needs it (TS loaded: whether it did); re-scan = Scanner.update(file) after an edit, median of 20; watch update = the same edit through PluginContext.update (re-scan +')
  out.push(' regenerating the registry module), median of 20; buildStart / transform = time in those plugin hooks, in-process build)')
  out.push('')
  out.push('CI: a fresh checkout (every file new: new mtimes and inodes; a lockfile) with the cache folder of an earlier job restored; fresh process, default options')
  out.push(...table(CI_PLACES.flatMap((place) => [
    [`${CI_LABELS[place]} w/o`, (x) => fmtMs(x.ci[place].viteFreshWithoutMs), 8], [`with`, (x) => fmtMs(x.ci[place].viteFreshWithMs), 5], [`ovh`, (x) => pct(x.ci[place].pluginOverheadFresh), 5],
  ])))
  out.push('(same path: the checkout where the earlier job ran, as on most CI services; other path: another folder (another runner or workspace), the cache\'s paths moved to it)')
  out.push('')
  out.push('APP THAT BACKS UP: src/app.ts = the same app and `backup` (the full registry module and the engine); in process')
  out.push(...table([
    ['vite w/o', (x) => fmtMs(x.backupApp?.viteWithoutMs), 8], ['cold with', (x) => fmtMs(x.backupApp?.cold.viteWithMs), 9], ['cold ovh', (x) => pct(x.backupApp?.cold.pluginOverhead), 8],
    ['warm with', (x) => fmtMs(x.backupApp?.warm.viteWithMs), 9], ['warm ovh', (x) => pct(x.backupApp?.warm.pluginOverhead), 8],
    ['bundle w/o', (x) => fmtKB(x.backupApp?.bundleBytesWithout), 10], ['bundle with', (x) => fmtKB(x.backupApp?.bundleBytesWith), 11],
  ]))
  out.push('(w/o = the same ids served with a registry of no entities, and `codecs` and `backup` made by the engine over it: both sides bundle the engine)')
  out.push('')
  out.push(...table([
    ['TypeScript load', (x) => fmtMs(x.tsMorphImportMs), 15], ['first build, default options (fresh)', (x) => `${fmtMs(x.firstBuildWithCacheFreshMs)} (${pct(x.firstBuildWithCacheOverhead)})`, 20],
    ['cache file', (x) => fmtKB(x.cacheFileBytes), 10], ['repeat scan', (x) => fmtMs(x.cold.repeatScanMs), 11], ['baseline transform', (x) => fmtMs(x.hooksWithoutMs.transform), 18],
    ['TS 6 JS check', (x) => fmtMs(x.tsc6JsMs), 13], ['bundle w/o', (x) => fmtKB(x.bundleBytesWithout), 10], ['bundle with', (x) => fmtKB(x.cold.bundleBytes), 11],
    ['registry module', (x) => fmtKB(x.cold.moduleBytes), 15],
  ]))
  out.push('(first build = a fresh-process build with the default options and no cache file yet: it parses everything and writes the cache;')
  out.push(' repeat scan = scan() again in the same process with nothing changed; TS 6 JS check = ts-morph\'s TypeScript 6 type check, fresh process)')
  out.push('')
  out.push('targets:')
  for (const k of ['cold', 'warm']) {
    const v = results.verdicts[k]
    out.push(`  ${k}: plugin overhead at 1000 files ≤ ${pct(TARGETS.overheadAt1000)}: ${s1000 ? `${pct(s1000[k].pluginOverhead)} → ${mark(v.overheadAt1000)}; fresh process ${pct(s1000[k].pluginOverheadFresh)} → ${mark(v.overheadAt1000Fresh)} (medians of the pairs' ratios; ratios of the separate medians: ${pct(s1000[k].pluginOverheadOfMedians)}, fresh ${pct(s1000[k].pluginOverheadFreshOfMedians)}; fresh, lower quartiles: ${pct(s1000[k].pluginOverheadFreshLowerQuartiles)})` : 'n/a (size 1000 not measured)'}`)
    if (s1000?.backupApp) out.push(`    the app that backs up (in process): ${pct(s1000.backupApp[k].pluginOverhead)} → ${mark(v.backupAppOverheadAt1000)}`)
    for (const n of args.sizes) {
      const x = results.sizes[n][k]
      out.push(`    p${n}: full scan / tsc = ${ratio(x.scanOverTsc)} (≤ ${TARGETS.scanOverTsc}: ${mark(v.scanOverTsc[n])}; TypeScript ${x.tsLoadedByScan ? 'loaded by the scan, its load included' : 'not loaded'}), ` +
        `re-scan ${fmtMs(x.rescanMs)} ms (≤ ${TARGETS.rescanMs} ms: ${mark(v.rescanMs[n])})`)
    }
  }
  if (s1000) out.push(`  CI, a fresh checkout with the cache folder restored, fresh process, at 1000 files ≤ ${pct(TARGETS.overheadAt1000)}: ${CI_PLACES.map((place) => `${CI_LABELS[place]} ${pct(s1000.ci[place].pluginOverheadFresh)} → ${mark(results.verdicts.ci[place])} (lower quartiles: ${pct(s1000.ci[place].pluginOverheadFreshLowerQuartiles)})`).join('; ')}`)
  const phaseTable = (k, keys) => table(keys.map((key) => [key, (x) => fmtMs(x[k].phases[key]), 6]))
  if (args.phases) {
    out.push('')
    out.push('cold scan phases (fresh process, the steps of Scanner.scan() + module generation; ms):')
    out.push(...phaseTable('cold', ['tsMorphImport', 'pluginImport', 'loadTsconfig', 'findScopeFiles', 'readFiles', 'hash', 'parse', 'link', 'scanSum', 'generate', 'cacheSave', 'tsParse', 'parseWarm', 'tsParseWarm', 'linkWarm', 'relinkOne', 'generateWarm']))
    out.push('(parse = the quick declaration reader (TypeScript\'s parser where it gives up); tsParse = the syntax-tree reader alone over the same files,')
    out.push(' its code run for the first time; parseWarm / tsParseWarm = both again, best of 3)')
    out.push('')
    out.push('warm scan phases (fresh process, facts from the cache file; ms):')
    out.push(...phaseTable('warm', ['tsMorphImport', 'pluginImport', 'loadTsconfig', 'findScopeFiles', 'readFiles', 'hash', 'cacheLoad', 'cacheLookup', 'link', 'scanSum', 'generate', 'linkWarm', 'relinkOne', 'generateWarm']))
  }
  if (notes.length) {
    out.push('')
    out.push('notes:')
    for (const note of notes) out.push(`  - ${note}`)
  } else {
    out.push('')
    out.push('all sanity checks passed')
  }
  out.push('')
  out.push(`wrote ${RESULTS.slice(REPO.length + 1)}; total ${results.totalSeconds} s`)
  console.log(out.join('\n'))

  // remove the projects this run generated (projects reused from an earlier --keep run stay) and the plugin copy
  if (!args.keep) {
    for (const n of args.sizes) if (!projects[n].reused) rmSync(projects[n].dir, { recursive: true, force: true })
    for (const d of ['plugin-dist', 'head']) rmSync(join(TMP, d), { recursive: true, force: true })
    if (existsSync(TMP) && readdirSync(TMP).every((f) => f === 'scan.lock')) rmSync(TMP, { recursive: true, force: true })
  }
}

/** The headline figures for bench/run.mjs: plugin overhead on the vite build, scan ÷ tsc, re-scan, per scenario and size. */
function recordFigures(results, args) {
  const recorder = figureRecorder('scan')
  const label = { cold: 'cold: no facts cache', warm: 'warm: facts cache file' }
  for (const k of ['cold', 'warm']) {
    for (const n of args.sizes) {
      const x = results.sizes[n]
      const c = x[k]
      const common = { group: 'scan', rows: n, unit: 'ms', ratioOf: 'time', size: `${n.toLocaleString('en-US')} files` }
      recorder.add({
        ...common, id: `scan.${k}.${n}.vite`, name: `vite build with the plugin, in process (${label[k]}; ratio: median of the interleaved pairs)`,
        value: c.viteWithMs, baseline: { name: 'vite build without it', value: x.viteWithoutMs, unit: 'ms' }, ratio: 1 + c.pluginOverhead,
        target: n === 1000 ? { op: '<=', value: 1 + TARGETS.overheadAt1000 } : null,
      })
      if (n === 1000) {
        recorder.add({
          ...common, id: `scan.${k}.${n}.vite-fresh`, name: `vite build with the plugin, fresh process (${label[k]}; ratio: median of the interleaved pairs)`,
          value: c.viteFreshWithMs, baseline: { name: 'vite build without it', value: x.viteFreshWithoutMs, unit: 'ms' }, ratio: 1 + c.pluginOverheadFresh,
          target: { op: '<=', value: 1 + TARGETS.overheadAt1000 },
        })
      }
      if (x.backupApp) {
        recorder.add({
          ...common, id: `scan.${k}.${n}.vite-backup-app`, name: `vite build of the app that imports backup, in process (${label[k]}; ratio: median of the interleaved pairs)`,
          value: x.backupApp[k].viteWithMs, baseline: { name: 'vite build without the plugin (engine over an empty registry)', value: x.backupApp.viteWithoutMs, unit: 'ms' },
          ratio: 1 + x.backupApp[k].pluginOverhead, target: n === 1000 ? { op: '<=', value: 1 + TARGETS.overheadAt1000 } : null,
        })
      }
      recorder.add({
        ...common, id: `scan.${k}.${n}.scan`, name: `full scan (${label[k]})`,
        value: c.scanMs, baseline: { name: 'tsc --noEmit (TS 7)', value: x.tscMs, unit: 'ms' }, target: { op: '<=', value: TARGETS.scanOverTsc },
      })
      recorder.add({
        ...common, id: `scan.${k}.${n}.rescan`, name: `re-scan of one edited file (${label[k]}; median of 20)`,
        value: c.rescanMs, baseline: null, ratio: null, target: { op: '<=', value: TARGETS.rescanMs, on: 'value' },
      })
    }
  }
  const s1000 = results.sizes[1000]
  for (const place of s1000 ? CI_PLACES : []) {
    const c = s1000.ci[place]
    recorder.add({
      group: 'scan', rows: 1000, unit: 'ms', ratioOf: 'time', size: '1,000 files', id: `scan.ci-${place}.1000.vite-fresh`,
      name: `vite build with the plugin, fresh process, in a fresh checkout with the cache folder restored (${CI_LABELS[place]}; ratio: median of the interleaved pairs)`,
      value: c.viteFreshWithMs, baseline: { name: 'vite build without it', value: c.viteFreshWithoutMs, unit: 'ms' }, ratio: 1 + c.pluginOverheadFresh,
      target: { op: '<=', value: 1 + TARGETS.overheadAt1000 },
    })
  }
  recorder.write({ machine: machineInfo(), sizes: args.sizes, reps: results.reps, otherCpuLoad: results.machine.otherCpuLoad, contaminated: results.machine.contaminated })
}

const argv = process.argv.slice(2)
if (argv[0] === '--child') {
  const [, kind, dir, ...rest] = argv
  const flag = rest.indexOf('--rescan')
  const rescan = flag === -1 ? 0 : Number(rest[flag + 1])
  const allowed = { scan: ['cold', 'warm'], phases: ['cold', 'warm'], vite: ['without', 'cold', 'warm'], tsc6: [undefined] }[kind]
  if (!allowed || !allowed.includes(kind === 'tsc6' ? undefined : rest[0])) throw new Error(`--child ${kind}: expected ${allowed?.join('|') ?? 'scan|phases|vite|tsc6'}, got ${rest[0]}`)
  if (kind === 'scan') await childScan(dir, rest[0], rescan)
  else if (kind === 'phases') await childPhases(dir, rest[0])
  else if (kind === 'vite') await childVite(dir, rest[0])
  else if (kind === 'tsc6') await childTsc6(dir)
  else throw new Error(`unknown child mode ${kind}`)
} else {
  // one run at a time: two runs would share bench/.tmp/pN and its cache file (and each other's CPUs)
  const lock = join(TMP, 'scan.lock')
  mkdirSync(TMP, { recursive: true })
  const holder = existsSync(lock) ? Number(readFileSync(lock, 'utf8')) : 0
  let alive = false
  try {
    alive = holder > 0 && process.kill(holder, 0)
  } catch {
    alive = false
  }
  if (alive) throw new Error(`another scan benchmark (pid ${holder}) is running; wait for it or delete ${lock.slice(REPO.length + 1)}`)
  writeFileSync(lock, String(process.pid))
  try {
    await main()
  } finally {
    rmSync(lock, { force: true })
  }
}
