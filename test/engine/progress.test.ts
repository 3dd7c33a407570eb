import { afterEach, describe, expect, it } from 'vitest'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import type { ProgressEvent } from '../../runtime/engine/progress.js'
import { PROGRESS_EVERY, ProgressMeter } from '../../runtime/engine/progress.js'
import { cleanup, dump, engine, mediaRows } from './setup.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'

const MEDIA = 'src.entities.Media'
const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) cleanup(r) })

async function seeded(n: number) {
  const e = await engine()
  roots.push(e.path)
  const codec = e.m.codecs[MEDIA]!
  const media = await e.store.collection(descriptorOf(codec))
  await media.upsert(mediaRows(e.m, n))
  return e
}

/** Events of one phase, checked to grow monotonically and to end once, with `done`. */
function phase(events: ProgressEvent[], name: ProgressEvent['phase']): ProgressEvent[] {
  const list = events.filter((e) => e.phase === name)
  expect(list.length).toBeGreaterThan(1)
  for (let i = 1; i < list.length; i++) {
    expect(list[i]!.rows).toBeGreaterThanOrEqual(list[i - 1]!.rows)
    expect(list[i]!.bytes).toBeGreaterThanOrEqual(list[i - 1]!.bytes)
  }
  expect(list.filter((e) => e.done)).toEqual([list.at(-1)])
  expect(list[0]).toMatchObject({ rows: 0, bytes: 0, done: false })
  return list
}

describe('onProgress', () => {
  it('backup: counts grow to the totals, every 1000 rows rather than per row, bytes end at the file size', async () => {
    const n = 2500
    const { backup } = await seeded(n)
    const events: ProgressEvent[] = []
    const result = await backup.entity('Media').create({ onProgress: (e) => events.push(e) })
    const list = phase(events, 'backup')
    expect(list.every((e) => e.entity === MEDIA && e.totalRows === n)).toBe(true)
    expect(list.at(-1)).toMatchObject({ rows: n, bytes: result.sizeBytes, done: true })
    // start, 1000, 2000, end
    expect(list.map((e) => e.rows)).toEqual([0, 1000, 2000, n])
  })

  it('restore: the checksum pass, then the rows, each ending at its totals', async () => {
    const n = 2100
    const { backup, m } = await seeded(n)
    const created = await backup.entity('Media').create()
    const target = memoryStore()
    backup.configure({ data: target, path: roots[0]!, logger: false })
    const events: ProgressEvent[] = []
    await backup.restore({ entities: ['Media'], onProgress: (e) => events.push(e) })
    const verify = phase(events, 'verify')
    expect(verify.at(-1)).toMatchObject({ bytes: created.sizeBytes, totalBytes: created.sizeBytes })
    const restore = phase(events, 'restore')
    expect(restore.at(-1)).toMatchObject({ rows: n, totalRows: n, bytes: created.sizeBytes, totalBytes: created.sizeBytes, done: true })
    // the phases come in order: every verify event before the first restore event
    expect(events.findIndex((e) => e.phase === 'restore')).toBeGreaterThan(events.lastIndexOf(verify.at(-1)!))
    expect(await dump(target, m, MEDIA)).toHaveLength(n)
  })

  it('a dry run validates in its one pass over the rows (reported under restore), after the checksum pass', async () => {
    const n = 1200
    const { backup } = await seeded(n)
    const created = await backup.entity('Media').create()
    const events: ProgressEvent[] = []
    await backup.entity('Media').restore({ dryRun: true, onProgress: (e) => events.push(e) })
    const verify = phase(events, 'verify')
    expect(verify.at(-1)).toMatchObject({ rows: 0, bytes: created.sizeBytes, totalBytes: created.sizeBytes })
    expect(phase(events, 'restore').at(-1)).toMatchObject({ rows: n, totalRows: n, bytes: created.sizeBytes, totalBytes: created.sizeBytes })
  })

  it('a listener that throws is dropped; the backup completes', async () => {
    const { backup } = await seeded(10)
    let calls = 0
    const result = await backup.entity('Media').create({ onProgress: () => { calls++; throw new Error('display gone') } })
    expect(result.entityCount).toBe(10)
    expect(calls).toBe(1)
  })

  it('the meter reports every PROGRESS_EVERY rows, raises totals only upwards and finishes once', () => {
    const events: ProgressEvent[] = []
    const meter = new ProgressMeter((e) => events.push(e), { entity: 'E', phase: 'verify', totalRows: 5 })
    for (let i = 0; i < PROGRESS_EVERY * 2 + 1; i++) meter.row()
    meter.expect({ totalRows: 3, totalBytes: 9 })
    meter.finish()
    meter.finish()
    expect(events.map((e) => [e.rows, e.totalRows, e.totalBytes, e.done])).toEqual([
      [PROGRESS_EVERY, 5, undefined, false], [PROGRESS_EVERY * 2, 5, undefined, false], [PROGRESS_EVERY * 2 + 1, 5, 9, true],
    ])
  })
})

describe('verify subset', () => {
  it('validates a stable share of the rows and refuses percentages outside (0, 100]', async () => {
    const { backup } = await seeded(2000)
    const created = await backup.entity('Media').create()
    const a = await backup.entity('Media').verify(created.timestamp, { readData: true, subset: 25 })
    expect(a).toMatchObject({ rows: 2000, dataRead: true, sampled: { percent: 25 } })
    expect(a.sampled!.rows).toBeGreaterThan(400)
    expect(a.sampled!.rows).toBeLessThan(600)
    expect((await backup.entity('Media').verify(created.timestamp, { readData: true, subset: 25 })).sampled).toEqual(a.sampled)
    expect((await backup.entity('Media').verify(created.timestamp, { readData: true })).sampled).toBeUndefined()
    for (const subset of [0, -1, 101, Number.NaN]) {
      await expect(backup.entity('Media').verify(created.timestamp, { readData: true, subset })).rejects.toMatchObject({ code: 'BAD_OPTION' })
    }
  })
})
