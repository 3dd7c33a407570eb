// Serializer benchmark: the generated codec of a realistic entity against JSON.stringify / JSON.parse
// and zod, over the same rows in one process. Run: npm run bench:serialize [-- --rows N --reps R]
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import koanBackup from 'koan-backup/plugin/esbuild'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const ROWS = arg('rows', process.argv.includes('--quick') ? 200_000 : 1_000_000)
const REPS = arg('reps', process.argv.includes('--quick') ? 1 : 3)
const root = fileURLToPath(new URL('../test/fixtures/codec', import.meta.url))

// the generated module, built through the plugin exactly as an app would get it
const out = await build({
  stdin: { contents: "export { codecs } from 'koan-backup/registry'\nexport { Media } from './src/entities.ts'", resolveDir: root, loader: 'ts' },
  bundle: true, write: false, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
  plugins: [koanBackup({ root, dts: false, report: false })],
})
const { codecs, Media } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`)
const codec = codecs['src.entities.Media']

const words = ['koan', 'backup', 'vector', 'entity', 'restore', 'quiet', 'river', 'stone', 'cloud', 'garden']
function row(i) {
  const m = new Media()
  m.id = `media-${i.toString(36)}`
  m.title = `${words[i % 10]} ${words[(i * 7) % 10]} #${i}`
  m.description = `A short description of item ${i}: ${words[(i * 3) % 10]} and ${words[(i * 5) % 10]}.`
  m.views = (i * 7919) % 100000
  m.rating = ((i % 50) / 10) + 0.25
  m.createdAt = new Date(1_700_000_000_000 + i * 60_000)
  m.dimensions = { width: 640 + (i % 1280), height: 480 + (i % 720) }
  m.tags = [words[i % 10], words[(i + 3) % 10], words[(i + 6) % 10]]
  return m
}

console.log(`koan-backup serialize benchmark: ${ROWS.toLocaleString()} Media rows, ${REPS} repetition(s), node ${process.version}`)
const rows = Array.from({ length: ROWS }, (_, i) => row(i))
const lines = rows.map((r) => codec.serialize(r))
const bytes = lines.reduce((n, l) => n + l.length + 1, 0)

const gc = globalThis.gc ?? (() => {})
function time(fn) {
  gc()
  const start = performance.now()
  const sink = fn()
  const ms = performance.now() - start
  if (sink === -1) console.log('')
  return ms
}

const cases = {
  'JSON.stringify': () => { let n = 0; for (const r of rows) n += JSON.stringify(r).length; return n },
  'generated serialize': () => { let n = 0; for (const r of rows) n += codec.serialize(r).length; return n },
  'JSON.parse': () => { let n = 0; for (const l of lines) n += JSON.parse(l).views; return n },
  'JSON.parse + zod safeParse': () => { let n = 0; for (const l of lines) { const v = JSON.parse(l); if (codec.schema.safeParse(v).success) n += v.views } return n },
  'JSON.parse + generated validate+deserialize': () => { let n = 0; let i = 0; for (const l of lines) n += codec.deserialize(JSON.parse(l), i++).views; return n },
}

// warm up every path on a slice, then interleave the repetitions
for (const fn of Object.values(cases)) fn.call(null)
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let r = 0; r < REPS; r++) for (const [name, fn] of Object.entries(cases)) samples[name].push(time(fn))
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))

const rate = (t) => `${Math.round(ROWS / (t / 1000)).toLocaleString()} rows/s, ${(bytes / 1e6 / (t / 1000)).toFixed(0)} MB/s`
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
