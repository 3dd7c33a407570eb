/**
 * C4 — row-level input (RELIABILITY-MATRIX rows 23–29): backups whose rows were changed by a writer
 * that re-vouched every checksum (and re-encrypted with the key), so only the row checks can refuse
 * them. Every refusal is checked against two targets: a transactional store (nothing committed) and
 * one without transactions (nothing written at all).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import { sqliteStore } from '../../runtime/adapters/data/sqlite.js'
import type { DataStore, EntityDescriptor } from '../../runtime/adapters/data/types.js'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import type { VectorStore } from '../../runtime/adapters/vector/types.js'
import { realFs, type BackupFs } from '../../runtime/engine/fs.js'
import { engine } from '../engine/setup.js'
import { backupFiles, rewriteMetadata } from '../engine/tamper.js'
import { countWrites, dataText, failure, peakRss, revouch, rewriteModeData, withoutTransactions } from './c345.js'
import { figure, MODES, modeEngine, type Mode, removeDir, scaled, tempDir, withSeed } from './harness.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'

const dirs: string[] = []
afterAll(() => { for (const d of dirs.splice(0)) removeDir(d) })

/** A backup of `n` rows of the mode's entity, with non-ASCII text so that byte offsets differ from character offsets. */
async function backedUp(mode: Mode, n: number, config: Parameters<typeof modeEngine>[1] = {}) {
  const path = tempDir('c4')
  dirs.push(path)
  const e = await modeEngine(mode, { path, ...config })
  const Cls = e.m[mode.entity] as new () => object
  const rows = Array.from({ length: n }, (_, i) => Object.assign(new Cls(), mode.entity === 'Media'
    ? { id: `m${String(i).padStart(7, '0')}`, title: `tïtle ${i} ☃`, description: `déscription "${i}" ${'é'.repeat(i % 7)}`, views: i, rating: (i % 5) + 0.5, createdAt: new Date(1_700_000_000_000 + i * 1000), dimensions: { width: i, height: 2 * i }, tags: [`t${i % 3}`] }
    : { id: `a${String(i).padStart(7, '0')}`, email: `ü${i}@exämple.com`, balance: BigInt(i) * 10n ** 12n, openedAt: new Date(i * 1e6) }))
  const c = await e.store.collection(e.descriptor)
  for (let i = 0; i < rows.length; i += 10_000) await c.upsert(rows.slice(i, i + 10_000))
  const { timestamp } = await e.create()
  return { ...e, timestamp }
}

/** Two restore targets over `path`: a transactional store and one without transactions, both counting writes. */
async function targets(mode: Mode, path: string, options: { constraints?: boolean; vectors?: VectorStore } = {}) {
  const out = []
  for (const transactions of [true, false]) {
    const inner = memoryStore({ constraints: options.constraints ?? false })
    const store = countWrites(transactions ? inner : withoutTransactions(inner))
    const e = await modeEngine(mode, { path, store, ...(options.vectors ? { config: { vectors: options.vectors } } : {}) })
    out.push({ ...e, transactions, inner, counted: store })
  }
  return out
}

/** Rows now in a target's store (committed). */
const committed = async (t: { rows(): Promise<unknown[]> }) => (await t.rows()).length

describe('C4 row-level input', () => {
  it('C4-23 malformed JSON mid-array: the row index and byte offset are exact, 0 rows applied', () => withSeed('C4-23', async (r) => {
    const trials = scaled(6)
    let refused = 0
    let exact = 0
    let applied = 0
    let cases = 0
    for (const mode of MODES) {
      const b = await backedUp(mode, 3000)
      const original = await dataText(b.path, mode, b.timestamp)
      for (let t = 0; t < trials; t++) {
        const row = r.int(3000)
        const lines = original.split('\n')
        const line = lines[row + 1]!
        const kind = t % 3
        // three edits that can never be valid JSON, each at a known character of the row
        const [bad, at] = kind === 0 ? [`{@${line.slice(1)}`, 1]
          : kind === 1 ? [line.replace(':', '='), line.indexOf(':')]
          : [line.endsWith(',') ? `${line.slice(0, -2)},` : line.slice(0, -1), line.endsWith(',') ? line.length - 2 : line.length - 1]
        lines[row + 1] = bad
        const rowStart = Buffer.byteLength(`${lines.slice(0, row + 1).join('\n')}\n`)
        const errorAt = rowStart + Buffer.byteLength(bad.slice(0, at))
        await rewriteModeData(b.path, mode, b.timestamp, () => lines.join('\n'))
        for (const x of await targets(mode, b.path)) {
          const f = await failure(x.api.restore())
          cases++
          expect(f.code, f.message).toBe('CORRUPT')
          expect(f.message).toMatch(new RegExp(`row ${row} \\(line ${row + 2}\\) is not valid JSON`))
          if (f.code === 'CORRUPT') refused++
          expect(f.details).toMatchObject({ row, line: row + 2, offset: rowStart })
          if (f.details.errorOffset !== undefined) expect(f.details.errorOffset, f.message).toBe(errorAt)
          if (f.details.row === row && f.details.offset === rowStart && (f.details.errorOffset ?? errorAt) === errorAt) exact++
          applied += await committed(x) + (x.transactions ? 0 : x.counted.rowsWritten)
        }
      }
      // verify with readData names the same place
      const v = await failure(b.api.verify(b.timestamp, { readData: true }))
      expect(v.code).toBe('CORRUPT')
      expect(v.message).toMatch(/is not valid JSON .* byte \d+/)
    }
    expect(applied).toBe(0)
    figure('C4-23', `${cases} restores of backups with a syntax error at a random row (${trials} per mode × 4 modes × 2 stores): ${refused} refused, 0 rows applied (${applied}); error offset exact ${exact}/${cases} (row index, line, byte offset of the row and of the error in the decoded data.json, with multi-byte text before it)`)
  }))

  it('C4-24 1% of rows failing the schema (wrong type, missing id): strict refuses, 0 applied', () => withSeed('C4-24', async (r) => {
    let cases = 0
    let refused = 0
    let applied = 0
    let injectedTotal = 0
    for (const mode of MODES) {
      const n = 5000
      const b = await backedUp(mode, n)
      const lines = (await dataText(b.path, mode, b.timestamp)).split('\n')
      const victims = new Set<number>()
      while (victims.size < n / 100) victims.add(r.int(n))
      for (const v of victims) {
        const l = lines[v + 1]!
        lines[v + 1] = v % 2 === 0 ? l.replace(/^\{"id":"[^"]*",/, '{')
          : mode.entity === 'Media' ? l.replace(/"views":(\d+)/, '"views":"$1"') : l.replace(/"balance":"(\d+)"/, '"balance":$1')
        expect(lines[v + 1]).not.toBe(l)
      }
      injectedTotal += victims.size
      await rewriteModeData(b.path, mode, b.timestamp, () => lines.join('\n'))
      const first = Math.min(...victims)
      for (const x of await targets(mode, b.path)) {
        const f = await failure(x.api.restore())
        cases++
        expect(f.code, f.message).toBe('ROW_INVALID')
        expect(f.message).toMatch(new RegExp(`row ${first}\\b`))
        if (f.code === 'ROW_INVALID') refused++
        applied += await committed(x) + (x.transactions ? 0 : x.counted.rowsWritten)
      }
    }
    expect(applied).toBe(0)
    figure('C4-24', `strict: 0 applied — ${refused}/${cases} restores refused with ROW_INVALID naming the first bad row (${injectedTotal} rows injected, 1% of 5000 per mode, half without id, half with a wrong type; 4 modes × 2 stores); lenient (skip + quarantine report): not available, every restore is strict`)
  }))

  it('C4-25 k duplicate ids among 100k rows: detected k/k before any write or index drop', () => withSeed('C4-25', async (r) => {
    const results: string[] = []
    let detected = 0
    let injected = 0
    let applied = 0
    let drops = 0
    for (const [i, mode] of MODES.entries()) {
      const n = i === 1 ? scaled(100_000) : scaled(10_000)
      const b = await backedUp(mode, n)
      const lines = (await dataText(b.path, mode, b.timestamp)).split('\n')
      const k = 1 + r.int(20)
      const picked = new Set<number>()
      while (picked.size < 2 * k) picked.add(r.int(n))
      const [victims, sources] = [[...picked].slice(0, k), [...picked].slice(k)]
      victims.forEach((v, j) => {
        const id = /^\{"id":("[^"]*")/.exec(lines[sources[j]! + 1]!)![1]
        lines[v + 1] = lines[v + 1]!.replace(/^\{"id":"[^"]*"/, `{"id":${id}`)
      })
      injected += k
      await rewriteModeData(b.path, mode, b.timestamp, () => lines.join('\n'))
      for (const x of await targets(mode, b.path, { constraints: true })) {
        const f = await failure(x.api.restore())
        expect(f.code, f.message).toBe('DATA_CONFLICT')
        expect(f.details.duplicates, f.message).toBe(k)
        if (f.details.duplicates === k) detected += k
        applied += await committed(x) + (x.transactions ? 0 : x.counted.rowsWritten)
        drops += (x.inner as unknown as { constraintCalls: string[] }).constraintCalls.length
      }
      results.push(`${mode.name} ${n} rows k=${k}`)
    }
    expect(applied).toBe(0)
    expect(drops).toBe(0)
    figure('C4-25', `detected ${detected / 2}/${injected} duplicate ids (each restore reports the count), 0 applied, 0 constraint/index drops before the refusal (stores with a constraint manager, with and without transactions): ${results.join('; ')}`)
  }))

  it('C4-26 __proto__ and constructor.prototype keys: 0 prototype changes', () => withSeed('C4-26', async () => {
    const probe = () => JSON.stringify({
      object: Object.getOwnPropertyNames(Object.prototype).sort(), array: Object.getOwnPropertyNames(Array.prototype).sort(),
      fn: Object.getOwnPropertyNames(Function.prototype).sort(), polluted: [({} as Record<string, unknown>).polluted, ([] as unknown as Record<string, unknown>).polluted, (Object.prototype as Record<string, unknown>).polluted],
      proto: Object.getPrototypeOf({}) === Object.prototype,
    })
    const before = probe()
    let restores = 0
    let refusedRows = 0
    const kept: string[] = []
    // 1. entities whose free-form fields hold these keys as data: backed up and restored into memory and SQLite
    const path = tempDir('c4-26')
    dirs.push(path)
    const s = await engine({ path })
    const SAMPLE = 'src.entities.Sample'
    const codec = s.m.codecs[SAMPLE]!
    const descriptor: EntityDescriptor = descriptorOf(codec)
    const Sample = s.m.Sample as new () => Record<string, unknown>
    const nasty = () => JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"a":[{"__proto__":{"polluted":"yes"}}]}')
    const rows = Array.from({ length: 20 }, (_, i) => {
      const x = Object.assign(new Sample(), { id: `s${i}`, extra: nasty(), counters: new Map([['__proto__', 1], ['constructor', 2]]) })
      Object.defineProperty(x.labels, '__proto__', { value: 'not a prototype', enumerable: true, writable: true, configurable: true })
      Object.defineProperty(x.labels, 'constructor', { value: 'not a constructor', enumerable: true, writable: true, configurable: true })
      return x
    })
    await (await s.store.collection(descriptor)).upsert(rows)
    await s.backup.entity('Sample').create()
    const text = readFileSync(backupFiles(path, SAMPLE, (await s.backup.entity('Sample').list())[0]!.timestamp).dataFile)
    expect(text.length).toBeGreaterThan(0)
    const dbDir = tempDir('c4-26-db')
    dirs.push(dbDir)
    for (const store of [memoryStore(), sqliteStore({ file: join(dbDir, 'sample.db') })] as DataStore[]) {
      const x = await engine({ path, store })
      await x.backup.entity('Sample').restore()
      restores++
      const back: Array<Record<string, unknown>> = []
      for await (const row of (await store.collection(descriptor)).stream()) back.push(row as Record<string, unknown>)
      expect(back).toHaveLength(20)
      for (const row of back) {
        expect(Object.getPrototypeOf(row)).toBe(Sample.prototype)
        expect(Object.getPrototypeOf(row.labels)).toBe(Object.prototype)
        expect(Object.getOwnPropertyDescriptor(row.labels, '__proto__')?.value).toBe('not a prototype')
        expect(Object.getPrototypeOf(row.extra)).toBe(Object.prototype)
        expect((row.extra as Record<string, unknown>).polluted).toBeUndefined()
        expect(Object.prototype.hasOwnProperty.call(row.extra, '__proto__')).toBe(true)
      }
      await store.close?.()
      expect(probe()).toBe(before)
    }
    kept.push('data in free-form fields (Record, Map, unknown): kept as own data keys, prototypes untouched (memory and SQLite stores)')
    // 2. the keys injected at the top level of rows of every mode: not fields of the entity
    for (const mode of MODES) {
      const b = await backedUp(mode, 200)
      await rewriteModeData(b.path, mode, b.timestamp, (t) => t.split('\n').map((l, i) => (i > 0 && i % 10 === 0 && l.startsWith('{')
        ? `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${l.slice(1)}` : l)).join('\n'))
      for (const x of await targets(mode, b.path)) {
        const f = await failure(x.api.restore())
        restores++
        expect(f.code, f.message).toBe('ROW_INVALID')
        if (f.code === 'ROW_INVALID') refusedRows++
        expect(await committed(x)).toBe(0)
        expect(probe()).toBe(before)
      }
    }
    kept.push(`top-level keys that are not fields: rejected (ROW_INVALID) in ${refusedRows}/8 restores (4 modes × 2 stores)`)
    expect(probe()).toBe(before)
    figure('C4-26', `0 prototype changes over ${restores} restores (Object/Array/Function prototypes and {}/[] probes compared before and after); policy: ${kept.join('; ')}`)
  }))

  it('C4-27 a 65 MiB row and nesting depth 10^5: limit errors, bounded memory, 0 applied', () => withSeed('C4-27', async () => {
    const lines: string[] = []
    let applied = 0
    for (const mode of MODES) {
      const b = await backedUp(mode, 100)
      const field = mode.entity === 'Media' ? 'title' : 'email'
      await rewriteModeData(b.path, mode, b.timestamp, (t) => t.replace(new RegExp(`"${field}":"[^"]*"`), `"${field}":"${'x'.repeat(65 * 1024 * 1024)}"`))
      for (const x of (await targets(mode, b.path)).slice(1)) {
        const run = await peakRss(() => x.api.restore())
        const f = await failure(Promise.reject(run.error))
        expect(f.code).toBe('DATA_CONFLICT')
        expect(f.message).toMatch(/longer than 64 MiB; refusing to read it/)
        applied += await committed(x) + x.counted.rowsWritten
        // the reader holds at most the limit plus a chunk, and joins the pieces once (64 MiB + the joined copy)
        expect(run.peakMb).toBeLessThan(64 + 192)
        lines.push(`${mode.name} 65 MiB row: refused in ${(run.ms / 1000).toFixed(1)} s, peak RSS +${run.peakMb.toFixed(0)} MB`)
      }
    }
    // nesting: in a typed field (tags) and in a free-form one (Sample.extra)
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    for (const mode of [MODES[1]!, MODES[3]!]) {
      const b = await backedUp(mode, 100)
      const field = mode.entity === 'Media' ? 'tags' : 'email'
      await rewriteModeData(b.path, mode, b.timestamp, (t) => t.replace(new RegExp(`"${field}":(\\[[^\\]]*\\]|"[^"]*")`), `"${field}":${deep}`))
      for (const x of await targets(mode, b.path)) {
        const run = await peakRss(() => x.api.restore())
        const f = await failure(run.error ? Promise.reject(run.error) : Promise.resolve())
        expect(f.code, f.message).toBe('DATA_CONFLICT')
        expect(f.message).toMatch(/deeper than 1000 levels/)
        applied += await committed(x) + (x.transactions ? 0 : x.counted.rowsWritten)
        lines.push(`${mode.name} depth 10^5 in ${field} (${x.transactions ? 'tx' : 'no tx'}): ${f.code} in ${run.ms.toFixed(0)} ms, peak RSS +${run.peakMb.toFixed(0)} MB`)
      }
    }
    const path = tempDir('c4-27')
    dirs.push(path)
    const s = await engine({ path })
    const SAMPLE = 'src.entities.Sample'
    const codec = s.m.codecs[SAMPLE]!
    const descriptor: EntityDescriptor = descriptorOf(codec)
    const Sample = s.m.Sample as new () => Record<string, unknown>
    await (await s.store.collection(descriptor)).upsert(Array.from({ length: 50 }, (_, i) => Object.assign(new Sample(), { id: `s${i}`, extra: { i } })))
    const { timestamp } = await s.backup.entity('Sample').create({ compress: false })
    const file = backupFiles(path, SAMPLE, timestamp).dataFile
    const lineText = readFileSync(file, 'utf8').replace('"extra":{"i":25}', `"extra":${deep}`)
    // the same row in a file that is not one row per line (as edited by hand): read by the general parser
    const handText = lineText.replace('},\n{', '}, {')
    for (const [layout, text] of [['one row per line', lineText], ['hand-edited layout', handText]] as const) for (const transactions of [true, false]) {
      writeFileSync(file, text)
      revouch(path, SAMPLE, timestamp, 'data', Buffer.from(text))
      const inner = memoryStore()
      const store = countWrites(transactions ? inner : withoutTransactions(inner))
      const x = await engine({ path, store })
      const run = await peakRss(() => x.backup.entity('Sample').restore())
      const f = await failure(run.error ? Promise.reject(run.error) : Promise.resolve())
      let rows = 0
      for await (const _ of (await inner.collection(descriptor)).stream()) rows++
      applied += rows
      lines.push(`Sample.extra (unknown) depth 10^5, ${layout} (${transactions ? 'tx' : 'no tx'}): ${f.code} in ${run.ms.toFixed(0)} ms, ${rows} rows applied, peak RSS +${run.peakMb.toFixed(0)} MB`)
      expect(f.code, f.message).toBe('DATA_CONFLICT')
      expect(f.message).toMatch(/deeper than 1000 levels/)
    }
    figure('C4-27', `clean limit errors, ${applied} rows applied (peak RSS sampled every 2 ms above the start of the restore): ${lines.join('; ')}`)
    expect(applied).toBe(0)
  }))
  it('C4-28 missing and invalid vectors: counted and reported; strict and damaged files refuse before writing', () => withSeed('C4-28', async (r) => {
    const n = 2000
    const dim = 16
    const vec = (i: number) => Float32Array.from({ length: dim }, (_, j) => Math.sin(i * 31 + j))
    const lines: string[] = []
    let writesOnRefusal = 0
    for (const mode of MODES.filter((m) => m.entity === 'Media')) {
      // the source vector store lacks 1% of the vectors
      const source = memoryVectorStore()
      const missing = new Set<number>()
      while (missing.size < n / 100) missing.add(r.int(n))
      const path = tempDir('c4-28')
      dirs.push(path)
      const b = await modeEngine(mode, { path, config: { vectors: source } })
      const Media = b.m.Media as new () => object
      const c = await b.store.collection(b.descriptor)
      await c.upsert(Array.from({ length: n }, (_, i) => Object.assign(new Media(), { id: `m${String(i).padStart(7, '0')}`, title: `t${i}`, description: 'd', views: i, rating: 1, createdAt: new Date(i), dimensions: { width: 1, height: 1 }, tags: [] })))
      const vc = await source.collection({ fullName: mode.fullName, name: 'Media' }, { dimension: dim, metric: 'cosine' })
      await vc.upsert(Array.from({ length: n }, (_, i) => i).filter((i) => !missing.has(i)).map((i) => ({ id: `m${String(i).padStart(7, '0')}`, vector: vec(i) })))
      const created = await b.create()
      expect(created.vectorCount).toBe(n - missing.size)
      const meta = backupFiles(b.path, mode.fullName, created.timestamp).metadata
      expect(meta.vectors.missing).toBe(missing.size)
      // lenient restore: reported == injected; strict without an embedder: refused before any write
      const target = memoryVectorStore()
      const lenient = (await targets(mode, b.path, { vectors: target }))[1]!
      const result = await lenient.api.restore({ timestamp: created.timestamp })
      expect(result.vectors).toMatchObject({ missing: missing.size, unembedded: missing.size, reused: n - missing.size })
      const strictTarget = memoryVectorStore()
      for (const x of await targets(mode, b.path, { vectors: strictTarget })) {
        const f = await failure(x.api.restore({ timestamp: created.timestamp, strict: true }))
        expect(f.code, f.message).toBe('DATA_CONFLICT')
        expect(f.message).toMatch(new RegExp(`${missing.size} have no stored vector`))
        writesOnRefusal += (await x.rows()).length + x.counted.rowsWritten + await (await strictTarget.collection({ fullName: mode.fullName, name: 'Media' }, { dimension: dim, metric: 'cosine' })).count()
      }
      lines.push(`${mode.name}: ${missing.size}/${missing.size} missing vectors reported by backup (metadata) and restore, strict refused`)
      // damaged vectors: NaN in 1% of the records, then a wrong dimension in the header
      const file = join(b.path, mode.fullName, created.timestamp, 'vectors/text-embedding-3-small/vectors.kbv')
      const original = readFileSync(file)
      const headerEnd = original.indexOf(10, 5) + 1
      const header = JSON.parse(original.subarray(5, headerEnd - 1).toString())
      const records: number[] = []
      for (let at = headerEnd; at < original.length;) {
        records.push(at)
        at += 1 + 4 + original.readUInt32BE(at + 1) + 32 + header.dimension * 4
      }
      const damaged = Buffer.from(original)
      const nan = new Set<number>()
      while (nan.size < Math.max(1, records.length / 100)) nan.add(r.int(records.length))
      for (const k of nan) {
        const at = records[k]!
        damaged.writeFloatLE(Number.NaN, at + 5 + damaged.readUInt32BE(at + 1) + 32 + 4 * r.int(dim))
      }
      const wrongDim = Buffer.concat([Buffer.from(`KBV1\n${JSON.stringify({ ...header, dimension: dim + 1 })}\n`), original.subarray(headerEnd)])
      for (const [what, bytes] of [[`NaN in ${nan.size} records`, damaged], ['header dimension 17 for 16-float records', wrongDim]] as const) {
        writeFileSync(file, bytes)
        revouch(b.path, mode.fullName, created.timestamp, `vectors/text-embedding-3-small`, bytes)
        for (const strict of [false, true]) {
          const vt = memoryVectorStore()
          for (const x of await targets(mode, b.path, { vectors: vt })) {
            const f = await failure(x.api.restore({ timestamp: created.timestamp, strict }))
            expect(f.code, f.message).toBe('CORRUPT')
            writesOnRefusal += (await x.rows()).length + x.counted.rowsWritten + await (await vt.collection({ fullName: mode.fullName, name: 'Media' }, { dimension: dim, metric: 'cosine' })).count()
          }
        }
        lines.push(`${mode.name}: ${what}: refused (CORRUPT) lenient and strict`)
      }
      writeFileSync(file, original)
      revouch(b.path, mode.fullName, created.timestamp, `vectors/text-embedding-3-small`, original)
    }
    expect(writesOnRefusal).toBe(0)
    figure('C4-28', `reported == injected; ${lines.join('; ')}; 0 rows or vectors written by any refused restore (vectors exist for Media only: plain and gzip modes)`)
  }))

  it('C4-29 file names in metadata that are not the engine\'s own: refused before any fs access outside the backup', () => withSeed('C4-29', async () => {
    const mode = MODES[1]!
    const b = await backedUp(mode, 20)
    const outside = tempDir('c4-29-outside')
    dirs.push(outside)
    const canary = join(outside, 'canary.json')
    writeFileSync(canary, '["canary"]')
    const names = [
      '../../../canary.json', canary, relative(join(b.path, mode.fullName, b.timestamp), canary), 'C:\\canary.json', 'C:canary.json', '..\\..\\..\\canary.json',
      'data.json/../../../canary.json', 'data.json\u0000', './data.json', 'data.json.gz/', 'DATA.JSON', 'data.json ', '%2e%2e/canary.json', '\uff0e\uff0e/canary.json',
    ]
    const vectorNames = ['vectors/../../../canary/vectors.kbv', 'vectors/a/b/vectors.kbv', `vectors/${'x'.repeat(101)}/vectors.kbv`, '/vectors/x/vectors.kbv', 'vectors\\x\\vectors.kbv']
    const accessed: string[] = []
    const spy: BackupFs = Object.fromEntries(Object.entries(realFs).map(([k, fn]) => [k, (...args: unknown[]) => {
      for (const a of args.slice(0, k === 'rename' ? 2 : 1)) if (typeof a === 'string' || a instanceof URL || Buffer.isBuffer(a)) accessed.push(String(a))
      return (fn as (...x: unknown[]) => unknown)(...args)
    }])) as unknown as BackupFs
    let refused = 0
    const cases = names.length + vectorNames.length
    for (const [i, name] of [...names, ...vectorNames].entries()) {
      const vector = i >= names.length
      rewriteMetadata(b.path, mode.fullName, b.timestamp, (m) => {
        m.files = m.files.filter((f: { role: string }) => f.role === 'data')
        if (vector) m.files.push({ ...m.files[0], name, role: 'vectors/x', compressed: false })
        else m.files[0].name = name
      })
      const x = await modeEngine(mode, { path: b.path, fs: spy })
      for (const call of [() => x.api.restore({ timestamp: b.timestamp }), () => x.api.verify(b.timestamp, { readData: true })]) {
        const f = await failure(call())
        expect(f.code, `${JSON.stringify(name)}: ${f.message}`).toBe('CORRUPT')
        expect(f.message).toMatch(/names an unexpected file/)
        if (f.code === 'CORRUPT') refused++
      }
      expect(await committed(x)).toBe(0)
    }
    // the latest pointer naming a path instead of a timestamp is not followed either
    rewriteMetadata(b.path, mode.fullName, b.timestamp, (m) => { m.files = m.files.filter((f: { role: string }) => f.role === 'data'); m.files[0].name = 'data.json.gz' })
    writeFileSync(join(b.path, mode.fullName, 'latest'), JSON.stringify({ timestamp: '../../../outside', metadataSha256: '0'.repeat(64) }))
    const x = await modeEngine(mode, { path: b.path, fs: spy })
    expect((await x.api.restore()).inserted).toBe(20)
    const escaped = accessed.filter((p) => { const rel = relative(b.path, p); return rel.startsWith('..') || isAbsolute(rel) })
    expect(escaped).toEqual([])
    expect(accessed.filter((p) => p.includes('canary'))).toEqual([])
    figure('C4-29', `0 fs accesses outside the backup dir over ${accessed.length} recorded calls; ${refused}/${2 * cases} restores and verifies refused (CORRUPT "names an unexpected file") for ${cases} names (traversal, absolute, Windows, drive-relative, NUL, encoded, look-alike dots, case and space variants; data and vector roles); a latest pointer naming a path falls back to the newest Completed backup. Names are checked against the engine's own patterns (data.json[.gz], vectors/<model>/vectors.kbv), the KBV1 vector file replacing per-hash JSON files`)
  }))
  it('C4-28 a data file missing a row, re-vouched, for an entity with vectors: refused before writing (store without transactions)', () => withSeed('C4-28b', async () => {
    const mode = MODES[0]!
    const path = tempDir('c4-28b')
    dirs.push(path)
    const source = memoryVectorStore()
    const e = await modeEngine(mode, { path, config: { vectors: source } })
    await e.seed(50)
    await (await source.collection({ fullName: mode.fullName, name: 'Media' }, { dimension: 4, metric: 'cosine' })).upsert(Array.from({ length: 50 }, (_, i) => ({ id: `m${i}`, vector: new Float32Array([1, i, 2, 3]) })))
    const { timestamp } = await e.create()
    await rewriteModeData(path, mode, timestamp, (t) => t.replace(/\n\{"id":"m3"[^\n]*,/, ''))
    for (const x of await targets(mode, path, { vectors: memoryVectorStore() })) {
      const f = await failure(x.api.restore())
      expect(f.code, f.message).toBe('CORRUPT')
      expect(f.message).toMatch(/49 rows read, metadata says 50/)
      expect(await committed(x) + x.counted.rowsWritten * (x.transactions ? 0 : 1)).toBe(0)
    }
  }))
})
