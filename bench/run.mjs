#!/usr/bin/env node
// Runs every bench script, collects their headline figures into bench/results.json and regenerates the results
// table of bench/README.md (between its bench:table markers). See bench/README.md ("Running everything").
//
//   npm run bench                      build, then the full suite (~20 min on an idle 2-core machine)
//   npm run bench:quick                build, then smaller sizes and fewer repetitions (under 2 min)
//   node bench/run.mjs --only backup,serialize   some scripts only (the README table still lists every figure
//                                                 of this run; results.json says which scripts ran)
//   node bench/run.mjs --no-pg         skip PostgreSQL (the rows say why)
//   node bench/run.mjs --no-readme     write bench/results.json only
//   node bench/run.mjs --table-only    regenerate the README table from the committed bench/results.json, run nothing
//   node bench/run.mjs --head          measure the last commit (built from git archive into bench/.tmp/run-head/), not
//                                      dist/: uncommitted work in the checkout does not reach the figures
//
// Each script runs in its own child process with --expose-gc, so its memory figures are its own. PostgreSQL: a
// throwaway server from scripts/pg-test-server.sh (stopped at the end), unless KOAN_BENCH_PG_URL names one.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { BENCH, DIST, REPO, TMP, buildHead, gitSource, machineInfo, parseArgs, round } from './lib.mjs'
import { renderTable, replaceBetweenMarkers } from './table.mjs'

const SCRIPTS = ['scan', 'serialize', 'backup', 'vectors']
const args = parseArgs()
const README = join(BENCH, 'README.md')
if (args.flag('table-only')) {
  const results = JSON.parse(readFileSync(join(BENCH, 'results.json'), 'utf8'))
  writeFileSync(README, replaceBetweenMarkers(readFileSync(README, 'utf8'), renderTable(results)))
  console.log('bench/README.md: table regenerated from bench/results.json')
  process.exit(0)
}
const QUICK = args.flag('quick')
const ONLY = args.list('only', SCRIPTS)
for (const s of ONLY) if (!SCRIPTS.includes(s)) throw new Error(`--only: unknown script ${JSON.stringify(s)} (known: ${SCRIPTS.join(', ')})`)

/** Per script: the arguments of the quick and the full run. */
const PLAN = {
  scan: {
    quick: ['--quick', '--sizes', '1000', '--no-phases', '--no-tsc6', '--max-wait', '10'],
    full: ['--reps', '3', '--no-phases', '--no-tsc6'],
  },
  serialize: {
    quick: ['--rows', '100000', '--reps', '1'],
    full: ['--rows', '1000000', '--reps', '3'],
  },
  backup: {
    quick: ['--lean', '--stores', 'memory,sqlite,postgres', '--memory-rows', '50000', '--sqlite-rows', '10000,30000,100000', '--postgres-rows', '30000', '--reps', '1', '--restore-reps', '1'],
    full: ['--lean', '--stores', 'memory,sqlite,postgres', '--memory-rows', '100000,1000000', '--sqlite-rows', '100000,300000,1000000', '--postgres-rows', '100000,1000000', '--reps', '2', '--restore-reps', '1'],
  },
  vectors: {
    quick: ['--quick', '--count', '4000', '--pglite-count', '500', '--no-phases'],
    full: ['--count', '100000', '--reps', '1', '--no-phases'],
  },
}

const started = performance.now()
const date = new Date().toISOString()
const machine = { ...machineInfo(), loadAverageAtStart: loadavg().map((l) => round(l, 2)) }
const source = gitSource(['runtime', 'plugin', 'bench'])
const log = (m) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`)
mkdirSync(TMP, { recursive: true })
// the build every script measures (children read $KOAN_BENCH_DIST through bench/lib.mjs)
const measured = args.flag('head')
  ? { dist: buildHead(join(TMP, 'run-head'), log), what: `HEAD ${source.commit} (built from git archive; uncommitted changes not measured)` }
  : { dist: DIST, what: DIST === join(REPO, 'dist') ? `dist/ (${source.commit}${source.uncommitted.length ? ` + ${source.uncommitted.length} uncommitted change(s) under runtime/, plugin/, bench/` : ''})` : DIST }

// PostgreSQL for the backup rows: a named server, or a throwaway one; without it the rows are skipped with the reason
const pg = { url: process.env.KOAN_BENCH_PG_URL ?? null, dir: null, skipped: null, version: null }
if (ONLY.includes('backup')) {
  if (args.flag('no-pg')) pg.skipped = '--no-pg'
  else if (!pg.url) {
    const r = spawnSync(join(REPO, 'scripts/pg-test-server.sh'), ['start'], { encoding: 'utf8' })
    const url = /KOAN_TEST_PG_URL=(\S+)/.exec(r.stdout ?? '')?.[1]
    const dir = /KOAN_TEST_PG_DIR=(\S+)/.exec(r.stdout ?? '')?.[1]
    if (r.status === 0 && url) Object.assign(pg, { url, dir })
    else pg.skipped = `PostgreSQL could not start (scripts/pg-test-server.sh exited ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}`
  }
  if (pg.url) pg.version = spawnSync('psql', [pg.url, '-XAtqc', 'SHOW server_version'], { encoding: 'utf8' }).stdout?.trim() || null
  log(pg.skipped ? `PostgreSQL rows skipped: ${pg.skipped}` : `PostgreSQL ${pg.version} at ${pg.url}${pg.dir ? ' (throwaway server)' : ''}`)
}
const stopPg = () => {
  if (pg.dir) spawnSync(join(REPO, 'scripts/pg-test-server.sh'), ['stop', pg.dir], { stdio: 'ignore' })
  pg.dir = null
}
process.on('SIGINT', () => { stopPg(); process.exit(130) })

const runs = {}
const figures = []
const skipped = pg.skipped ? [{ script: 'backup', id: 'backup.postgres', reason: pg.skipped }] : []
try {
  for (const script of ONLY) {
    const plan = PLAN[script][QUICK ? 'quick' : 'full']
    const figuresFile = join(TMP, `figures-${script}.json`)
    rmSync(figuresFile, { force: true })
    const stores = plan.indexOf('--stores')
    const argv = pg.url || stores === -1 ? plan : plan.map((a, i) => (i === stores + 1 ? a.split(',').filter((s) => s !== 'postgres').join(',') : a))
    log(`${script}: node --expose-gc bench/${script}.mjs ${argv.join(' ')}`)
    const t = performance.now()
    const env = { ...process.env, KOAN_BENCH_DIST: measured.dist, ...(pg.url ? { KOAN_BENCH_PG_URL: pg.url } : {}) }
    const r = spawnSync(process.execPath, ['--expose-gc', join(BENCH, `${script}.mjs`), ...argv, '--figures', figuresFile], { stdio: 'inherit', env, cwd: REPO })
    const seconds = round((performance.now() - t) / 1000)
    const out = existsSync(figuresFile) ? JSON.parse(readFileSync(figuresFile, 'utf8')) : null
    runs[script] = { args: argv, seconds, status: r.status, figures: out?.figures.length ?? 0 }
    if (out) {
      figures.push(...out.figures)
      skipped.push(...out.skipped)
    }
    if (r.status !== 0 || !out) {
      const reason = `bench/${script}.mjs exited ${r.status ?? r.signal}${out ? '' : ' without figures'}`
      runs[script].error = reason
      skipped.push({ script, id: script, reason })
    }
    log(`${script}: ${seconds} s, ${runs[script].figures} figure(s)${runs[script].error ? `; ${runs[script].error}` : ''}`)
  }
} finally {
  stopPg()
}

const wallSeconds = round((performance.now() - started) / 1000)
machine.loadAverageAtEnd = loadavg().map((l) => round(l, 2))
const results = {
  date, mode: QUICK ? 'quick' : 'full', scripts: ONLY, wallSeconds, machine, source, measured: measured.what,
  postgres: { version: pg.version, skipped: pg.skipped },
  runs,
  ratios: 'ratioOf throughput: baseline time ÷ koan-backup time (> 1: koan-backup faster); time, memory, size: koan-backup ÷ baseline (< 1: koan-backup faster or smaller); a target applies to the ratio unless it says on: value',
  figures,
  skipped,
}
writeFileSync(join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n')
const table = renderTable(results)
console.log(`\n${table}`)
if (!args.flag('no-readme')) {
  writeFileSync(README, replaceBetweenMarkers(readFileSync(README, 'utf8'), table))
  log('bench/README.md: table regenerated')
}
const met = figures.filter((f) => f.met === true).length
const missed = figures.filter((f) => f.met === false).length
log(`wrote bench/results.json: ${figures.length} figures (${met} targets met, ${missed} missed), ${skipped.length} skipped; wall time ${wallSeconds} s${QUICK ? ` (quick mode${wallSeconds > 120 ? ': OVER the 2-minute budget' : ''})` : ''}`)
if (Object.values(runs).some((r) => r.error)) process.exitCode = 1
