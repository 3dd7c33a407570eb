// Shared helpers of the bench scripts: arguments, timing, memory, formatting, the measured build, the Media rows
// and the figures each script hands to bench/run.mjs. See bench/README.md.

import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BENCH = dirname(fileURLToPath(import.meta.url))
export const REPO = dirname(BENCH)
export const TMP = join(BENCH, '.tmp')
/** Bytes per MiB (memory figures). Throughput figures use decimal MB (1e6). */
export const MiB = 1024 * 1024

// ---------------------------------------------------------------------------------------------------------------
// arguments

/** `--name`, `--name value` and `--name=value` readers over argv (default: this process's arguments). */
export function parseArgs(argv = process.argv.slice(2)) {
  const raw = (name) => {
    const i = argv.indexOf(`--${name}`)
    if (i !== -1) return argv[i + 1]
    const eq = argv.find((a) => a.startsWith(`--${name}=`))
    return eq === undefined ? undefined : eq.slice(name.length + 3)
  }
  return {
    argv,
    flag: (name) => argv.includes(`--${name}`),
    option: raw,
    /** A positive integer (`1_000_000` and `1000000` alike), or `fallback` when absent. */
    integer(name, fallback) {
      const v = raw(name)
      if (v === undefined) return fallback
      const n = Number(String(v).replace(/_/g, ''))
      if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got ${JSON.stringify(v)}`)
      return n
    },
    /** A comma-separated list, or `fallback` (a string or an array) when absent. */
    list(name, fallback) {
      const v = raw(name) ?? fallback
      return (Array.isArray(v) ? v : String(v).split(',')).map((s) => String(s).trim()).filter(Boolean)
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// timing and memory

export function median(xs) {
  if (!xs.length) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d)

/** `globalThis.gc`, which the memory figures need (`node --expose-gc`). */
export function requireGc() {
  if (!globalThis.gc) throw new Error('run with node --expose-gc')
  return globalThis.gc
}

/** Runs `fn` after a GC (when exposed) and returns its wall time in ms with its value. */
export async function timed(fn) {
  globalThis.gc?.()
  const start = performance.now()
  const value = await fn()
  return { ms: performance.now() - start, value }
}

/** Peak RSS from now on: Linux's VmHWM after resetting it (/proc/self/clear_refs), else a 5 ms sampling timer. */
export function peakMeter() {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024
    return { source: 'VmHWM', read: hwm }
  } catch {
    let max = process.memoryUsage.rss()
    const timer = setInterval(() => { max = Math.max(max, process.memoryUsage.rss()) }, 5)
    return { source: 'sampled every 5 ms', read: () => { clearInterval(timer); return Math.max(max, process.memoryUsage.rss()) } }
  }
}

/**
 * Runs a command (argv, no shell) under GNU time when present, stdin and stdout optionally from and to files: wall
 * ms and max RSS (bytes; null without GNU time).
 */
export function timedCommand(argv, { input, output, env = process.env } = {}) {
  const gnuTime = existsSync('/usr/bin/time')
  const stdin = input ? openSync(input, 'r') : 'ignore'
  const stdout = output ? openSync(output, 'w') : 'pipe'
  try {
    const t0 = performance.now()
    const r = gnuTime
      ? spawnSync('/usr/bin/time', ['-f', 'KBRSS %M', ...argv], { encoding: 'utf8', maxBuffer: 64 * MiB, env, stdio: [stdin, stdout, 'pipe'] })
      : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * MiB, env, stdio: [stdin, stdout, 'pipe'] })
    const ms = performance.now() - t0
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`)
    const m = /KBRSS (\d+)/.exec(r.stderr)
    return { ms, peakRss: m ? Number(m[1]) * 1024 : null }
  } finally {
    if (typeof stdin === 'number') closeSync(stdin)
    if (typeof stdout === 'number') closeSync(stdout)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// formatting

/** Items (rows, vectors) per second. */
export const perSecond = (n, ms) => (ms > 0 ? n / (ms / 1000) : null)
/** Decimal MB per second. */
export const mbPerSecond = (bytes, ms) => (ms > 0 ? bytes / 1e6 / (ms / 1000) : null)
export const fmtMs = (x) => (x === null || x === undefined ? '—' : x >= 100 ? Math.round(x).toString() : x.toFixed(1))
export const fmtMiB = (b) => (b === null || b === undefined ? '—' : `${(b / MiB).toFixed(0)} MB`)
export const fmtRatio = (r, suffix = '×') => (r === null || r === undefined || !Number.isFinite(r) ? '—' : `${r.toFixed(2)}${suffix}`)
export const fmtPct = (x) => (x === null || x === undefined ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`)
export const thousands = (x) => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'))

// ---------------------------------------------------------------------------------------------------------------
// the measured code: git state, a private copy of dist/, the codec fixture bundled through the plugin

/** Commit, subject and uncommitted changes under `paths` (read-only git queries; nulls outside a checkout). */
export function gitSource(paths = ['runtime', 'plugin']) {
  const git = (...a) => spawnSync('git', a, { cwd: REPO, encoding: 'utf8', maxBuffer: 256 * MiB }).stdout?.trimEnd() ?? ''
  return {
    commit: git('rev-parse', '--short', 'HEAD') || null,
    subject: git('log', '-1', '--format=%s').slice(0, 80) || null,
    uncommitted: git('status', '--porcelain', '--', ...paths).split('\n').filter(Boolean).map((l) => l.trim()),
  }
}

/** A short SHA-256 of the `.js` files under `dir` (relative paths and contents), to tell builds apart. */
export function hashTree(dir) {
  const h = createHash('sha256')
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.js')) h.update(p.slice(dir.length)).update(readFileSync(p))
    }
  }
  walk(dir)
  return h.digest('hex').slice(0, 12)
}

/** The build the scripts measure: dist/, or the one named by $KOAN_BENCH_DIST (e.g. another commit's build). */
export const DIST = process.env.KOAN_BENCH_DIST ?? join(REPO, 'dist')

/** Copies the measured build to bench/.tmp/<name>/ (a rebuild of dist/ during the run then changes nothing). */
export function copyDist(name) {
  const copy = join(TMP, name)
  rmSync(copy, { recursive: true, force: true })
  mkdirSync(TMP, { recursive: true })
  cpSync(DIST, copy, { recursive: true, filter: (f) => !f.endsWith('.map') })
  return copy
}

/** Builds the committed HEAD (plugin/, runtime/; git archive, read-only) into `dir` with the repository's tsc; returns its dist/. */
export function buildHead(dir, log = console.log) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const archive = spawnSync('git', ['archive', '--format=tar', 'HEAD', 'plugin', 'runtime', 'tsconfig.json', 'package.json'], { cwd: REPO, maxBuffer: 256 * MiB })
  if (archive.status !== 0) throw new Error(`git archive HEAD failed: ${archive.stderr}`)
  const tar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout })
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`)
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const t = performance.now()
  const r = spawnSync(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`building HEAD failed:\n${r.stdout}${r.stderr}`)
  log(`  built HEAD into ${join(dir, 'dist').slice(REPO.length + 1)} in ${Math.round(performance.now() - t)} ms`)
  return join(dir, 'dist')
}

/**
 * Bundles the codec fixture's registry and `Media` through the plugin (esbuild) into `outfile`, the engine and codec
 * runtime staying imports of `dist` (so profiles name the engine's files).
 */
export async function bundleCodecFixture(dist, outfile) {
  const { build } = await import('esbuild')
  const { default: koanBackup } = await import(`${dist}/plugin/esbuild.js`)
  const root = join(REPO, 'test/fixtures/codec')
  const runtimeExternal = {
    name: 'runtime-external',
    setup(b) {
      b.onResolve({ filter: /^koan-backup\/(engine|codec)$/ }, (a) => ({ path: `${dist}/runtime/${a.path.endsWith('engine') ? 'engine' : 'schema'}/index.js`, external: true }))
    },
  }
  await build({
    stdin: { contents: `export { registry, codecs } from 'koan-backup/registry'\nexport { Media } from './src/entities.ts'`, resolveDir: root, loader: 'ts' },
    bundle: true, outfile, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
    plugins: [runtimeExternal, koanBackup({ root, dts: false, report: false })],
  })
}

/** The machine a run was measured on. */
export function machineInfo() {
  return {
    cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? null, memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version, platform: `${process.platform} ${process.arch}`, loadAverage: loadavg().map((l) => round(l, 2)),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the rows: a realistic Media entity (strings, numbers, a Date, a nested object, an array)

const words = ['koan', 'backup', 'vector', 'entity', 'restore', 'quiet', 'river', 'stone', 'cloud', 'garden']
export const mediaId = (i) => `media-${i.toString(36)}`

/** Row `i` as a `Media` instance. */
export function mediaRow(Media, i) {
  const m = new Media()
  m.id = mediaId(i)
  m.title = `${words[i % 10]} ${words[(i * 7) % 10]} #${i}`
  m.description = `A short description of item ${i}: ${words[(i * 3) % 10]} and ${words[(i * 5) % 10]}.`
  m.views = (i * 7919) % 100000
  m.rating = ((i % 50) / 10) + 0.25
  m.createdAt = new Date(1_700_000_000_000 + i * 60_000)
  m.dimensions = { width: 640 + (i % 1280), height: 480 + (i % 720) }
  m.tags = [words[i % 10], words[(i + 3) % 10], words[(i + 6) % 10]]
  return m
}

/** The same row in its stored form (what `serialize` writes, parsed): filling sources with these is faster. */
export function storedMediaRow(i) {
  return {
    id: mediaId(i),
    title: `${words[i % 10]} ${words[(i * 7) % 10]} #${i}`,
    description: `A short description of item ${i}: ${words[(i * 3) % 10]} and ${words[(i * 5) % 10]}.`,
    views: (i * 7919) % 100000,
    rating: ((i % 50) / 10) + 0.25,
    createdAt: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
    dimensions: { width: 640 + (i % 1280), height: 480 + (i % 720) },
    tags: [words[i % 10], words[(i + 3) % 10], words[(i + 6) % 10]],
  }
}

// ---------------------------------------------------------------------------------------------------------------
// figures: what bench/run.mjs collects into bench/results.json and the README table

const compare = { '>=': (a, b) => a >= b, '<=': (a, b) => a <= b }

/**
 * Collects a script's headline figures. Each one is a koan-backup measurement next to its baseline from the same
 * run: `ratio` is baseline time ÷ koan time when `ratioOf` is 'throughput' (> 1: koan-backup faster), and koan ÷
 * baseline when it is 'time' (< 1: koan-backup faster), 'memory' or 'size' (< 1: koan-backup smaller). A `target` applies to the ratio, or to the value when
 * `target.on` is 'value'. `write()` saves them to the file given by `--figures <file>` (bench/run.mjs passes it).
 */
export function figureRecorder(script, argv = process.argv.slice(2)) {
  const file = parseArgs(argv).option('figures')
  const figures = []
  const skipped = []
  return {
    figures,
    /** Adds a figure; fills `ratio` from the times when absent, and `met` from the target. */
    add(f) {
      const ratio = f.ratio ?? (f.baseline?.value && f.value
        ? (f.ratioOf && f.ratioOf !== 'throughput' ? f.value / f.baseline.value : f.baseline.value / f.value) : null)
      const on = f.target?.on === 'value' ? f.value : ratio
      const met = f.target && on !== null && on !== undefined && Number.isFinite(on) ? compare[f.target.op](on, f.target.value) : null
      const fig = { script, ratioOf: 'throughput', ...f, ratio: ratio === null ? null : round(ratio, 3), met }
      for (const k of ['value', 'rowsPerSec', 'MBps', 'peakRssMB', 'peakAboveLoadMB']) if (typeof fig[k] === 'number') fig[k] = round(fig[k], k === 'value' ? 3 : 1)
      if (fig.baseline && typeof fig.baseline.value === 'number') fig.baseline = { ...fig.baseline, value: round(fig.baseline.value, 3) }
      figures.push(fig)
      return fig
    },
    /** A figure that could not be measured in this run, and why (printed and kept in the results). */
    skip(id, reason) {
      skipped.push({ script, id, reason })
      console.log(`skipped ${id}: ${reason}`)
    },
    write(extra = {}) {
      if (!file) return
      writeFileSync(file, JSON.stringify({ script, figures, skipped, ...extra }, null, 2) + '\n')
    },
  }
}

/** Milliseconds → seconds, rounded for the figures. */
export const seconds = (ms) => round(ms / 1000, 3)
/** Bytes → MiB, for the figures. */
export const toMiB = (b) => (b === null || b === undefined ? null : round(b / MiB, 1))
