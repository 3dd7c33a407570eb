#!/usr/bin/env node
// Vector backup benchmark of the koan-backup engine: backing up an entity's vectors from each vector store and
// restoring them into each other store, against the store's own bulk export/import through the same adapter.
// See bench/README.md ("Vectors").
//
//   node --expose-gc bench/vectors.mjs                 100,000 vectors × 768 (PGlite at 5,000), 3 interleaved reps
//   node --expose-gc bench/vectors.mjs --quick         10,000 vectors (PGlite at 2,000), 1 rep
//   node --expose-gc bench/vectors.mjs --count 50000   vectors (and Media rows) of the main run
//   node --expose-gc bench/vectors.mjs --dim 384       dimension (default 768)
//   node --expose-gc bench/vectors.mjs --pglite-count N  vectors of the PGlite run (default 5,000; 2,000 with --quick;
//                                                      never more than --count; equal to --count: one run for all)
//   node --expose-gc bench/vectors.mjs --reps 5        interleaved repetitions (median; default 3, 1 with --quick)
//   node --expose-gc bench/vectors.mjs --stores memory,sqlite-vec
//   node --expose-gc bench/vectors.mjs --budget 10.5   minutes: a repetition is started only if it should end by then
//                                                      (estimated from the slowest one so far; default 10.5)
//   node --expose-gc bench/vectors.mjs --no-phases     skip the component timings ("where the time goes")
//   node --expose-gc bench/vectors.mjs --keep          keep the temp folder (stores, backups)
//   node --expose-gc bench/vectors.mjs --figures f     also write the headline figures to f (bench/run.mjs does)
//
// `npm run bench:vectors` builds the package first. The script copies dist/ to bench/.tmp/vectors-dist/ and
// measures the copy (a rebuild during the run changes nothing), and bundles the codec fixture's registry through
// the plugin (esbuild), as bench/serialize.mjs does. Everything runs in this process; `gc()` before each timed step.

import { hash as cryptoHash } from 'node:crypto'
import { createReadStream, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BENCH, REPO, TMP, bundleCodecFixture, copyDist, figureRecorder, fmtRatio, gitSource, hashTree, machineInfo, mediaId, mediaRow, median,
  parseArgs, perSecond, requireGc, seconds, thousands, timed,
} from './lib.mjs'

const DIST_COPY = join(TMP, 'vectors-dist')
const BUNDLE = join(TMP, 'vectors-registry.mjs')
const RESULTS = join(BENCH, 'results-vectors.json')
const FULL_NAME = 'src.entities.Media'
const ENTITY = { fullName: FULL_NAME, name: 'Media' }
const KINDS = ['memory', 'lancedb', 'pglite', 'sqlite-vec']
const SAMPLE = 1000
const IMPORT_BATCH = 1000
const MB = 1e6

// ---------------------------------------------------------------------------------------------------------------
// options

const args = parseArgs()
const flag = args.flag
const option = args.option
const integer = args.integer
const QUICK = flag('quick')
const COUNT = integer('count', QUICK ? 10_000 : 100_000)
const DIM = integer('dim', 768)
// PGlite writes ~700–1000 vectors/s (pgvector parses every float from text in WebAssembly): 100,000 would take minutes per copy
const PG_COUNT = Math.min(COUNT, integer('pglite-count', QUICK ? 2_000 : 5_000))
const REPS = integer('reps', QUICK ? 1 : 3)
const STORES = (option('stores') ?? KINDS.join(',')).split(',').filter(Boolean)
const BUDGET_MS = Number(option('budget') ?? 10.5) * 60_000
const KEEP = flag('keep')
const PHASES = !flag('no-phases')
for (const s of STORES) if (!KINDS.includes(s)) throw new Error(`--stores: unknown store ${JSON.stringify(s)} (known: ${KINDS.join(', ')})`)
if (DIM > 8192 && STORES.includes('sqlite-vec')) throw new Error('--dim: sqlite-vec holds at most 8192 dimensions')
requireGc()
const recorder = figureRecorder('vectors')
const runStart = performance.now()

// ---------------------------------------------------------------------------------------------------------------
// the build that is measured: a copy of dist/, and the fixture bundled through the plugin with the runtime external

copyDist('vectors-dist')
await bundleCodecFixture(DIST_COPY, BUNDLE)
const [{ registry, codecs, Media }, { createBackup }, { memoryStore }, { compareIds }, vectorAdapters, format, io, dataFile, { realFs }] = await Promise.all([
  import(BUNDLE), import(`${DIST_COPY}/runtime/engine/index.js`), import(`${DIST_COPY}/runtime/adapters/data/memory.js`),
  import(`${DIST_COPY}/runtime/adapters/data/ids.js`),
  Promise.all(['memory', 'lancedb', 'pglite', 'sqlite-vec'].map((f) => import(`${DIST_COPY}/runtime/adapters/vector/${f}.js`))),
  import(`${DIST_COPY}/runtime/engine/vectors/format.js`), import(`${DIST_COPY}/runtime/engine/vectors/io.js`),
  import(`${DIST_COPY}/runtime/engine/data-file.js`), import(`${DIST_COPY}/runtime/engine/fs.js`),
])
const [{ memoryVectorStore }, { lancedbStore }, { pgliteVectorStore }, { sqliteVecStore }] = vectorAdapters
const codec = codecs[FULL_NAME]
if (!codec?.embeddingText) throw new Error(`${FULL_NAME} has no embedding recipe in the bundled registry`)
const MODEL = registry.entities.find((e) => e.fullName === FULL_NAME).embedding.model

const work = mkdtempSync(join(tmpdir(), 'kb-bench-vectors-'))
const source = { ...gitSource(), distHash: hashTree(join(DIST_COPY, 'runtime')) }
const loadavgAtStart = loadavg()

// ---------------------------------------------------------------------------------------------------------------
// inputs: vectors, rows, samples

/** `n` × `dim` float32 values, uniform in [-1, 1) with all mantissa bits used (xorshift32, fixed seed). */
function makeVectors(n, dim) {
  const values = new Float32Array(n * dim)
  let s = 0x9e3779b9
  for (let i = 0; i < values.length; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    values[i] = ((s >>> 0) / 4294967296) * 2 - 1
  }
  return values
}
const idOf = mediaId
/** The Media rows of bench/serialize.mjs. */
const row = (i) => mediaRow(Media, i)
/** min(SAMPLE, n) distinct indices, fixed seed: id → index. */
function sampleOf(n) {
  const k = Math.min(SAMPLE, n)
  const pool = Int32Array.from({ length: n }, (_, i) => i)
  let s = 12345
  const out = new Map()
  for (let i = 0; i < k; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    const j = i + (s % (n - i))
    ;[pool[i], pool[j]] = [pool[j], pool[i]]
    out.set(idOf(pool[i]), pool[i])
  }
  return out
}
const bytesOf = (v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)

// ---------------------------------------------------------------------------------------------------------------
// helpers

function duBytes(path) {
  const st = statSync(path)
  if (!st.isDirectory()) return st.size
  let n = 0
  for (const e of readdirSync(path)) n += duBytes(join(path, e))
  return n
}
const notes = []
const checks = []
function check(ok, what) {
  checks.push({ ok: Boolean(ok), what })
  if (!ok) console.log(`  CHECK FAILED: ${what}`)
}
const elapsed = () => performance.now() - runStart
const fmt = (ms) => (ms === null || ms === undefined ? '–' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1))
const rate = perSecond

let serial = 0
/** An initialised PGlite data folder (pgvector, schema and catalog created, no table), copied for each fresh instance. */
let pgliteTemplate = null
async function makePgliteTemplate() {
  pgliteTemplate = join(work, 'stores', 'pglite-template')
  mkdirSync(pgliteTemplate, { recursive: true })
  const store = pgliteVectorStore({ dataDir: pgliteTemplate })
  await store.collection(ENTITY)
  await store.close()
}
/** A fresh instance of a vector store in its own folder. */
function openStore(kind, label) {
  const dir = join(work, 'stores', `${label}-${kind}-${++serial}`)
  mkdirSync(dir, { recursive: true })
  // initdb takes ~4 s per PGlite folder: a copy of an initialised one opens in ~0.5 s (neither is timed)
  if (kind === 'pglite') cpSync(pgliteTemplate, dir, { recursive: true })
  const store = kind === 'memory' ? memoryVectorStore()
    : kind === 'lancedb' ? lancedbStore({ uri: dir })
      : kind === 'pglite' ? pgliteVectorStore({ dataDir: dir })
        : sqliteVecStore({ file: join(dir, 'vectors.db') })
  return {
    kind, store, dir,
    /** Opens the database (connection, WebAssembly start, file) without creating anything: not part of any timing. */
    async open() {
      await store.collection(ENTITY)
    },
    async dispose() {
      await store.close()
      if (!KEEP) rmSync(dir, { recursive: true, force: true })
    },
  }
}
const engine = (data, vectors, path, embedder) => createBackup({
  registry, codecs, classes: { [FULL_NAME]: Media },
  config: { data, vectors, path, logger: false, ...(embedder ? { embedder } : {}) },
})
const entityDescriptor = {
  fullName: codec.fullName, name: codec.name, fields: codec.fields,
  toStored: (e) => JSON.parse(codec.serialize(e)), fromStored: (s, r) => codec.deserialize(s, r),
}

/** Every vector of a collection, in stream order. */
async function exportAll(collection, n) {
  const out = []
  for await (const r of collection.stream()) out.push(r)
  if (out.length !== n) throw new Error(`streamed ${out.length} vectors, expected ${n}`)
  return out
}
/** Bulk insert into a fresh collection, batches of IMPORT_BATCH. */
async function importAll(store, records) {
  const c = await store.collection(ENTITY, { dimension: DIM, metric: 'cosine' })
  for (let i = 0; i < records.length; i += IMPORT_BATCH) await c.upsert(records.slice(i, i + IMPORT_BATCH))
}
/** Streams a collection: count, id order, the sampled ids bit-identical to the generated vectors. */
async function verifyCollection(collection, scale) {
  let n = 0
  let ordered = true
  let last
  let sampled = 0
  let differ = 0
  for await (const r of collection.stream()) {
    if (last !== undefined && compareIds(last, r.id) >= 0) ordered = false
    last = r.id
    const i = scale.sample.get(r.id)
    if (i !== undefined) {
      sampled++
      if (!bytesOf(r.vector).equals(bytesOf(scale.vectorAt(i)))) differ++
    }
    n++
  }
  return { n, ordered, sampled, differ, dimension: collection.dimension, metric: collection.metric }
}
/** The vector file of a backup: name, size, sha256, header bytes (from metadata.json and the file). */
function vectorFileOf(root, timestamp) {
  const dir = join(root, FULL_NAME, timestamp)
  const m = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'))
  const f = m.files.find((x) => x.role.startsWith('vectors/'))
  const data = m.files.find((x) => x.role === 'data')
  const fd = openSync(join(dir, f.name), 'r')
  const head = Buffer.alloc(4096)
  readSync(fd, head, 0, head.length, 0)
  closeSync(fd)
  const headerBytes = head.indexOf(10, head.indexOf(10) + 1) + 1
  return { path: join(dir, f.name), dataPath: join(dir, data.name), size: f.size, sha256: f.sha256, headerBytes, dataSize: data.size, info: m.vectors, counts: m.counts }
}

// ---------------------------------------------------------------------------------------------------------------
// the runs ("scales"): the main count for every store but PGlite, and PGlite's pairs at its own count

const scales = []
const mainStores = PG_COUNT === COUNT ? STORES : STORES.filter((s) => s !== 'pglite')
if (mainStores.length) scales.push({ name: 'main', count: COUNT, stores: mainStores, pairs: pairsOf(mainStores, () => true) })
if (PG_COUNT !== COUNT && STORES.includes('pglite')) {
  scales.push({ name: 'pglite', count: PG_COUNT, stores: STORES, pairs: pairsOf(STORES, (s, t) => s === 'pglite' || t === 'pglite') })
}
function pairsOf(stores, keep) {
  const out = []
  for (const s of stores) for (const t of stores) if (s !== t && keep(s, t)) out.push([s, t])
  return out
}

console.log(`koan-backup vector benchmark: ${COUNT.toLocaleString('en-US')} vectors × ${DIM} (float32)${STORES.includes('pglite') && PG_COUNT !== COUNT ? `, PGlite at ${PG_COUNT.toLocaleString('en-US')}` : ''}; stores ${STORES.join(', ')}; ${REPS} rep(s)${QUICK ? ' (--quick)' : ''}`)
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`)
console.log(`runtime: dist/ ${source.distHash} at ${source.commit}${source.uncommitted.length ? ` + ${source.uncommitted.length} uncommitted change(s) under runtime/ plugin/` : ''}; temp folder ${work}`)

async function setupScale(scale) {
  const t0 = performance.now()
  const n = scale.count
  const values = makeVectors(n, DIM)
  scale.vectorAt = (i) => values.subarray(i * DIM, (i + 1) * DIM)
  scale.records = Array.from({ length: n }, (_, i) => ({ id: idOf(i), vector: scale.vectorAt(i) }))
  scale.sample = sampleOf(n)
  scale.rawBytes = n * DIM * 4
  // the entities: a memory data store with n Media rows, streamed once (the store sorts and caches its id order)
  scale.data = memoryStore()
  const rows = await scale.data.collection(entityDescriptor)
  for (let i = 0; i < n; i += 1000) await rows.upsert(Array.from({ length: Math.min(1000, n - i) }, (_, k) => row(i + k)))
  for await (const _ of rows.stream()) { /* warm */ }
  // one source instance per store, seeded from the generated vectors (batches of IMPORT_BATCH)
  scale.sources = {}
  scale.results = { stores: {}, pairs: {}, restoreDataMs: [], repsDone: 0 }
  for (const kind of scale.stores) {
    const src = openStore(kind, `${scale.name}-source`)
    await src.open()
    const seeded = await timed(() => importAll(src.store, scale.records))
    const collection = await src.store.collection(ENTITY)
    check((await collection.count()) === n, `${scale.name}: ${kind} source holds ${n} vectors`)
    scale.sources[kind] = { ...src, collection }
    scale.results.stores[kind] = {
      seedMs: seeded.ms, diskBytes: kind === 'memory' ? null : duBytes(src.dir),
      exportMs: [], importMs: [], backupDataMs: [], backupAllMs: [], exportVerified: null,
    }
    console.log(`  ${scale.name}: seeded ${kind} with ${n.toLocaleString('en-US')} vectors in ${fmt(seeded.ms)} ms`)
  }
  for (const [s, t] of scale.pairs) scale.results.pairs[`${s}->${t}`] = { from: s, to: t, restoreAllMs: [], verify: null, streamAfterRestoreMs: null }
  scale.setupMs = performance.now() - t0
}

/** One repetition of a scale: baselines and backups of every store, then every pair's restore. */
async function repOf(scale, rep) {
  const n = scale.count
  const R = scale.results
  const rotate = (xs) => xs.map((_, i) => xs[(i + rep) % xs.length])
  const roots = {}
  for (const kind of rotate(scale.stores)) {
    const src = scale.sources[kind]
    const r = R.stores[kind]
    // the store's own bulk export: every vector streamed out through the adapter
    const exported = await timed(() => exportAll(src.collection, n))
    r.exportMs.push(exported.ms)
    if (rep === 0) {
      let differ = 0
      let ordered = true
      for (let i = 0; i < exported.value.length; i++) {
        const v = exported.value[i]
        if (i > 0 && compareIds(exported.value[i - 1].id, v.id) >= 0) ordered = false
        const j = scale.sample.get(v.id)
        if (j !== undefined && !bytesOf(v.vector).equals(bytesOf(scale.vectorAt(j)))) differ++
      }
      r.exportVerified = { ordered, differ }
      check(ordered && differ === 0, `${scale.name}: ${kind} streams in id order and keeps the float32 bits (${scale.sample.size} sampled ids)`)
    }
    // …and bulk import of those records into a fresh instance (batches of 1000)
    const fresh = openStore(kind, `${scale.name}-import`)
    await fresh.open()
    const imported = await timed(() => importAll(fresh.store, exported.value))
    r.importMs.push(imported.ms)
    check((await (await fresh.store.collection(ENTITY)).count()) === n, `${scale.name}: ${kind} import holds ${n} vectors`)
    await fresh.dispose()
    exported.value = null
    // koan-backup: the entity without and with its vectors (order alternates between repetitions)
    const order = rep % 2 === 0 ? ['data', 'all'] : ['all', 'data']
    for (const what of order) {
      const root = join(work, 'backups', `${scale.name}-${kind}-r${rep}-${what}`)
      const a = engine(scale.data, src.store, root)
      const b = await timed(() => a.Media.create(what === 'data' ? { include: ['data'] } : {}))
      check(b.value.entityCount === n && b.value.vectorCount === (what === 'data' ? 0 : n), `${scale.name}: backup (${what}) from ${kind}: ${n} rows${what === 'all' ? ` and ${n} vectors` : ''}`)
      if (what === 'data') {
        r.backupDataMs.push(b.ms)
        if (!KEEP) rmSync(root, { recursive: true, force: true })
      } else {
        r.backupAllMs.push(b.ms)
        const file = vectorFileOf(root, b.value.timestamp)
        check(file.info.missing === 0 && file.info.orphans === 0 && file.counts.vectors === n, `${scale.name}: ${kind} backup: no missing or orphan vectors`)
        roots[kind] = { root, file }
      }
    }
  }
  // the vector files of every source are the same bytes (same ids, vectors, dimension and metric)
  const shas = new Set(Object.values(roots).map((x) => x.file.sha256))
  check(shas.size === 1, `${scale.name}: the vector files backed up from ${scale.stores.join(', ')} are byte-identical (rep ${rep})`)
  scale.vectorFile = Object.values(roots)[0].file

  // the same restore without vectors (the data part that is subtracted), before and after the pairs
  const restoreData = async () => {
    const b = engine(memoryStore(), memoryVectorStore(), roots[scale.stores[rep % scale.stores.length]].root)
    const restored = await timed(() => b.Media.restore({ restoreVectors: false }))
    check(restored.value.inserted === n && restored.value.vectorCount === 0, `${scale.name}: data-only restore: ${n} rows, no vectors`)
    R.restoreDataMs.push(restored.ms)
  }
  await restoreData()
  // restores: every pair S → T into a fresh T and a fresh memory data store, strict, with an embedder that counts calls
  for (const [s, t] of rotate(scale.pairs)) {
    const pair = R.pairs[`${s}->${t}`]
    const target = openStore(t, `${scale.name}-restore-from-${s}`)
    await target.open()
    let embedded = 0
    const b = engine(memoryStore(), target.store, roots[s].root, async (texts) => {
      embedded += texts.length
      return texts.map(() => new Float32Array(DIM))
    })
    const restored = await timed(() => b.Media.restore({ strict: true }))
    pair.restoreAllMs.push(restored.ms)
    const v = restored.value.vectors
    check(restored.value.inserted === n && restored.value.vectorCount === n, `${scale.name}: ${s} → ${t}: ${n} rows and ${n} vectors restored`)
    check(v && v.reused === n && v.changed === 0 && v.missing === 0 && v.embedded === 0 && v.unembedded === 0 && embedded === 0,
      `${scale.name}: ${s} → ${t}: vectors.reused = ${v?.reused} of ${n}, embedded ${v?.embedded}, embedder called for ${embedded} texts`)
    if (pair.verify === null) {
      const collection = await target.store.collection(ENTITY)
      const verified = await timed(() => verifyCollection(collection, scale))
      pair.verify = verified.value
      pair.streamAfterRestoreMs = verified.ms
      const x = verified.value
      check(x.n === n && x.ordered && x.sampled === scale.sample.size && x.differ === 0 && x.dimension === DIM && x.metric === 'cosine',
        `${scale.name}: ${s} → ${t}: ${x.n} vectors in id order, ${x.sampled} sampled ids bit-identical (${x.differ} differ), dimension ${x.dimension}, ${x.metric}`)
    } else {
      check((await (await target.store.collection(ENTITY)).count()) === n, `${scale.name}: ${s} → ${t}: target holds ${n} vectors`)
    }
    await target.dispose()
  }
  await restoreData()
  if (!KEEP) for (const { root } of Object.values(roots)) rmSync(root, { recursive: true, force: true })
  R.repsDone = rep + 1
}

// ---------------------------------------------------------------------------------------------------------------
// where the time goes: the engine's vector steps one by one (main scale, memory stores, one backup kept)

async function phasesOf(scale) {
  const n = scale.count
  const src = scale.sources.memory ?? Object.values(scale.sources)[0]
  const root = join(work, 'backups', 'phases')
  const r = await engine(scale.data, src.store, root).Media.create()
  const file = vectorFileOf(root, r.timestamp)
  const rows = await scale.data.collection(entityDescriptor)
  const header = { model: MODEL, dimension: DIM, metric: 'cosine', recipe: 'bench' }
  const hash = Buffer.alloc(32)
  const rowList = []
  for await (const row of rows.stream()) rowList.push(row)
  const steps = {
    'data store stream (rows revived)': async () => { for await (const _ of rows.stream()) { /* drain */ } },
    'textHash(embeddingText(row)) × rows (createHash)': async () => { for (const row of rowList) io.textHash(codec.embeddingText(row)) },
    '  alternative: crypto.hash one-shot': async () => { for (const row of rowList) cryptoHash('sha256', codec.embeddingText(row), 'buffer') },
    'vector store stream': async () => { for await (const _ of src.collection.stream()) { /* drain */ } },
    'encodeRecord × vectors (+ Buffer.concat per MiB)': async () => {
      let batch = []
      let size = 0
      for (const rec of scale.records) {
        const e = format.encodeRecord({ id: rec.id, hash, vector: rec.vector })
        batch.push(e)
        size += e.length
        if (size >= 1 << 20) {
          Buffer.concat(batch)
          batch = []
          size = 0
        }
      }
    },
    'vectorFileBytes drained (join + hash + encode, no file)': async () => {
      for await (const _ of io.vectorFileBytes(codec, rows, src.collection, header, { vectors: 0, missing: 0, orphans: 0 })) { /* drain */ }
    },
    'vector file written (writeBackupFile: + SHA-256, fsync)': async () => {
      const p = join(work, 'backups', 'phases-file.kbv')
      rmSync(p, { force: true })
      await dataFile.writeBackupFile(realFs, p, io.vectorFileBytes(codec, rows, src.collection, header, { vectors: 0, missing: 0, orphans: 0 }), { compress: false })
      rmSync(p, { force: true })
    },
    'hashFile(vectors.kbv) (verifyStructure)': async () => { await dataFile.hashFile(realFs, file.path) },
    'read vectors.kbv (openBytes: 1 MiB reads, no decoding)': async () => { for await (const _ of dataFile.openBytes(realFs, file.path, { compress: false })) { /* drain */ } },
    '  alternative: 1 MiB chunks': async () => { for await (const _ of createReadStream(file.path, { highWaterMark: 1 << 20 })) { /* drain */ } },
    'decodeVectors, one pass': async () => { for await (const _ of format.decodeVectors(dataFile.openBytes(realFs, file.path, { compress: false }), 'bench')) { /* drain */ } },
    'data file, one pass (fastRowBatches + deserialize)': async () => {
      for await (const rows of dataFile.fastRowBatches(dataFile.openDataText(realFs, file.dataPath, { compress: true }))) for (const { value, index } of rows) codec.deserialize(value, index)
    },
    'data file, one pass + textHash(embeddingText)': async () => {
      for await (const rows of dataFile.fastRowBatches(dataFile.openDataText(realFs, file.dataPath, { compress: true }))) for (const { value, index } of rows) io.textHash(codec.embeddingText(codec.deserialize(value, index)))
    },
    'memory vector store: upsert in batches of 500 (VectorWriter)': async () => {
      const s = memoryVectorStore()
      const c = await s.collection(ENTITY, { dimension: DIM, metric: 'cosine' })
      for (let i = 0; i < n; i += 500) await c.upsert(scale.records.slice(i, i + 500))
      await s.close()
    },
  }
  const out = {}
  for (let rep = 0; rep < 2; rep++) {
    for (const [name, fn] of Object.entries(steps)) (out[name] ??= []).push((await timed(fn)).ms)
  }
  if (!KEEP) rmSync(root, { recursive: true, force: true })
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { samples: v, ms: Math.min(...v) }]))
}

// ---------------------------------------------------------------------------------------------------------------
// main

if (STORES.includes('pglite')) await makePgliteTemplate()
for (const scale of scales) {
  await setupScale(scale)
  console.log(`  ${scale.name}: setup ${fmt(scale.setupMs)} ms`)
}
const repMs = {}
const cut = []
for (let rep = 0; rep < REPS; rep++) {
  for (const scale of scales) {
    if (rep > 0 && elapsed() + Math.max(...repMs[scale.name]) > BUDGET_MS) {
      cut.push({ rep: rep + 1, scale: scale.name, elapsedMs: elapsed() })
      notes.push(`the time budget (${BUDGET_MS / 60000} min) skipped repetition ${rep + 1} of the ${scale.name} run`)
      continue
    }
    const t = performance.now()
    await repOf(scale, rep)
    ;(repMs[scale.name] ??= []).push(performance.now() - t)
    const mem = process.memoryUsage()
    console.log(`  rep ${rep + 1}/${REPS} ${scale.name} (${scale.count.toLocaleString('en-US')}): ${fmt(performance.now() - t)} ms, elapsed ${(elapsed() / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(2)}, rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, external ${(mem.external / 2 ** 20).toFixed(0)} MiB`)
  }
}
let phases = null
if (PHASES && scales[0]) {
  phases = await phasesOf(scales[0])
  console.log(`  phases: elapsed ${(elapsed() / 1000).toFixed(0)} s`)
}
for (const scale of scales) for (const s of Object.values(scale.sources)) await s.dispose()

// ---------------------------------------------------------------------------------------------------------------
// figures

// Times are medians over repetitions. Ratios are medians of per-repetition ratios (engine and baseline measured
// minutes apart in the same repetition), which a load change between repetitions distorts less than a ratio of medians.
const perRep = (xs, f) => xs.map((_, r) => f(r)).filter((x) => x !== null && Number.isFinite(x))
const summary = scales.map((scale) => {
  const R = scale.results
  const n = scale.count
  const reps = R.repsDone
  // two data-only restores per repetition: their mean is that repetition's data part
  const restoreDataAt = (r) => (R.restoreDataMs[2 * r] + R.restoreDataMs[2 * r + 1]) / 2
  const restoreDataMs = median(R.restoreDataMs)
  const stores = Object.fromEntries(Object.entries(R.stores).map(([kind, r]) => {
    const backupVectorsAt = (i) => r.backupAllMs[i] - r.backupDataMs[i]
    const backupVectorsMs = median(r.backupAllMs) - median(r.backupDataMs)
    return [kind, {
      seedMs: r.seedMs, exportMs: median(r.exportMs), importMs: median(r.importMs), backupDataMs: median(r.backupDataMs), backupAllMs: median(r.backupAllMs), backupVectorsMs,
      backupVsExport: median(perRep(r.exportMs, (i) => backupVectorsAt(i) / r.exportMs[i])), diskBytes: r.diskBytes,
      samples: { exportMs: r.exportMs, importMs: r.importMs, backupDataMs: r.backupDataMs, backupAllMs: r.backupAllMs },
      exportVerified: r.exportVerified, backupVectorsAt: r.exportMs.map((_, i) => backupVectorsAt(i)),
    }]
  }))
  const pairs = Object.entries(R.pairs).map(([key, p]) => {
    const restoreAllMs = median(p.restoreAllMs)
    const restoreVectorsMs = restoreAllMs - restoreDataMs
    const S = stores[p.from]
    const T = stores[p.to]
    const restoreVectorsAt = (i) => p.restoreAllMs[i] - restoreDataAt(i)
    return {
      pair: key, from: p.from, to: p.to, count: n,
      backupVectorsMs: S.backupVectorsMs, restoreVectorsMs, backupAllMs: S.backupAllMs, restoreAllMs,
      backupVectorsPerSec: rate(n, S.backupVectorsMs), restoreVectorsPerSec: rate(n, restoreVectorsMs),
      backupMBps: rate(scale.rawBytes / MB, S.backupVectorsMs), restoreMBps: rate(scale.rawBytes / MB, restoreVectorsMs),
      exportMs: S.exportMs, importMs: T.importMs,
      backupVsExport: S.backupVsExport,
      restoreVsImport: median(perRep(p.restoreAllMs, (i) => restoreVectorsAt(i) / T.samples.importMs[i])),
      roundTripVsDirect: median(perRep(p.restoreAllMs, (i) => (S.backupVectorsAt[i] + restoreVectorsAt(i)) / (S.samples.exportMs[i] + T.samples.importMs[i]))),
      samples: { restoreAllMs: p.restoreAllMs, restoreVectorsMs: p.restoreAllMs.map((_, i) => restoreVectorsAt(i)) },
      verify: p.verify, streamAfterRestoreMs: p.streamAfterRestoreMs,
    }
  })
  // every source's vector file is the same bytes (checked), so a restore into T is the same work whatever S: pooled
  const restoreInto = Object.fromEntries(scale.stores.map((t) => {
    const into = pairs.filter((p) => p.to === t)
    if (!into.length) return null
    const vectorsMs = median(into.flatMap((p) => p.samples.restoreVectorsMs))
    const ratio = median(into.flatMap((p) => p.samples.restoreVectorsMs.map((v, i) => v / stores[t].samples.importMs[i])))
    return [t, { samples: into.length * reps, restoreVectorsMs: vectorsMs, importMs: stores[t].importMs, restoreVsImport: ratio, vectorsPerSec: rate(n, vectorsMs), MBps: rate(scale.rawBytes / MB, vectorsMs) }]
  }).filter(Boolean))
  const f = scale.vectorFile
  const file = f && {
    bytes: f.size, rawFloat32Bytes: scale.rawBytes, headerBytes: f.headerBytes, sha256: f.sha256,
    overheadBytes: f.size - scale.rawBytes, overheadPct: (100 * (f.size - scale.rawBytes)) / scale.rawBytes,
    perRecordOverheadBytes: (f.size - f.headerBytes - scale.rawBytes) / n,
    perRecordBytes: (f.size - f.headerBytes) / n, idBytes: (f.size - f.headerBytes) / n - 5 - 32 - DIM * 4,
    dataFileBytes: f.dataSize,
  }
  return { name: scale.name, count: n, dim: DIM, stores, pairs, restoreInto, restoreDataMs, restoreDataSamplesMs: R.restoreDataMs, repsDone: reps, setupMs: scale.setupMs, file }
})

const line = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')
const x2 = (r) => fmtRatio(r)
for (const s of summary) {
  const reps = s.repsDone
  console.log(`\n${s.name === 'main' ? 'Main run' : 'PGlite run'}: ${s.count.toLocaleString('en-US')} vectors × ${s.dim} (${(s.count * s.dim * 4 / MB).toFixed(1)} MB of float32), median of ${reps} rep(s); ms`)
  console.log('vector part = (backup with vectors) − (backup with include: [\'data\']); restore: (restore) − (restore with restoreVectors: false);\nratios: medians of per-repetition ratios')
  const w = [22, 8, 9, 9, 9, 10, 10, 7, 7, 8, 9, 8]
  console.log(line(['S → T', 'backup', 'export S', 'restore', 'import T', 'backup/s', 'restore/s', 'bk MB/s', 'rs MB/s', 'bk÷exp', 'rs÷imp', 'trip÷copy'], w))
  for (const p of s.pairs) {
    console.log(line([`${p.from} → ${p.to}`, fmt(p.backupVectorsMs), fmt(p.exportMs), fmt(p.restoreVectorsMs), fmt(p.importMs), thousands(p.backupVectorsPerSec), thousands(p.restoreVectorsPerSec),
      p.backupMBps.toFixed(0), p.restoreMBps.toFixed(0), x2(p.backupVsExport), x2(p.restoreVsImport), x2(p.roundTripVsDirect)], w))
  }
  console.log('\nper store: seed (generated → fresh store), export, import (baselines), backups (totals)')
  const w2 = [12, 9, 9, 9, 11, 11, 9, 10]
  console.log(line(['store', 'seed', 'export', 'import', 'bk data', 'bk all', 'bk vec', 'disk MB'], w2))
  for (const [k, r] of Object.entries(s.stores)) console.log(line([k, fmt(r.seedMs), fmt(r.exportMs), fmt(r.importMs), fmt(r.backupDataMs), fmt(r.backupAllMs), fmt(r.backupVectorsMs), r.diskBytes === null ? '–' : (r.diskBytes / MB).toFixed(1)], w2))
  console.log(`restore without vectors (data part): ${fmt(s.restoreDataMs)} ms; restores with vectors: ${s.pairs.map((p) => `${p.pair} ${fmt(p.restoreAllMs)}`).join(', ')}`)
  console.log(`restore into T, pooled over every source (the vector files are byte-identical): ${Object.entries(s.restoreInto).map(([t, x]) => `${t} ${fmt(x.restoreVectorsMs)} ms (${x.samples} samples, ${x2(x.restoreVsImport)} its import)`).join(', ')}`)
  if (s.file) {
    const f = s.file
    console.log(`vector file: ${(f.bytes / MB).toFixed(2)} MB for ${(f.rawFloat32Bytes / MB).toFixed(2)} MB of float32 (+${f.overheadPct.toFixed(2)}%): header ${f.headerBytes} B, ${f.perRecordOverheadBytes.toFixed(1)} B per record (1 kind + 4 length + ${f.idBytes.toFixed(1)} id + 32 text hash); data file ${(f.dataFileBytes / MB).toFixed(2)} MB`)
  }
}
if (phases) {
  console.log(`\nwhere the time goes (${scales[0].count.toLocaleString('en-US')} vectors, memory stores, best of 2; ms):`)
  for (const [k, v] of Object.entries(phases)) console.log(`  ${k.padEnd(64)} ${fmt(v.ms).padStart(7)}`)
}
const failed = checks.filter((c) => !c.ok)
console.log(`\nchecks: ${checks.length - failed.length}/${checks.length} passed${failed.length ? `; FAILED: ${failed.map((c) => c.what).join('; ')}` : ''}`)
for (const note of notes) console.log(`note: ${note}`)
const totalMs = elapsed()
console.log(`total ${(totalMs / 1000).toFixed(0)} s; load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)

writeFileSync(RESULTS, `${JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), loadavgAtStart, loadavgAtEnd: loadavg(),
  source, options: { count: COUNT, dim: DIM, pgliteCount: PG_COUNT, reps: REPS, stores: STORES, quick: QUICK, budgetMin: BUDGET_MS / 60000, sample: SAMPLE, importBatch: IMPORT_BATCH },
  scales: summary, phases, checks, notes, cut, totalMs,
}, null, 2)}\n`)
if (!KEEP) rmSync(work, { recursive: true, force: true })
recordFigures()
if (failed.length) process.exitCode = 1

/** The headline figures for bench/run.mjs: per store and per pair, the engine's vector part against the store's own bulk copy. */
function recordFigures() {
  const NAMES = { memory: 'memory', lancedb: 'LanceDB', pglite: 'PGlite', 'sqlite-vec': 'sqlite-vec' }
  const common = (s, ms) => ({ group: 'vectors', rows: s.count, unit: 's', ratioOf: 'time', rowsPerSec: rate(s.count, ms), MBps: rate(s.count * s.dim * 4 / MB, ms) })
  for (const s of summary) {
    for (const [kind, r] of Object.entries(s.stores)) {
      if (s.name === 'pglite' && kind !== 'pglite') continue // the other stores are in the main run
      recorder.add({
        ...common(s, r.backupVectorsMs), id: `vectors.${s.count}.backup.${kind}`, name: `backup of the vectors from ${NAMES[kind]}`,
        value: seconds(r.backupVectorsMs), baseline: { name: `${NAMES[kind]}'s own export`, value: seconds(r.exportMs), unit: 's' }, ratio: r.backupVsExport, target: null,
      })
    }
    for (const [kind, r] of Object.entries(s.restoreInto)) {
      if (s.name === 'pglite' && kind !== 'pglite') continue
      recorder.add({
        ...common(s, r.restoreVectorsMs), id: `vectors.${s.count}.restore.${kind}`, name: `restore of the vectors into ${NAMES[kind]} (pooled over sources)`,
        value: seconds(r.restoreVectorsMs), baseline: { name: `${NAMES[kind]}'s own import`, value: seconds(r.importMs), unit: 's' }, ratio: r.restoreVsImport, target: null,
      })
    }
    for (const p of s.pairs) {
      const ms = p.backupVectorsMs + p.restoreVectorsMs
      recorder.add({
        ...common(s, ms), id: `vectors.${s.count}.pair.${p.from}.${p.to}`, name: `${NAMES[p.from]} → ${NAMES[p.to]}: backup + restore`,
        value: seconds(ms), baseline: { name: 'export S + import T', value: seconds(p.exportMs + p.importMs), unit: 's' }, ratio: p.roundTripVsDirect, target: null,
      })
    }
    if (s.file && s.name === 'main') {
      recorder.add({
        group: 'vectors', rows: s.count, id: `vectors.${s.count}.file`, name: 'vector file size', unit: 'MB', ratioOf: 'size',
        value: s.file.bytes / MB, baseline: { name: 'raw float32', value: s.file.rawFloat32Bytes / MB, unit: 'MB' }, target: null,
      })
    }
  }
  recorder.write({ machine: machineInfo(), count: COUNT, pgliteCount: PG_COUNT, dim: DIM, reps: REPS, checks: { passed: checks.length - failed.length, total: checks.length } })
}
