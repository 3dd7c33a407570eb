import { describe, expect, it } from 'vitest'
import { bytes, duration, table } from '../../runtime/cli/format.js'
import { progressLine, ProgressRenderer } from '../../runtime/cli/progress.js'
import type { ProgressEvent } from '../../runtime/engine/progress.js'

/** A terminal stand-in: records what is written; `isTTY` as given. */
function fakeStream(isTTY: boolean, columns = 200) {
  const chunks: string[] = []
  return { isTTY, columns, chunks, write: (c: string) => (chunks.push(c), true) }
}

const E = 'src.models.note.Note'
const ev = (rows: number, bytesDone: number, extra: Partial<ProgressEvent> = {}): ProgressEvent =>
  ({ entity: E, phase: 'restore', rows, bytes: bytesDone, totalRows: 10_000, totalBytes: 4 * 1024 * 1024, done: false, ...extra })

describe('progress renderer', () => {
  it('draws nothing off a terminal or under --json', () => {
    expect(ProgressRenderer.create(fakeStream(false), true)).toBeNull()
    expect(ProgressRenderer.create(fakeStream(true), false)).toBeNull()
    expect(ProgressRenderer.create(undefined, true)).toBeNull()
  })

  it('on a terminal: one live line with bar, percentage, rows, bytes, rate and ETA, redrawn at most every interval', () => {
    const stream = fakeStream(true)
    let now = 0
    const r = ProgressRenderer.create(stream, true, { now: () => now, intervalMs: 100 })!
    r.update(ev(0, 0))
    now = 50
    r.update(ev(1000, 400 * 1024)) // within the interval: not drawn
    now = 1000
    r.update(ev(2500, 1024 * 1024))
    expect(stream.chunks).toHaveLength(2)
    const line = stream.chunks[1]!
    expect(line.startsWith('\r')).toBe(true)
    expect(line.endsWith('\x1b[K')).toBe(true)
    expect(line).toContain('Note restore')
    expect(line).toContain('[#####---------------]  25%')
    expect(line).toContain('2,500/10,000 rows')
    expect(line).toContain('1.0 MiB')
    expect(line).toContain('1.0 MiB/s')
    // a quarter done in 1 s: three more seconds
    expect(line).toContain('ETA 3.0s')
    expect(line).not.toContain('\n')
  })

  it('ends a phase with a finished line and a newline, always drawn; end() clears a live line', () => {
    const stream = fakeStream(true)
    let now = 0
    const r = ProgressRenderer.create(stream, true, { now: () => now })!
    r.update(ev(0, 0))
    now = 10
    r.update(ev(10_000, 4 * 1024 * 1024, { done: true }))
    expect(stream.chunks.at(-1)).toMatch(/^\rNote restore done {2}10,000\/10,000 rows {2}4\.0 MiB {2}in 0\.0s .*\x1b\[K\n$/)
    now = 20
    r.update(ev(5, 10, { phase: 'vectors', totalRows: undefined, totalBytes: undefined }))
    expect(stream.chunks.at(-1)).toContain('Note vectors  5 vectors')
    r.end()
    expect(stream.chunks.at(-1)).toBe('\r\x1b[K')
    const count = stream.chunks.length
    r.end()
    expect(stream.chunks).toHaveLength(count)
  })

  it('fits the line to the terminal width', () => {
    const stream = fakeStream(true, 30)
    const r = ProgressRenderer.create(stream, true, { now: () => 1000 })!
    r.update(ev(1, 1))
    expect(stream.chunks[0]!.replace('\r', '').replace('\x1b[K', '').length).toBe(29)
  })

  it('uses rows for the fraction when the bytes total is unknown (a backup)', () => {
    const line = progressLine({ entity: E, phase: 'backup', rows: 500, bytes: 2048, totalRows: 1000, done: false }, 2000)
    expect(line).toContain(' 50%')
    expect(line).toContain('500/1,000 rows')
    expect(line).toContain('ETA 2.0s')
    expect(line).toContain('1.0 KiB/s')
  })
})

describe('formatting', () => {
  it('bytes, durations and tables', () => {
    expect([bytes(0), bytes(1023), bytes(1536), bytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KiB', '5.0 GiB'])
    expect([duration(400), duration(12_300), duration(185_000), duration(3_720_000)]).toEqual(['0.4s', '12s', '3m05s', '1h02m'])
    expect(table(['name', 'rows'], [['Note', '2,500'], ['Tag', '7']]).split('\n')).toEqual(['name   rows', '----  -----', 'Note  2,500', 'Tag       7'])
  })
})
