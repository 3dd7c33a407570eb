// Serializer benchmark: the generated codec of a realistic entity against JSON.stringify / JSON.parse
// and zod, over the same rows in one process. Run: npm run bench:serialize [-- --rows N --reps R]
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { DIST, figureRecorder, machineInfo, mbPerSecond, median, mediaRow, parseArgs, perSecond, seconds, timed } from './lib.mjs'

const args = parseArgs()
const QUICK = args.flag('quick')
const ROWS = args.integer('rows', QUICK ? 200_000 : 1_000_000)
const REPS = args.integer('reps', QUICK ? 1 : 3)
const root = fileURLToPath(new URL('../test/fixtures/codec', import.meta.url))
const recorder = figureRecorder('serialize')

// the generated module, built through the plugin exactly as an app would get it (the measured build: dist/ or
// $KOAN_BENCH_DIST, its runtime bundled in)
const { default: koanBackup } = await import(`${DIST}/plugin/esbuild.js`)
const measuredRuntime = {
  name: 'measured-runtime',
  setup(b) {
    b.onResolve({ filter: /^koan-backup(\/(engine|codec))?$/ }, (a) => ({ path: `${DIST}/runtime/${a.path.endsWith('engine') ? 'engine/index.js' : a.path.endsWith('codec') ? 'schema/index.js' : 'index.js'}` }))
  },
}
const out = await build({
  stdin: { contents: "export { codecs } from 'koan-backup/registry'\nexport { Media } from './src/entities.ts'", resolveDir: root, loader: 'ts' },
  bundle: true, write: false, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
  plugins: [measuredRuntime, koanBackup({ root, dts: false, report: false })],
})
const { codecs, Media } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`)
const codec = codecs['src.entities.Media']

console.log(`koan-backup serialize benchmark: ${ROWS.toLocaleString()} Media rows, ${REPS} repetition(s), node ${process.version}`)
const rows = Array.from({ length: ROWS }, (_, i) => mediaRow(Media, i))
const lines = rows.map((r) => codec.serialize(r))
const bytes = lines.reduce((n, l) => n + l.length + 1, 0)

const cases = {
  'JSON.stringify': () => { let n = 0; for (const r of rows) n += JSON.stringify(r).length; return n },
  'generated serialize': () => { let n = 0; for (const r of rows) n += codec.serialize(r).length; return n },
  'JSON.parse': () => { let n = 0; for (const l of lines) n += JSON.parse(l).views; return n },
  'JSON.parse + zod safeParse': () => { let n = 0; for (const l of lines) { const v = JSON.parse(l); if (codec.schema.safeParse(v).success) n += v.views } return n },
  'JSON.parse + generated validate+deserialize': () => { let n = 0; let i = 0; for (const l of lines) n += codec.deserialize(JSON.parse(l), i++).views; return n },
}

// warm up every path, then interleave the repetitions
for (const fn of Object.values(cases)) fn.call(null)
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let r = 0; r < REPS; r++) {
  for (const [name, fn] of Object.entries(cases)) {
    const t = await timed(fn)
    if (t.value === -1) console.log('')
    samples[name].push(t.ms)
  }
}
const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))

const rate = (t) => `${Math.round(perSecond(ROWS, t)).toLocaleString()} rows/s, ${mbPerSecond(bytes, t).toFixed(0)} MB/s`
console.log(`stored size: ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / ROWS)} bytes a row)\n`)
for (const [name, t] of Object.entries(ms)) console.log(`${name.padEnd(44)} ${t.toFixed(0).padStart(6)} ms  ${rate(t)}`)
const ratios = {
  serializeVsStringify: ms['JSON.stringify'] / ms['generated serialize'],
  deserializeVsParse: ms['JSON.parse'] / ms['JSON.parse + generated validate+deserialize'],
  deserializeVsParseZod: ms['JSON.parse + zod safeParse'] / ms['JSON.parse + generated validate+deserialize'],
  zodVsParse: ms['JSON.parse'] / ms['JSON.parse + zod safeParse'],
}
console.log(`
serialize:               ${ratios.serializeVsStringify.toFixed(2)}× JSON.stringify throughput (target ≥ 1.0)
validate + deserialize:  ${ratios.deserializeVsParse.toFixed(2)}× plain JSON.parse throughput (target ≥ 0.8)
                         ${ratios.deserializeVsParseZod.toFixed(2)}× JSON.parse + zod safeParse (zod alone runs at ${ratios.zodVsParse.toFixed(2)}× plain parse)`)
writeFileSync(new URL('./results-serialize.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, rows: ROWS, reps: REPS, bytes, samples, medianMs: ms, ratios }, null, 2) + '\n')

// the headline figures (in-memory, one process: no per-case RSS)
const figure = (id, name, koan, baseline, target) => recorder.add({
  id, group: 'serialize', name, rows: ROWS, value: seconds(ms[koan]), unit: 's',
  baseline: { name: baseline, value: seconds(ms[baseline]), unit: 's' },
  ratio: ms[baseline] / ms[koan], target,
  rowsPerSec: perSecond(ROWS, ms[koan]), MBps: mbPerSecond(bytes, ms[koan]),
})
figure('serialize', 'generated serialize', 'generated serialize', 'JSON.stringify', { op: '>=', value: 1.0 })
figure('deserialize', 'JSON.parse + generated validate+deserialize', 'JSON.parse + generated validate+deserialize', 'JSON.parse', { op: '>=', value: 0.8 })
figure('deserialize-vs-zod', 'JSON.parse + generated validate+deserialize', 'JSON.parse + generated validate+deserialize', 'JSON.parse + zod safeParse', null)
recorder.write({ machine: machineInfo(), rows: ROWS, reps: REPS, bytes })
