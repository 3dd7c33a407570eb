#!/usr/bin/env node
// Backup and restore benchmark of the koan-backup runtime engine. See bench/README.md.
//
//   node --expose-gc bench/backup.mjs               100,000 and 1,000,000 Media rows; memory and SQLite stores
//   node --expose-gc bench/backup.mjs --quick       100,000 rows only
//   node --expose-gc bench/backup.mjs --rows 250000 chosen sizes (comma-separated)
//   node --expose-gc bench/backup.mjs --sqlite-rows 100000,300000,1000000   sizes of one store (also --memory-rows,
//                                                   --postgres-rows; default: --rows)
//   node --expose-gc bench/backup.mjs --reps 5      interleaved repetitions of the backup pair (koan / stringify; median;
//                                                   default 3, 1 with --quick)
//   node --expose-gc bench/backup.mjs --restore-reps 3   the same for the restore pair (koan / split-lines; default 2);
//                                                   the other cases run once
//   node --expose-gc bench/backup.mjs --stores sqlite,postgres   (default memory,sqlite; postgres needs
//                                                   KOAN_BENCH_PG_URL or KOAN_TEST_PG_URL, see scripts/pg-test-server.sh)
//   node --expose-gc bench/backup.mjs --core        only the four cases the targets compare (e.g. to check memory at 3M rows)
//   node --expose-gc bench/backup.mjs --lean        the cases the targets compare (incl. the dry run and the parsers alone), stream-json and the store's own dump
//                                                   (without the verify diagnostics)
//   node --expose-gc bench/backup.mjs --keep        keep the temp folder (source databases, backups, dumps)
//   node --expose-gc bench/backup.mjs --profile     koan-backup backup and restore and their JSON baselines, each
//                                                   child profiling the timed part (inspector CPU profiler);
//                                                   prints where the time goes, writes no results file
//   node --expose-gc bench/backup.mjs --figures f   also write the headline figures to f (bench/run.mjs does)
//
// `npm run bench:backup` builds the package first. The script copies dist/ to bench/.tmp/backup-dist/ and
// measures the copy (a rebuild during the run changes nothing). Every case runs in a fresh child process
// (`--child <json>`) that builds its own source rows, so the peak RSS of each case can be measured alone.

import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { open as openFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createGunzip, createGzip } from 'node:zlib'
import {
  BENCH, MiB, TMP, bundleCodecFixture, copyDist, figureRecorder, gitSource, hashTree, machineInfo, mbPerSecond, median,
  mediaRow, parseArgs, peakMeter, perSecond, requireGc, seconds, storedMediaRow, timedCommand, toMiB,
} from './lib.mjs'

const DIST_COPY = join(TMP, 'backup-dist')
const BUNDLE = join(TMP, 'backup-registry.mjs')
const FULL_NAME = 'src.entities.Media'
const MB = MiB
const row = mediaRow
const storedRow = storedMediaRow

// ---------------------------------------------------------------------------------------------------------------
// child process: one case

if (process.argv[2] === '--child') {
  const spec = JSON.parse(process.argv[3])
  const result = await runChild(spec)
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`)
  process.exit(0)
}

async function runChild(spec) {
  const gc = requireGc()
  const dist = spec.dist
  const [{ registry, codecs, Media }, { createBackup }, { memoryStore }, { sqliteStore }, { postgresStore }] = await Promise.all([
    import(spec.bundle), import(`${dist}/runtime/engine/index.js`), import(`${dist}/runtime/adapters/data/memory.js`),
    import(`${dist}/runtime/adapters/data/sqlite.js`), import(`${dist}/runtime/adapters/data/postgres.js`),
  ])
  const codec = codecs[FULL_NAME]
  // what the engine streams and restores through (the engine's own descriptor: instances, validated), and the baselines' raw access
  // to the same table (the stored JSON form passes through unchanged; the store still converts it to cells/text)
  const entityDescriptor = {
    fullName: codec.fullName, name: codec.name, fields: codec.fields,
    toStored: (entity) => JSON.parse(codec.serialize(entity)), fromStored: (stored, row) => codec.deserialize(stored, row),
  }
  const rawDescriptor = { fullName: codec.fullName, name: codec.name, fields: codec.fields, toStored: (v) => v, fromStored: (v) => v }
  for (const i of [0, 1, 35, 1_000_003]) {
    if (JSON.stringify(storedRow(i)) !== codec.serialize(row(Media, i))) throw new Error(`storedRow(${i}) is not the stored form of row(${i})`)
  }
  // a PostgreSQL store lives in its own schema: the source's (filled once per size) or a fresh one per restore
  const openStore = (file, schema) => (spec.store === 'memory' ? memoryStore()
    : spec.store === 'postgres' ? postgresStore({ connectionString: spec.pgUrl, schema, max: 2 })
      : sqliteStore({ file }))
  const engine = (store) => createBackup({ registry, codecs, classes: { [FULL_NAME]: Media }, config: { data: store, path: spec.backupRoot, logger: false } })

  if (spec.op === 'gen-source') {
    const t0 = performance.now()
    const store = openStore(spec.file, spec.schema)
    await fill(await store.collection(rawDescriptor), spec.rows)
    await store.close()
    return { ms: performance.now() - t0 }
  }

  // the source: a store holding `rows` Media rows (memory: generated here; SQLite: a copy of the generated file)
  const setupStart = performance.now()
  let store
  if (spec.op.startsWith('backup')) {
    if (spec.store === 'memory') {
      store = memoryStore()
      await fill(await store.collection(rawDescriptor), spec.rows)
    } else if (spec.store === 'postgres') {
      store = openStore(null, spec.schema) // the source schema, only read by a backup
    } else {
      copyFileSync(spec.source, join(spec.dir, 'source.db'))
      store = sqliteStore({ file: join(spec.dir, 'source.db') })
    }
    // open the table and warm the store (the memory store sorts its ids on the first stream, then caches the order)
    const c = await store.collection(entityDescriptor)
    const it = c.stream()[Symbol.asyncIterator]()
    await it.next()
    await it.return?.()
  } else {
    store = openStore(join(spec.dir, 'target.db'), spec.targetSchema)
    await store.collection(entityDescriptor) // opens the database and creates the table, as the restore would
  }
  const setupMs = performance.now() - setupStart

  const cases = {
    'backup-koan': async () => {
      const r = await engine(store).Media.create()
      if (r.entityCount !== spec.rows) throw new Error(`backed up ${r.entityCount} rows, expected ${spec.rows}`)
      return { file: join(spec.backupRoot, FULL_NAME, r.timestamp, 'data.json.gz'), timestamp: r.timestamp }
    },
    'backup-json': async () => {
      // the minimal equivalent: stream the same rows, JSON.stringify each, write batches to gzip (level 6) and a file
      const file = join(spec.dir, 'baseline.json.gz')
      const handle = await openFile(file, 'wx')
      const gzip = createGzip({ level: 6 })
      const done = pipeline(gzip, handle.createWriteStream({ flush: true }))
      const c = await store.collection(entityDescriptor)
      let batch = []
      let first = true
      const write = async (text) => {
        if (!gzip.write(text)) await new Promise((r) => gzip.once('drain', r))
      }
      let n = 0
      await write('[\n')
      for await (const entity of c.stream()) {
        batch.push(JSON.stringify(entity))
        n++
        if (batch.length === 1000) {
          await write((first ? '' : ',\n') + batch.join(',\n'))
          first = false
          batch = []
        }
      }
      await write((first || batch.length === 0 ? '' : ',\n') + batch.join(',\n') + (n ? '\n]\n' : ']\n'))
      gzip.end()
      await done
      if (n !== spec.rows) throw new Error(`wrote ${n} rows, expected ${spec.rows}`)
      return { file }
    },
    'restore-koan': async () => {
      const r = await engine(store).Media.restore()
      if (r.inserted !== spec.rows) throw new Error(`restored ${r.inserted} rows, expected ${spec.rows}`)
      return {}
    },
    'restore-dry': async () => {
      const r = await engine(store).Media.restore({ dryRun: true })
      if (r.inserted !== spec.rows) throw new Error(`dry run counted ${r.inserted} rows, expected ${spec.rows}`)
      return {}
    },
    'restore-lines': async () => {
      // gunzip, split lines, JSON.parse each, upsert in batches of 1000; no checksum, no validation, no id checks
      const c = await store.collection(rawDescriptor)
      const text = createReadStream(spec.file).pipe(createGunzip())
      text.setEncoding('utf8')
      let pending = ''
      let batch = []
      let n = 0
      const take = async (line) => {
        if (line === '[' || line === ']' || line === '') return
        batch.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line))
        n++
        if (batch.length === 1000) {
          await c.upsert(batch)
          batch = []
        }
      }
      for await (const chunk of text) {
        pending += chunk
        let start = 0
        for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
          await take(pending.slice(start, nl))
          start = nl + 1
        }
        pending = pending.slice(start)
      }
      await take(pending)
      if (batch.length) await c.upsert(batch)
      if (n !== spec.rows) throw new Error(`parsed ${n} rows, expected ${spec.rows}`)
      return {}
    },
    'restore-streamjson': async () => {
      const [{ parser }, { streamArray }, { default: chain }] = await Promise.all([
        import('stream-json'), import('stream-json/streamers/stream-array.js'), import('stream-chain'),
      ])
      const c = await store.collection(rawDescriptor)
      let batch = []
      let n = 0
      for await (const { value } of chain([createReadStream(spec.file), createGunzip(), parser(), streamArray()])) {
        batch.push(value)
        n++
        if (batch.length === 1000) {
          await c.upsert(batch)
          batch = []
        }
      }
      if (batch.length) await c.upsert(batch)
      if (n !== spec.rows) throw new Error(`parsed ${n} rows, expected ${spec.rows}`)
      return {}
    },
    'parse-lines': async () => {
      // the parsers alone (no store): gunzip, split lines, JSON.parse
      const text = createReadStream(spec.file).pipe(createGunzip())
      text.setEncoding('utf8')
      let pending = ''
      let n = 0
      const take = (line) => {
        if (line === '[' || line === ']' || line === '') return
        if (JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line).id) n++
      }
      for await (const chunk of text) {
        pending += chunk
        let start = 0
        for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
          take(pending.slice(start, nl))
          start = nl + 1
        }
        pending = pending.slice(start)
      }
      take(pending)
      if (n !== spec.rows) throw new Error(`parsed ${n} rows, expected ${spec.rows}`)
      return {}
    },
    'parse-streamjson': async () => {
      const [{ parser }, { streamArray }, { default: chain }] = await Promise.all([
        import('stream-json'), import('stream-json/streamers/stream-array.js'), import('stream-chain'),
      ])
      let n = 0
      for await (const { value } of chain([createReadStream(spec.file), createGunzip(), parser(), streamArray()])) if (value.id) n++
      if (n !== spec.rows) throw new Error(`parsed ${n} rows, expected ${spec.rows}`)
      return {}
    },
    'verify-checksum': async () => {
      await engine(store).Media.verify(spec.timestamp)
      return {}
    },
    'verify-decode': async () => {
      const r = await engine(store).Media.verify(spec.timestamp, { readData: true })
      if (r.rows !== spec.rows) throw new Error(`verified ${r.rows} rows, expected ${spec.rows}`)
      return {}
    },
  }
  const fn = cases[spec.op]
  if (!fn) throw new Error(`unknown op ${spec.op}`)

  // measure: RSS after the source is loaded (after GC), the peak while the case runs (VmHWM, reset at the start)
  gc()
  gc()
  const baseRss = process.memoryUsage.rss()
  const profiler = spec.profile ? await startProfiler() : null
  const peak = peakMeter()
  const t0 = performance.now()
  const out = await fn()
  const ms = performance.now() - t0
  const peakRss = peak.read()
  if (profiler) writeFileSync(spec.profile, JSON.stringify(await profiler.stop()))
  const lifetimeMaxRss = process.resourceUsage().maxRSS * 1024
  let check = {}
  if (spec.op.startsWith('restore') && spec.op !== 'restore-dry') {
    const c = await store.collection(rawDescriptor)
    check.count = await c.count()
    if (check.count !== spec.rows) throw new Error(`the store holds ${check.count} rows after ${spec.op}, expected ${spec.rows}`)
    const sample = await c.get(`media-${(spec.rows - 1).toString(36)}`)
    check.lastRowMatches = sample !== undefined && JSON.stringify(sample) === codec.serialize(row(Media, spec.rows - 1))
  }
  gc()
  const afterRss = process.memoryUsage.rss()
  if (out.file) Object.assign(check, await textDigest(out.file), { gzBytes: statSync(out.file).size })
  await store.close?.()
  return { ms, setupMs, baseRss, peakRss, afterRss, lifetimeMaxRss, peakSource: peak.source, ...out, ...check }
}

/** A CPU profile of the timed part only (the inspector's sampling profiler, 1 ms interval as `--cpu-prof`). */
async function startProfiler() {
  const { Session } = await import('node:inspector')
  const session = new Session()
  session.connect()
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))))
  await post('Profiler.enable')
  await post('Profiler.setSamplingInterval', { interval: 1000 })
  await post('Profiler.start')
  return { stop: async () => (await post('Profiler.stop')).profile }
}

/** Fills a source table with `rows` rows in their stored form (through the store's raw-descriptor collection). */
async function fill(collection, rows) {
  for (let i = 0; i < rows; i += 10_000) {
    const batch = []
    for (let k = i; k < Math.min(rows, i + 10_000); k++) batch.push(storedRow(k))
    await collection.upsert(batch)
  }
}

/** Byte count and SHA-256 of a gzip file's text (after the timed part). */
async function textDigest(file) {
  const hash = createHash('sha256')
  let textBytes = 0
  await pipeline(createReadStream(file), createGunzip(), async function* (source) {
    for await (const chunk of source) {
      hash.update(chunk)
      textBytes += chunk.length
    }
  })
  return { textBytes, textSha256: hash.digest('hex') }
}

// ---------------------------------------------------------------------------------------------------------------
// parent: orchestration, tables, results

const args = parseArgs()
const flag = args.flag
const QUICK = flag('quick')
const PROFILE = flag('profile')
const LEAN = flag('lean')
const SIZES = args.list('rows', QUICK ? '100000' : '100000,1000000').map((s) => Number(s.replace(/_/g, '')))
const REPS = args.integer('reps', QUICK ? 1 : 3)
const RESTORE_REPS = args.integer('restore-reps', QUICK ? 1 : 2)
const STORES = args.list('stores', 'memory,sqlite')
for (const s of STORES) if (!['memory', 'sqlite', 'postgres'].includes(s)) throw new Error(`--stores: unknown store ${JSON.stringify(s)} (known: memory, sqlite, postgres)`)
/** The sizes each store is measured at (`--<store>-rows`, else `--rows`). */
const SIZES_OF = Object.fromEntries(STORES.map((s) => [s, args.list(`${s}-rows`, SIZES.join(',')).map((x) => Number(x.replace(/_/g, '')))]))
const ALL_SIZES = [...new Set(Object.values(SIZES_OF).flat())].sort((a, b) => a - b)
const PG_URL = process.env.KOAN_BENCH_PG_URL ?? process.env.KOAN_TEST_PG_URL ?? null
const recorder = figureRecorder('backup')
const runStart = performance.now()

// the build that is measured: a copy of dist/, and the fixture bundled through the plugin with the runtime external
copyDist('backup-dist')
await bundleCodecFixture(DIST_COPY, BUNDLE)

const work = mkdtempSync(join(tmpdir(), 'kb-bench-backup-'))
const source = { ...gitSource(), distHash: hashTree(join(DIST_COPY, 'runtime')) }
const sqliteCli = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' })
const haveSqliteCli = sqliteCli.status === 0
const psqlCli = spawnSync('psql', ['--version'], { encoding: 'utf8' })
const havePsql = psqlCli.status === 0
console.log(`koan-backup backup/restore benchmark: ${STORES.map((s) => `${s} at ${SIZES_OF[s].map((n) => n.toLocaleString()).join(', ')}`).join('; ')} Media rows; ${REPS} rep(s) of the backup pair, ${RESTORE_REPS} of the restore pair${PROFILE ? '; PROFILE mode' : ''}${LEAN ? '; lean' : ''}`)
const loadavgAtStart = loadavg()
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log(`runtime: dist/ ${source.distHash} at ${source.commit}${source.uncommitted.length ? ` + ${source.uncommitted.length} uncommitted change(s) under runtime/ plugin/` : ''}; temp folder ${work}`)
if (!haveSqliteCli && STORES.includes('sqlite')) recorder.skip('backup.sqlite.dump', 'sqlite3 CLI not found: the .dump baseline is skipped (apt-get install sqlite3)')
/** PostgreSQL: measured only against a server that answers (never faked). */
let pgSkip = null
if (STORES.includes('postgres')) {
  if (!PG_URL) pgSkip = 'no PostgreSQL server: set KOAN_BENCH_PG_URL (or KOAN_TEST_PG_URL), e.g. eval "$(scripts/pg-test-server.sh)"'
  else if (!havePsql) pgSkip = 'psql not found: the COPY baselines need it'
  else {
    const ping = spawnSync('psql', [PG_URL, '-XAtqc', 'SELECT version()'], { encoding: 'utf8' })
    if (ping.status !== 0) pgSkip = `PostgreSQL at ${PG_URL} does not answer: ${ping.stderr.trim()}`
    else console.log(`PostgreSQL: ${ping.stdout.trim().split(' on ')[0]} at ${PG_URL}`)
  }
  if (pgSkip) recorder.skip('backup.postgres', pgSkip)
}
const MEASURED = STORES.filter((s) => s !== 'postgres' || !pgSkip)
let schemaSerial = 0
const psql = (sql) => {
  const r = spawnSync('psql', [PG_URL, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`)
  return r.stdout.trim()
}
const pgTable = (schema) => `"${schema}"."${FULL_NAME}"`

function child(spec, { profile = false } = {}) {
  const dir = mkdtempSync(join(work, `${spec.op}-`))
  const flags = ['--expose-gc']
  if (profile) {
    mkdirSync(join(work, 'profiles'), { recursive: true })
    spec = { ...spec, profile: join(work, 'profiles', `${spec.store}-${spec.rows}-${spec.op}.cpuprofile`) }
  }
  // a restore into PostgreSQL gets a fresh schema, dropped afterwards
  const targetSchema = spec.store === 'postgres' && spec.op.startsWith('restore') ? `kb_bench_${process.pid}_${++schemaSerial}` : undefined
  try {
    const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', JSON.stringify({ dist: DIST_COPY, bundle: BUNDLE, dir, pgUrl: PG_URL, targetSchema, ...spec })], {
      encoding: 'utf8', maxBuffer: 64 * MB, stdio: ['ignore', 'pipe', 'pipe'],
    })
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '))
    // status 13: the child's top-level await never settled (a promise of the case was left pending)
    if (r.status !== 0 || !line) throw new Error(`child ${spec.op} (${spec.store}, ${spec.rows}) failed (status ${r.status}${r.status === 13 ? ': the case never settled' : ''}):\n${r.stderr}\n${r.stdout}`)
    return JSON.parse(line.slice(7))
  } finally {
    if (!flag('keep')) rmSync(dir, { recursive: true, force: true })
    if (targetSchema) psql(`DROP SCHEMA IF EXISTS "${targetSchema}" CASCADE`)
  }
}

/** Median time of the samples; the RSS figures of the sample with the highest peak; every sample kept. */
function summarize(samples) {
  const worst = samples.reduce((a, b) => (b.peakRss - b.baseRss > a.peakRss - a.baseRss ? b : a))
  return { ...worst, ms: median(samples.map((s) => s.ms)), samples: samples.map((s) => ({ ms: Math.round(s.ms), baseRss: s.baseRss, peakRss: s.peakRss, afterRss: s.afterRss })) }
}

const results = {}
for (const rows of ALL_SIZES) {
  let sqliteSource = null
  let firstAtSize = true
  for (const store of MEASURED) {
    if (!SIZES_OF[store].includes(rows)) continue
    const key = `${store} ${rows}`
    const out = (results[key] = { store, rows, cases: {} })
    const backupRoot = join(work, `backups-${store}-${rows}`)
    let pgSource = null
    if (store === 'sqlite') {
      sqliteSource = join(work, `source-${rows}.db`)
      const g = child({ op: 'gen-source', store, rows, file: sqliteSource })
      out.sourceDbBytes = statSync(sqliteSource).size
      log(`${key}: generated the source database (${(out.sourceDbBytes / 1e6).toFixed(0)} MB) in ${(g.ms / 1000).toFixed(1)} s`)
    } else if (store === 'postgres') {
      pgSource = `kb_bench_src_${process.pid}_${rows}`
      psql(`DROP SCHEMA IF EXISTS "${pgSource}" CASCADE`)
      const g = child({ op: 'gen-source', store, rows, schema: pgSource })
      psql(`VACUUM ANALYZE ${pgTable(pgSource)}`)
      out.sourceDbBytes = Number(psql(`SELECT pg_total_relation_size('${pgTable(pgSource).replaceAll("'", "''")}')`))
      log(`${key}: generated the source table (${(out.sourceDbBytes / 1e6).toFixed(0)} MB) in ${(g.ms / 1000).toFixed(1)} s`)
    }
    const spec = { store, rows, backupRoot, source: sqliteSource, schema: pgSource }
    /** Runs cases `reps` times each, interleaved (a b a b …), each run in a fresh process. */
    const run = (cases, reps = 1) => {
      const samples = cases.map(() => [])
      for (let r = 0; r < reps; r++) {
        for (const [i, [, op, extra]] of cases.entries()) samples[i].push(child({ ...spec, op, ...extra }, { profile: PROFILE }))
      }
      return cases.map(([name], i) => {
        const x = (out.cases[name] = summarize(samples[i]))
        log(`${key}: ${name.padEnd(40)} ${(x.ms / 1000).toFixed(2).padStart(7)} s  ${fmtRate(rows, x.ms)} rows/s  peak ${fmtMB(x.peakRss)} (+${fmtMB(x.peakRss - x.baseRss)})${reps > 1 ? `  [${samples[i].map((s) => (s.ms / 1000).toFixed(2)).join(', ')} s]` : ''}`)
        return x
      })
    }
    // the cases the targets compare: `REPS` interleaved repetitions
    const [koan, json] = run([['koan backup', 'backup-koan'], ['JSON.stringify + batched writes', 'backup-json']], PROFILE ? 1 : REPS)
    const file = koan.file
    out.textBytes = koan.textBytes
    out.gzBytes = koan.gzBytes
    out.sameText = koan.textSha256 === json.textSha256
    run([['koan restore', 'restore-koan', { file }], ['split-lines + JSON.parse', 'restore-lines', { file }]], PROFILE ? 1 : RESTORE_REPS)
    if (PROFILE || flag('core')) continue
    run([['koan restore, dry run (no apply)', 'restore-dry', { file }], ['stream-json', 'restore-streamjson', { file }]])
    // the read path alone (no store writes on either side): the restore's dry run against the parsers alone
    run([['parse only: split-lines + JSON.parse', 'parse-lines', { file }], ['parse only: stream-json', 'parse-streamjson', { file }]])
    if (firstAtSize && !LEAN) {
      // where the restore's time goes, on the same file (no store involved): the engine's passes
      run([
        ['verify: checksum pass', 'verify-checksum', { file, timestamp: koan.timestamp }],
        ['verify: checksum + decode pass', 'verify-decode', { file, timestamp: koan.timestamp }],
      ])
    }
    firstAtSize = false
    if (store === 'sqlite' && haveSqliteCli) {
      // the same table dumped by the sqlite3 CLI, and the dump loaded into a new database
      const dump = join(work, `dump-${rows}.sql`)
      const target = join(work, `reload-${rows}.db`)
      const d = (out.cases['sqlite3 .dump'] = timedCommand(['sqlite3', sqliteSource, `.dump "${FULL_NAME}"`], { output: dump }))
      const l = (out.cases['sqlite3 reload (< dump.sql)'] = timedCommand(['sqlite3', target], { input: dump }))
      out.dumpBytes = statSync(dump).size
      const count = spawnSync('sqlite3', [target, `SELECT count(*) FROM "${FULL_NAME}"`], { encoding: 'utf8' }).stdout.trim()
      if (Number(count) !== rows) throw new Error(`the reloaded database holds ${count} rows, expected ${rows}`)
      log(`${key}: sqlite3 .dump ${(d.ms / 1000).toFixed(2)} s (peak ${fmtMB(d.peakRss)}), reload ${(l.ms / 1000).toFixed(2)} s (peak ${fmtMB(l.peakRss)}); dump ${(out.dumpBytes / 1e6).toFixed(0)} MB`)
      if (!flag('keep')) rmSync(dump, { force: true }), rmSync(target, { force: true })
    }
    if (store === 'postgres') {
      // the same table through COPY (text format) to a file, and that file copied into a new table of the same shape
      const dump = join(work, `copy-${rows}.txt`)
      const target = `kb_bench_copy_${process.pid}_${rows}`
      const copy = (sql, io) => timedCommand(['psql', PG_URL, '-Xq', '-v', 'ON_ERROR_STOP=1', '-c', sql], io)
      const d = (out.cases['COPY TO STDOUT'] = copy(`COPY (SELECT * FROM ${pgTable(pgSource)}) TO STDOUT`, { output: dump }))
      psql(`DROP SCHEMA IF EXISTS "${target}" CASCADE; CREATE SCHEMA "${target}"; CREATE TABLE ${pgTable(target)} (LIKE ${pgTable(pgSource)} INCLUDING ALL)`)
      const l = (out.cases['COPY FROM STDIN'] = copy(`COPY ${pgTable(target)} FROM STDIN`, { input: dump }))
      out.dumpBytes = statSync(dump).size
      const count = Number(psql(`SELECT count(*) FROM ${pgTable(target)}`))
      if (count !== rows) throw new Error(`the COPY target holds ${count} rows, expected ${rows}`)
      log(`${key}: COPY TO STDOUT ${(d.ms / 1000).toFixed(2)} s (psql peak ${fmtMB(d.peakRss)}), COPY FROM STDIN ${(l.ms / 1000).toFixed(2)} s; ${(out.dumpBytes / 1e6).toFixed(0)} MB of COPY text`)
      psql(`DROP SCHEMA IF EXISTS "${target}" CASCADE`)
      if (!flag('keep')) rmSync(dump, { force: true })
    }
    if (pgSource) psql(`DROP SCHEMA IF EXISTS "${pgSource}" CASCADE`)
  }
  if (sqliteSource && !flag('keep')) rmSync(sqliteSource, { force: true })
}

if (PROFILE) {
  summarizeProfiles(join(work, 'profiles'))
  finish()
} else {
  report()
  finish()
}

function finish() {
  if (!flag('keep')) rmSync(work, { recursive: true, force: true })
  else console.log(`kept ${work}`)
  console.log(`total ${((performance.now() - runStart) / 1000).toFixed(0)} s`)
}

function log(s) {
  console.log(`  [${((performance.now() - runStart) / 1000).toFixed(0).padStart(4)} s] ${s}`)
}

function fmtMB(b) {
  return b == null ? '—' : `${(b / MB).toFixed(0)} MB`
}

function fmtRate(rows, ms) {
  return Math.round(rows / (ms / 1000)).toLocaleString('en-US').padStart(9)
}

// ---------------------------------------------------------------------------------------------------------------
// report

function report() {
  const lines = []
  const print = (s = '') => { lines.push(s); console.log(s) }
  const ratios = {}
  const memory = {}
  const BACKUP_BASE = 'JSON.stringify + batched writes'
  const RESTORE_BASE = 'split-lines + JSON.parse'
  print()
  print('| store | rows | case | time (s) | rows/s | MB/s | × baseline | RSS after load | peak RSS | peak − after load |')
  print('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const [key, r] of Object.entries(results)) {
    const c = r.cases
    const rowOf = (name, baseline) => {
      const x = c[name]
      if (!x) return
      const times = baseline && c[baseline] ? `${(c[baseline].ms / x.ms).toFixed(2)}×` : ''
      const mbps = (r.textBytes / 1e6) / (x.ms / 1000)
      const base = x.baseRss != null ? fmtMB(x.baseRss) : '—'
      const inc = x.baseRss != null ? fmtMB(x.peakRss - x.baseRss) : '—'
      print(`| ${r.store} | ${r.rows.toLocaleString('en-US')} | ${name} | ${(x.ms / 1000).toFixed(2)} | ${Math.round(r.rows / (x.ms / 1000)).toLocaleString('en-US')} | ${mbps.toFixed(1)} | ${times} | ${base} | ${fmtMB(x.peakRss)} | ${inc} |`)
    }
    rowOf('koan backup', BACKUP_BASE)
    rowOf(BACKUP_BASE)
    rowOf('koan restore', RESTORE_BASE)
    rowOf('koan restore, dry run (no apply)', RESTORE_BASE)
    rowOf(RESTORE_BASE)
    rowOf('stream-json', RESTORE_BASE)
    rowOf('sqlite3 .dump')
    rowOf('sqlite3 reload (< dump.sql)')
    rowOf('COPY TO STDOUT')
    rowOf('COPY FROM STDIN')
    rowOf('verify: checksum pass')
    rowOf('verify: checksum + decode pass', 'parse only: split-lines + JSON.parse')
    rowOf('parse only: split-lines + JSON.parse')
    rowOf('parse only: stream-json', 'parse only: split-lines + JSON.parse')
    const t = (name) => c[name]?.ms
    const ratio = (a, b) => (t(a) && t(b) ? t(a) / t(b) : undefined)
    ratios[key] = {
      backupVsStringify: ratio(BACKUP_BASE, 'koan backup'),
      restoreVsSplitLines: ratio(RESTORE_BASE, 'koan restore'),
      restoreVsStreamJson: ratio('stream-json', 'koan restore'),
      dryRunVsSplitLines: ratio(RESTORE_BASE, 'koan restore, dry run (no apply)'),
      readPathVsParseLines: ratio('parse only: split-lines + JSON.parse', 'koan restore, dry run (no apply)'),
      readPathVsParseStreamJson: ratio('parse only: stream-json', 'koan restore, dry run (no apply)'),
      applyShareOfRestore: t('koan restore, dry run (no apply)') ? 1 - t('koan restore, dry run (no apply)') / t('koan restore') : undefined,
      splitLinesVsStreamJson: ratio('stream-json', RESTORE_BASE),
      ...(c['sqlite3 .dump'] ? { backupRestoreVsDumpReload: (t('sqlite3 .dump') + t('sqlite3 reload (< dump.sql)')) / (t('koan backup') + t('koan restore')) } : {}),
      ...(c['COPY TO STDOUT'] ? { backupRestoreVsCopy: (t('COPY TO STDOUT') + t('COPY FROM STDIN')) / (t('koan backup') + t('koan restore')) } : {}),
    }
    const inc = (name) => (c[name] ? c[name].peakRss - c[name].baseRss : undefined)
    memory[key] = {
      backupPeakAboveLoad: inc('koan backup'), backupPeak: c['koan backup']?.peakRss, baselineBackupPeakAboveLoad: inc(BACKUP_BASE),
      restorePeakAboveLoad: inc('koan restore'), restorePeak: c['koan restore']?.peakRss, baselineRestorePeakAboveLoad: inc(RESTORE_BASE),
      restoreRssAfter: c['koan restore'] ? c['koan restore'].afterRss - c['koan restore'].baseRss : undefined,
    }
  }
  const anyStore = Object.values(results).filter((r) => r.store === MEASURED[0])
  const x = (v, d = 2) => (v === undefined ? '—' : `${v.toFixed(d)}×`)
  print()
  print('Sizes: ' + anyStore.map((r) => `${r.rows.toLocaleString('en-US')} rows = ${(r.textBytes / 1e6).toFixed(1)} MB of JSON text (MB/s above), ${(r.gzBytes / 1e6).toFixed(1)} MB gzipped`).join('; '))
  print(`Same data file text as the baseline: ${Object.values(results).every((r) => r.sameText) ? 'yes (byte-identical JSON)' : 'NO'}`)
  print()
  print('Throughput ratios (koan-backup ÷ baseline; > 1 = koan-backup faster):')
  for (const [key, v] of Object.entries(ratios)) {
    print(`  ${key.padEnd(16)} backup ${x(v.backupVsStringify)} stringify (target ≥ 1.0) | restore ${x(v.restoreVsSplitLines)} split-lines (target ≥ 0.8), ${x(v.restoreVsStreamJson)} stream-json (target ≥ 5)`)
    print(`  ${''.padEnd(16)} read path (dry run, no writes on either side): ${x(v.readPathVsParseLines)} split-lines parse (target ≥ 0.8), ${x(v.readPathVsParseStreamJson)} stream-json parse (target ≥ 5)`)
    print(`  ${''.padEnd(16)} dry run ${x(v.dryRunVsSplitLines)} split-lines; the apply is ${v.applyShareOfRestore === undefined ? '—' : `${(v.applyShareOfRestore * 100).toFixed(0)}%`} of the restore; split-lines itself is ${x(v.splitLinesVsStreamJson)} stream-json${v.backupRestoreVsDumpReload ? `; backup + restore ${x(v.backupRestoreVsDumpReload)} sqlite3 .dump + reload` : ''}${v.backupRestoreVsCopy ? `; backup + restore ${x(v.backupRestoreVsCopy)} COPY out + in` : ''}`)
  }
  print()
  print('Peak RSS above the process after it loaded its source (the target: ≤ 150 MB, flat in the row count); absolute peak in brackets:')
  for (const [key, v] of Object.entries(memory)) {
    print(`  ${key.padEnd(16)} backup +${fmtMB(v.backupPeakAboveLoad)} (${fmtMB(v.backupPeak)}; baseline +${fmtMB(v.baselineBackupPeakAboveLoad)}) | restore +${fmtMB(v.restorePeakAboveLoad)} (${fmtMB(v.restorePeak)}; baseline +${fmtMB(v.baselineRestorePeakAboveLoad)}; RSS after it, GC'd: +${fmtMB(v.restoreRssAfter)})`)
  }
  const file = join(BENCH, 'results-backup.json')
  writeFileSync(file, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), loadavgAtStart, loadavgAtEnd: loadavg(),
    sizes: SIZES_OF, reps: REPS, restoreReps: RESTORE_REPS, stores: STORES, quick: QUICK, source, sqliteCli: haveSqliteCli ? sqliteCli.stdout.trim().split(' ')[0] : null,
    peakRssSource: Object.values(results)[0]?.cases['koan backup']?.peakSource,
    totalSeconds: Math.round((performance.now() - runStart) / 1000), results, ratios, memory, table: lines,
  }, null, 2) + '\n')
  console.log(`\nwrote ${file}`)
  recordFigures()
}

/** The headline figures for bench/run.mjs: each koan case against its baseline, with rows/s, MB/s and peak RSS. */
function recordFigures() {
  const STORE_NAMES = { memory: 'memory', sqlite: 'SQLite', postgres: 'PostgreSQL' }
  for (const r of Object.values(results)) {
    const c = r.cases
    const where = STORE_NAMES[r.store]
    const figure = (id, group, name, koanCase, baseCase, target, extra = {}) => {
      const k = c[koanCase]
      const b = c[baseCase]
      if (!k || !b) return
      recorder.add({
        id: `${group}.${r.store}.${r.rows}.${id}`, group, store: r.store, rows: r.rows, name: `${name} (${where})`,
        value: seconds(k.ms), unit: 's', baseline: { name: baseCase, value: seconds(b.ms), unit: 's', peakRssMB: toMiB(b.peakRss) },
        target, rowsPerSec: perSecond(r.rows, k.ms), MBps: mbPerSecond(r.textBytes, k.ms),
        peakRssMB: toMiB(k.peakRss), peakAboveLoadMB: k.baseRss != null ? toMiB(k.peakRss - k.baseRss) : null, ...extra,
      })
    }
    figure('stringify', 'backup', 'koan backup', 'koan backup', 'JSON.stringify + batched writes', { op: '>=', value: 1.0 })
    figure('dump', 'backup', 'koan backup', 'koan backup', 'sqlite3 .dump', null)
    figure('copy', 'backup', 'koan backup', 'koan backup', 'COPY TO STDOUT', null)
    figure('split-lines', 'restore', 'koan restore', 'koan restore', 'split-lines + JSON.parse', { op: '>=', value: 0.8 })
    figure('stream-json', 'restore', 'koan restore', 'koan restore', 'stream-json', { op: '>=', value: 5 })
    // the read path: what a restore does before its writes (checksum, parse, validate, count, duplicate and id lookups),
    // measured as the dry run, against the parsers alone; the store's writes, the same on both sides, left out
    // (diagnostics, without targets: the targets are read end to end, above)
    figure('read-split-lines', 'restore', 'koan restore read path (dry run, no writes)', 'koan restore, dry run (no apply)', 'parse only: split-lines + JSON.parse', null)
    figure('read-stream-json', 'restore', 'koan restore read path (dry run, no writes)', 'koan restore, dry run (no apply)', 'parse only: stream-json', null)
    figure('reload', 'restore', 'koan restore', 'koan restore', 'sqlite3 reload (< dump.sql)', null)
    figure('copy', 'restore', 'koan restore', 'koan restore', 'COPY FROM STDIN', null)
    // working memory: the peak above the process that holds its source, next to the baseline's. The memory store
    // holds the rows restored into it, so only the stores that keep rows outside the process carry the target.
    for (const [op, koanCase, baseCase] of [['backup', 'koan backup', 'JSON.stringify + batched writes'], ['restore', 'koan restore', 'split-lines + JSON.parse']]) {
      const k = c[koanCase]
      const b = c[baseCase]
      if (!k || !b) continue
      recorder.add({
        id: `memory.${r.store}.${r.rows}.${op}`, group: 'memory', store: r.store, rows: r.rows, name: `${op} peak RSS above load (${where})`,
        value: toMiB(k.peakRss - k.baseRss), unit: 'MB', ratioOf: 'memory',
        baseline: { name: baseCase, value: toMiB(b.peakRss - b.baseRss), unit: 'MB' },
        target: r.store === 'memory' ? null : { op: '<=', value: 150, on: 'value' },
        peakRssMB: toMiB(k.peakRss), peakAboveLoadMB: toMiB(k.peakRss - k.baseRss),
      })
    }
  }
  // flat: the working memory at the largest size against the smallest (10× the rows; O(n) buffering would be ~10×)
  for (const store of MEASURED) {
    const sizes = SIZES_OF[store]
    if (sizes.length < 2) continue
    const lo = results[`${store} ${Math.min(...sizes)}`]
    const hi = results[`${store} ${Math.max(...sizes)}`]
    for (const [op, koanCase] of [['backup', 'koan backup'], ['restore', 'koan restore']]) {
      const a = lo?.cases[koanCase]
      const b = hi?.cases[koanCase]
      if (!a || !b) continue
      recorder.add({
        id: `memory.${store}.flat.${op}`, group: 'memory', store, rows: hi.rows,
        name: `${op} peak RSS above load, ${hi.rows.toLocaleString('en-US')} ÷ ${lo.rows.toLocaleString('en-US')} rows (${STORE_NAMES[store]})`,
        value: toMiB(b.peakRss - b.baseRss), unit: 'MB', ratioOf: 'memory',
        baseline: { name: `${op} at ${lo.rows.toLocaleString('en-US')} rows`, value: toMiB(a.peakRss - a.baseRss), unit: 'MB' },
        // the target reads "flat from 100k to 1M": smaller sizes (quick runs) are dominated by fixed costs
        target: store === 'memory' || lo.rows < 100_000 ? null : { op: '<=', value: 2 },
        peakRssMB: toMiB(b.peakRss), peakAboveLoadMB: toMiB(b.peakRss - b.baseRss),
      })
    }
  }
  recorder.write({ machine: machineInfo(), sizes: SIZES_OF, reps: REPS, restoreReps: RESTORE_REPS, lean: LEAN })
}

// ---------------------------------------------------------------------------------------------------------------
// --profile: self time by function, and inclusive time of the engine's steps

function summarizeProfiles(dir) {
  if (!existsSync(dir)) return
  for (const name of readdirSync(dir).sort()) {
    const p = JSON.parse(readFileSync(join(dir, name), 'utf8'))
    const byId = new Map(p.nodes.map((n) => [n.id, n]))
    const parent = new Map()
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    const self = new Map()
    let total = 0
    for (let i = 0; i < p.samples.length; i++) {
      const d = p.timeDeltas[i] ?? 0
      self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + d)
      total += d
    }
    const label = (n) => {
      const f = n.callFrame
      const file = f.url ? basename(f.url.replace(/^file:\/\//, '')) : ''
      return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`
    }
    const selfBy = new Map()
    const inclBy = new Map()
    for (const [id, t] of self) {
      const n = byId.get(id)
      selfBy.set(label(n), (selfBy.get(label(n)) ?? 0) + t)
      // inclusive: every distinct function on the stack gets the sample once
      const seen = new Set()
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const l = label(byId.get(cur))
        if (seen.has(l)) continue
        seen.add(l)
        inclBy.set(l, (inclBy.get(l) ?? 0) + t)
      }
    }
    const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k)
    console.log(`\n${name}: ${(total / 1000).toFixed(0)} ms sampled`)
    console.log('  self time:')
    for (const [l, t] of top(selfBy, 25)) console.log(`    ${((t / total) * 100).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${l}`)
    console.log('  inclusive (engine and store functions):')
    const interesting = /\.js:|\(garbage collector\)/
    for (const [l, t] of top(new Map([...inclBy].filter(([l]) => interesting.test(l) && !/backup\.mjs/.test(l))), 30)) console.log(`    ${((t / total) * 100).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${l}`)
  }
  if (flag('keep')) console.log(`profiles in ${dir}`)
}
