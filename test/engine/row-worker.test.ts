import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { checkedRowBatches, fastRowBatches, type RowAt } from '../../runtime/engine/data-rows.js'
import { RowChecker } from '../../runtime/engine/row-checker.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import type { EntityCodec } from '../../runtime/schema/codec.js'
import { cleanup, dump, engine, fixtureRegistry, mediaRows } from './setup.js'
import { rewriteData } from './tamper.js'
import { resolveConfig } from '../../runtime/config.js'

const MEDIA = 'src.entities.Media'
const roots: string[] = []
afterEach(() => {
  vi.restoreAllMocks()
  for (const r of roots.splice(0)) cleanup(r)
})

/** The text in chunks of `size` characters (rows cross chunk boundaries). */
async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size)
}

/** Every row the reader gives, and the error it ends with (if any). */
async function readAll(rows: AsyncIterable<RowAt[]>): Promise<{ rows: RowAt[]; error: string | null }> {
  const out: RowAt[] = []
  try {
    for await (const batch of rows) out.push(...batch)
    return { rows: out, error: null }
  } catch (error) {
    return { rows: out, error: (error as Error).message }
  }
}

async function mediaCodec(): Promise<{ codec: EntityCodec; lines: string[] }> {
  const m = await fixtureRegistry()
  const codec = m.codecs[MEDIA]!
  return { codec, lines: mediaRows(m, 400).map((r) => codec.serialize(r)) }
}

const arrayText = (lines: string[]) => `[\n${lines.join(',\n')}\n]\n`

describe('rows checked in a worker thread', () => {
  it('vouches for exactly the canonical rows; the others are parsed on the main thread, rows in the same order as the line reader alone', async () => {
    const { codec, lines } = await mediaCodec()
    // valid JSON that is not the canonical stored form: a date toISOString does not write, a field too many, the wrong type
    lines[7] = lines[7]!.replace(/"createdAt":"([^"]*)\.000Z"/, '"createdAt":"$1Z"')
    lines[150] = lines[150]!.replace('{', '{"extra":1,')
    lines[399] = lines[399]!.replace(/"views":\d+/, '"views":"many"')
    const plain = await readAll(fastRowBatches(chunks(arrayText(lines), 997)))
    expect(plain.error).toBeNull()
    // one worker, and three taking the pieces of each chunk in turn (answers still in row order)
    for (const threads of [1, 3]) {
      const checker = RowChecker.start(codec, undefined, threads)
      expect(checker).not.toBeNull()
      expect(await checker!.whenReady()).toBe(true)
      try {
        const checked = await readAll(checkedRowBatches(chunks(arrayText(lines), 70_001), checker!))
        expect(checked.error).toBeNull()
        expect(checked.rows.map((r) => [r.index, r.line, r.text])).toEqual(plain.rows.map((r) => [r.index, r.line, r.text]))
        expect(checked.rows.filter((r) => r.checkedId === undefined).map((r) => r.index)).toEqual([7, 150, 399])
        for (const r of checked.rows) {
          if (r.checkedId === undefined) expect(r.value).toEqual(plain.rows[r.index]!.value)
          else {
            expect(r.value).toBeUndefined()
            expect(r.checkedId).toBe(`m${r.index}`)
          }
        }
      } finally {
        checker!.close()
      }
    }
  })

  it('until a worker has started (~25 ms), the rows are read on the main thread instead of waiting for it', async () => {
    const { codec, lines } = await mediaCodec()
    const checker = RowChecker.start(codec)!
    try {
      expect(checker.ready).toBe(false)
      const early = await readAll(checkedRowBatches(chunks(arrayText(lines), 1 << 20), checker))
      expect(early.error).toBeNull()
      expect(early.rows.every((r) => r.checkedId === undefined && (r.value as { id: string }).id === `m${r.index}`)).toBe(true)
      expect(await checker.whenReady()).toBe(true)
      const later = await readAll(checkedRowBatches(chunks(arrayText(lines), 1 << 20), checker))
      expect(later.rows.every((r) => r.checkedId === `m${r.index}`)).toBe(true)
    } finally {
      checker.close()
    }
  })

  it('a row that is not valid JSON, or a broken layout, ends the read with the line reader\'s error after the same rows', async () => {
    const { codec, lines } = await mediaCodec()
    const checker = RowChecker.start(codec)!
    expect(await checker.whenReady()).toBe(true)
    try {
      const badJson = [...lines]
      badJson[250] = badJson[250]!.replace('"id":"m250"', '"id":"m250')
      const missingComma = arrayText(lines).replace(/\},\n(\{[^\n]*"id":"m300")/, '}\n$1')
      for (const text of [arrayText(badJson), missingComma, arrayText(lines).slice(0, -3)]) {
        const plain = await readAll(fastRowBatches(chunks(text, 4096)))
        const checked = await readAll(checkedRowBatches(chunks(text, 4096), checker))
        expect(plain.error).not.toBeNull()
        expect(checked.error).toBe(plain.error)
        expect(checked.rows.map((r) => r.index)).toEqual(plain.rows.map((r) => r.index))
      }
    } finally {
      checker.close()
    }
  })

  it('a worker that fails (its program throws) vouches for nothing: every row is read on the main thread', async () => {
    const { codec, lines } = await mediaCodec()
    const broken = Object.defineProperty({ ...codec }, Symbol.for('koan-backup.codec-program'), { value: 'throw new Error("broken program")' }) as EntityCodec
    const checker = RowChecker.start(broken)!
    // its program throws before the worker is ready: no worker is left
    expect(await checker.whenReady()).toBe(false)
    try {
      const checked = await readAll(checkedRowBatches(chunks(arrayText(lines), 8192), checker))
      expect(checked.error).toBeNull()
      expect(checked.rows).toHaveLength(400)
      expect(checked.rows.every((r) => r.checkedId === undefined && (r.value as { id: string }).id === `m${r.index}`)).toBe(true)
    } finally {
      checker.close()
    }
  })

  it('a worker that dies mid-read (its thread exits after 100 rows): the rest is read on the main thread, nothing lost', async () => {
    const { codec, lines } = await mediaCodec()
    // vouches for the first 100 rows it sees, then ends its thread
    const program = 'let n = 0; return { "src.entities.Media": { read: (v) => { if (++n > 100) process.exit(1); return v } } }'
    const dying = Object.defineProperty({ ...codec }, Symbol.for('koan-backup.codec-program'), { value: program }) as EntityCodec
    const errors: Error[] = []
    const checker = RowChecker.start(dying, (e) => errors.push(e))!
    expect(await checker.whenReady()).toBe(true)
    try {
      const checked = await readAll(checkedRowBatches(chunks(arrayText(lines), 8192), checker))
      expect(checked.error).toBeNull()
      expect(checked.rows.map((r) => r.index)).toEqual(lines.map((_, i) => i))
      const vouched = checked.rows.filter((r) => r.checkedId !== undefined)
      expect(vouched.length).toBeGreaterThan(0)
      expect(vouched.length).toBeLessThanOrEqual(100)
      for (const r of checked.rows) {
        if (r.checkedId !== undefined) expect(r.checkedId).toBe(`m${r.index}`)
        else expect((r.value as { id: string }).id).toBe(`m${r.index}`)
      }
    } finally {
      checker.close()
    }
  })

  it('codecs not compiled from a generated program get no worker', async () => {
    const { codec } = await mediaCodec()
    expect(RowChecker.start({ ...codec })).toBeNull()
  })

  it('a restore, a dry run and verify with readData use the worker and give what the main thread alone gives', async () => {
    const source = await engine()
    roots.push(source.path)
    const rows = mediaRows(source.m, 3000)
    await (await source.store.collection(descriptorOf(source.m.codecs[MEDIA]!))).upsert(rows)
    const { timestamp } = await source.backup.Media!.create()
    const check = vi.spyOn(RowChecker.prototype, 'check')
    // rows wait for a starting worker instead of being read here meanwhile: every row goes to a worker
    vi.spyOn(RowChecker.prototype, 'ready', 'get').mockReturnValue(true)
    const results = []
    for (const rowWorkerMinRows of [false, 0] as const) {
      const target = await engine({ path: source.path, store: memoryStore(), config: { rowWorkerMinRows } })
      const c = await target.store.collection(descriptorOf(target.m.codecs[MEDIA]!))
      await c.upsert(rows.slice(0, 10))
      const dry = await target.backup.Media!.restore({ dryRun: true })
      const restored = await target.backup.Media!.restore()
      const verified = await target.backup.Media!.verify(timestamp, { readData: true })
      results.push({ dry: { ...dry, durationMs: 0 }, restored: { ...restored, durationMs: 0 }, verified, rows: await dump(target.store, target.m, MEDIA) })
    }
    expect(results[1]).toEqual(results[0])
    expect(results[0]!.restored).toMatchObject({ inserted: 2990, skipped: 10 })
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    expect(results[0]!.rows).toEqual([...rows].sort(byId))
    // the worker answered for every row of the three reads (main-thread reads never ask it)
    const verdicts = (await Promise.all(check.mock.results.map((r) => r.value as Promise<Array<unknown> | null>))).flatMap((ids) => ids ?? [])
    expect(verdicts).toHaveLength(3 * 3000)
    expect(verdicts.every((id) => typeof id === 'string')).toBe(true)
  })

  it('a row that does not fit the schema halfway through a large backup: the same refusal, nothing written', async () => {
    const source = await engine()
    roots.push(source.path)
    await (await source.store.collection(descriptorOf(source.m.codecs[MEDIA]!))).upsert(mediaRows(source.m, 2000))
    const { timestamp } = await source.backup.Media!.create()
    await rewriteData(source.path, MEDIA, timestamp, (text) => text.replace('"views":1500,', '"views":"many",'))
    // every row goes to the (starting) worker
    vi.spyOn(RowChecker.prototype, 'ready', 'get').mockReturnValue(true)
    const check = vi.spyOn(RowChecker.prototype, 'check')
    const messages = []
    for (const rowWorkerMinRows of [false, 0] as const) {
      const target = await engine({ path: source.path, store: memoryStore(), config: { rowWorkerMinRows } })
      const error = await target.backup.Media!.restore().then(() => null, (e: { details?: { failures?: Array<{ message: string }> } }) => e.details?.failures?.[0]?.message)
      messages.push(error)
      expect(await dump(target.store, target.m, MEDIA)).toEqual([])
    }
    expect(messages[0]).toMatch(/row \d+ \(id "m1500"\): field views: expected number, found string "many"/)
    expect(messages[1]).toBe(messages[0])
    expect(check).toHaveBeenCalled()
  })

  it('works from inside an app bundle (esbuild, minified or with keepNames), and a bundle it cannot run in falls back with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-row-worker-'))
    roots.push(dir)
    const checkerModule = fileURLToPath(new URL('../../runtime/engine/row-checker.ts', import.meta.url))
    // a codec compiled from a program that takes rows whose `ok` is true
    writeFileSync(join(dir, 'app.ts'), `
      import { RowChecker } from ${JSON.stringify(checkerModule)}
      const codec = Object.defineProperty({ fullName: 'app.Row' }, Symbol.for('koan-backup.codec-program'), {
        value: 'return { "app.Row": { read: (v) => (v.ok === true ? v : $.FAIL) } }',
      })
      const errors: string[] = []
      const checker = RowChecker.start(codec as never, (e) => errors.push(e.message))!
      const text = '{"id":"a","ok":true}{"id":"b","ok":false}{"id":7,"ok":true}'
      const ids = await checker.check(text, Int32Array.of(0, 20, 41), Int32Array.of(20, 41, 59))
      checker.close()
      console.log(JSON.stringify({ ids, errors }))
    `)
    const run = async (options: { minify?: boolean; keepNames?: boolean }) => {
      const outfile = join(dir, `app-${options.minify ? 'm' : ''}${options.keepNames ? 'k' : ''}.mjs`)
      await build({ entryPoints: [join(dir, 'app.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent', ...options })
      const child = spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 30_000 })
      expect(child.status, child.stderr).toBe(0)
      return JSON.parse(child.stdout.trim()) as { ids: unknown[] | null; errors: string[] }
    }
    for (const options of [{}, { minify: true }, { keepNames: true }]) {
      expect(await run(options), JSON.stringify(options)).toEqual({ ids: ['a', null, 7], errors: [] })
    }
    // minified with keepNames, the bundle's own name helper is renamed: the worker cannot run, and says so
    const broken = await run({ minify: true, keepNames: true })
    expect(broken.ids).toBeNull()
    expect(broken.errors).toEqual([expect.stringMatching(/is not defined/)])
  })

  it('rowWorkerMinRows: 20000 by default, false for never, anything else refused naming the key; below it no worker starts', async () => {
    expect(resolveConfig({}).rowWorkerMinRows).toBe(20_000)
    expect(resolveConfig({ rowWorkerMinRows: false }).rowWorkerMinRows).toBe(Infinity)
    expect(resolveConfig({ rowWorkerMinRows: 0 }).rowWorkerMinRows).toBe(0)
    for (const bad of [-1, 1.5, '100', true]) {
      expect(() => resolveConfig({ rowWorkerMinRows: bad as never })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringContaining('config `rowWorkerMinRows`') }))
    }
    const source = await engine()
    roots.push(source.path)
    await (await source.store.collection(descriptorOf(source.m.codecs[MEDIA]!))).upsert(mediaRows(source.m, 50))
    await source.backup.Media!.create()
    const start = vi.spyOn(RowChecker, 'start')
    const below = await engine({ path: source.path, store: memoryStore(), config: { rowWorkerMinRows: 51 } })
    await below.backup.Media!.restore()
    expect(start).not.toHaveBeenCalled()
    const at = await engine({ path: source.path, store: memoryStore(), config: { rowWorkerMinRows: 50 } })
    await at.backup.Media!.restore()
    expect(start).toHaveBeenCalledTimes(1)
  })
})
