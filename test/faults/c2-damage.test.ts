/**
 * C2-10 truncations, C2-11 appended bytes, C2-12 swapped files and reordered/duplicated chunks,
 * C2-13 count mismatch, C2-14 Failed / unlisted / unknown-version backups, C2-15 empty datasets.
 * "On disk": the file damaged as found. "Re-hashed": a buggy writer also rewrote the file's size and
 * SHA-256 in metadata.json, manifest.json and latest, so only the format's own checks can refuse it.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import type { DataStore } from '../../runtime/adapters/data/types.js'
import { parseHeader } from '../../runtime/engine/crypto/format.js'
import { rewriteData, rewriteMetadata } from '../engine/tamper.js'
import { attempt, twoBackups } from './c2-support.js'
import { errorCode, figure, MODES, modeEngine, removeDir, scaled, withSeed, type Mode } from './harness.js'

const roots: string[] = []
afterAll(() => { for (const r of roots) removeDir(r) })
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

type G = Awaited<ReturnType<typeof twoBackups>>

/** Replaces B's data file with `bytes`; with `rehash`, vouches for it everywhere. Returns an undo. */
function damage(mode: Mode, g: G, bytes: Buffer, rehash: boolean): () => void {
  const file = g.dataFile(g.b.timestamp)
  const keep = [file, join(g.dir(g.b.timestamp), 'metadata.json'), join(g.root, 'manifest.json'), join(g.root, mode.fullName, 'latest')].map((f) => [f, readFileSync(f)] as const)
  writeFileSync(file, bytes)
  if (rehash) {
    rewriteMetadata(g.root, mode.fullName, g.b.timestamp, (m) => {
      const d = m.files.find((x: { role: string }) => x.role === 'data')
      d.size = bytes.length
      d.sha256 = sha(bytes)
    })
  }
  return () => { for (const [f, b] of keep) writeFileSync(f, b) }
}

/** Outcome counts of one row of the matrix. */
class Tally {
  cases = 0
  refused = 0
  intact = 0
  accepted = 0
  rows = 0
  problems: string[] = []
  async run(mode: Mode, g: G, label: string, bytes: Buffer, rehash: boolean): Promise<void> {
    const undo = damage(mode, g, bytes, rehash)
    try {
      const res = await attempt(mode, g.root, g.b.timestamp)
      this.cases++
      if (!res.accepted) {
        this.refused++
        this.rows += res.rowsWritten
        if (res.rowsWritten) this.problems.push(`${label}: ${res.rowsWritten} rows written before the refusal`)
      } else if (res.hash === g.hashB) this.intact++
      else {
        this.accepted++
        this.problems.push(`${label}: accepted with different rows`)
      }
    } finally {
      undo()
    }
  }
  line(): string {
    return `${this.cases} cases: ${this.accepted} accepted, ${this.rows} rows written${this.intact ? `, ${this.intact} restored the intact rows (the cut or the extra bytes held no row data)` : ''}`
  }
}

const built = new Map<string, Promise<G>>()
const backupsOf = (mode: Mode) => {
  if (!built.has(mode.name)) built.set(mode.name, twoBackups(mode).then((g) => { roots.push(g.root); return g }))
  return built.get(mode.name)!
}

describe('C2-10 truncation', () => {
  const RANDOM = scaled(15)
  const onDisk = new Tally()
  const rehashed = new Tally()
  afterAll(() => figure('C2-10', `on disk ${onDisk.line()}; re-hashed ${rehashed.line()} (0, k·64 KiB, ${RANDOM} random a mode, the gzip trailer)`))
  for (const mode of MODES) {
    it(mode.name, () => withSeed(`C2-10 ${mode.name}`, async (r) => {
      const g = await backupsOf(mode)
      const full = readFileSync(g.dataFile(g.b.timestamp))
      const cuts = new Set([0])
      for (let k = 1; k * 65536 < full.length; k++) cuts.add(k * 65536)
      if (mode.compress && !mode.encrypted) for (let t = 1; t <= 8; t++) cuts.add(full.length - t)
      if (mode.encrypted) {
        // exactly at frame boundaries of the encrypted file
        let at = parseHeader(full)!.length
        while (at < full.length) { cuts.add(at); at += 4 + full.readUInt32BE(at) + 16 }
      }
      for (let i = 0; i < RANDOM; i++) cuts.add(r.int(full.length))
      for (const cut of cuts) {
        await onDisk.run(mode, g, `${mode.name} cut at ${cut}`, full.subarray(0, cut), false)
        await rehashed.run(mode, g, `${mode.name} re-hashed cut at ${cut}`, full.subarray(0, cut), true)
      }
      expect([...onDisk.problems, ...rehashed.problems]).toEqual([])
    }), 120_000)
  }
})

describe('C2-11 appended bytes', () => {
  const RANDOM = scaled(12)
  const onDisk = new Tally()
  const rehashed = new Tally()
  afterAll(() => figure('C2-11', `1..70000 bytes appended: on disk ${onDisk.line()}; re-hashed ${rehashed.line()}`))
  for (const mode of MODES) {
    it(mode.name, () => withSeed(`C2-11 ${mode.name}`, async (r) => {
      const g = await backupsOf(mode)
      const full = readFileSync(g.dataFile(g.b.timestamp))
      const lengths = [1, 16, 20, 65536 + 20, 70000, ...Array.from({ length: RANDOM }, () => 1 + r.int(70000))]
      for (const n of lengths) {
        const extra = Buffer.from(Array.from({ length: n }, () => r.int(256)))
        await onDisk.run(mode, g, `${mode.name} +${n}`, Buffer.concat([full, extra]), false)
        await rehashed.run(mode, g, `${mode.name} re-hashed +${n}`, Buffer.concat([full, extra]), true)
      }
      // a whole extra copy of the last frame, or a second gzip member
      if (mode.encrypted || mode.compress) await rehashed.run(mode, g, `${mode.name} duplicated tail`, Buffer.concat([full, full.subarray(full.length - 40)]), true)
      // gzip ignores bytes after its trailer: that is the one re-hashed case the format cannot see, and the
      // rows are then intact; the SHA-256 in metadata is what refuses it on disk
      expect(onDisk.problems).toEqual([])
      expect(rehashed.problems).toEqual([])
    }), 120_000)
  }
})

describe('C2-12 swapped files, reordered and duplicated chunks', () => {
  const onDisk = new Tally()
  const rehashed = new Tally()
  let plainSwapsAccepted = 0
  afterAll(() => figure('C2-12', `swaps on disk ${onDisk.line()}; re-hashed swaps and chunk reorder/duplication ${rehashed.line()}` +
    `${plainSwapsAccepted ? `; unencrypted re-hashed swaps of equal row count: ${plainSwapsAccepted} accepted (no binding without encryption)` : ''}`))
  for (const mode of MODES) {
    it(mode.name, () => withSeed(`C2-12 ${mode.name}`, async () => {
      const g = await backupsOf(mode)
      const fromA = readFileSync(g.dataFile(g.a.timestamp))
      await onDisk.run(mode, g, `${mode.name} data of A in B`, fromA, false)
      if (mode.encrypted) {
        // A's file bound to A's timestamp: the AAD refuses it in B even when vouched for
        await rehashed.run(mode, g, `${mode.name} re-hashed data of A in B`, fromA, true)
        const full = readFileSync(g.dataFile(g.b.timestamp))
        const header = parseHeader(full)!.length
        const frames: Buffer[] = []
        for (let at = header; at < full.length;) { const n = 4 + full.readUInt32BE(at) + 16; frames.push(full.subarray(at, at + n)); at += n }
        expect(frames.length).toBeGreaterThan(0)
        const h = full.subarray(0, header)
        const [f0, ...rest] = frames as [Buffer, ...Buffer[]]
        // (gzip+encrypted data of this size fits one chunk: only duplication and dropping apply there)
        if (rest.length) await rehashed.run(mode, g, `${mode.name} chunks 0 and 1 swapped`, Buffer.concat([h, rest[0]!, f0, ...rest.slice(1)]), true)
        await rehashed.run(mode, g, `${mode.name} chunk 0 duplicated`, Buffer.concat([h, f0, f0, ...rest]), true)
        await rehashed.run(mode, g, `${mode.name} last chunk dropped`, Buffer.concat([h, ...frames.slice(0, -1)]), true)
        await rehashed.run(mode, g, `${mode.name} last chunk duplicated`, Buffer.concat([h, ...frames, frames.at(-1)!]), true)
      } else {
        // B has 10 rows more than A: the row count in metadata refuses A's file even when vouched for
        const t = new Tally()
        await t.run(mode, g, `${mode.name} re-hashed data of A in B`, fromA, true)
        rehashed.cases += t.cases
        rehashed.refused += t.refused
        rehashed.accepted += t.accepted
        rehashed.problems.push(...t.problems)
      }
      expect([...onDisk.problems, ...rehashed.problems]).toEqual([])
    }), 120_000)
  }
})

describe('C2-13 row count or size mismatch', () => {
  let cases = 0
  let accepted = 0
  afterAll(() => figure('C2-13', `${cases} cases (a row deleted and the file re-hashed; size off by one): ${accepted} accepted`))
  for (const mode of MODES) {
    it(mode.name, () => withSeed(`C2-13 ${mode.name}`, async (r) => {
      const g = await backupsOf(mode)
      const keep = [g.dataFile(g.b.timestamp), join(g.dir(g.b.timestamp), 'metadata.json'), join(g.root, 'manifest.json'), join(g.root, mode.fullName, 'latest')].map((f) => [f, readFileSync(f)] as const)
      const undo = () => { for (const [f, b] of keep) writeFileSync(f, b) }
      try {
        if (!mode.encrypted) {
          const drop = 1 + r.int(1000)
          await rewriteData(g.root, mode.fullName, g.b.timestamp, (text) => {
            const lines = text.split('\n')
            lines.splice(1 + drop, 1)
            return lines.join('\n')
          })
          const res = await attempt(mode, g.root, g.b.timestamp)
          cases++
          if (res.accepted || res.rowsWritten) accepted++
          undo()
        }
        // the size in metadata off by one (vouched for): refused before any byte is decoded
        rewriteMetadata(g.root, mode.fullName, g.b.timestamp, (m) => { m.files.find((f: { role: string }) => f.role === 'data').size += 1 })
        const res = await attempt(mode, g.root, g.b.timestamp)
        cases++
        if (res.accepted || res.rowsWritten) accepted++
      } finally {
        undo()
      }
      expect(accepted).toBe(0)
    }), 60_000)
  }
})

describe('C2-14 Failed, unlisted and unknown-version backups', () => {
  const outcomes: string[] = []
  afterAll(() => figure('C2-14', `${outcomes.length} fixture cases (by timestamp and as latest, 4 modes): ${outcomes.filter((o) => o === 'ok').length}/${outcomes.length} refused with the expected code, no fallback to the older backup`))
  for (const mode of MODES) {
    it(mode.name, () => withSeed(`C2-14 ${mode.name}`, async () => {
      const g = await backupsOf(mode)
      const files = [join(g.dir(g.b.timestamp), 'metadata.json'), join(g.root, 'manifest.json'), join(g.root, mode.fullName, 'latest')]
      const keep = files.map((f) => [f, readFileSync(f)] as const)
      const undo = () => { for (const [f, b] of keep) writeFileSync(f, b) }
      const check = async (label: string, expected: string) => {
        for (const ts of [g.b.timestamp, 'latest']) {
          const res = await attempt(mode, g.root, ts)
          outcomes.push(!res.accepted && res.code === expected && res.rowsWritten === 0 ? 'ok' : `${label} (${ts}): ${res.accepted ? `accepted ${res.timestamp}` : res.code}`)
        }
      }
      try {
        rewriteMetadata(g.root, mode.fullName, g.b.timestamp, (m) => { m.status = 'Failed'; m.errorMessage = 'injected' })
        await check('status Failed', 'NOT_RESTORABLE')
        undo()
        rewriteMetadata(g.root, mode.fullName, g.b.timestamp, (m) => { m.formatVersion = 99 })
        await check('format version 99', 'NOT_RESTORABLE')
        undo()
        const manifest = JSON.parse(readFileSync(files[1]!, 'utf8'))
        manifest.backups = manifest.backups.filter((b: { timestamp: string }) => b.timestamp !== g.b.timestamp)
        writeFileSync(files[1]!, JSON.stringify(manifest))
        await check('no manifest entry', 'NOT_RESTORABLE')
      } finally {
        undo()
      }
      // a backup that failed for real (the store throws mid-stream)
      const failing = await modeEngine(mode, { path: g.root, store: throwingStore(3) })
      await failing.seed(10)
      expect(await errorCode(failing.create())).toBe('STORE_FAILED')
      const failed = (await failing.api.list()).at(-1)!
      expect(failed.status).toBe('Failed')
      const res = await attempt(mode, g.root, failed.timestamp)
      outcomes.push(!res.accepted && res.code === 'NOT_RESTORABLE' ? 'ok' : `real Failed: ${res.code}`)
      expect(outcomes.filter((o) => o !== 'ok')).toEqual([])
    }), 60_000)
  }
})

/** A memory store whose streams throw after `after` rows (0: on the first), or yield nothing while count() > 0. */
function throwingStore(after: number | 'empty'): DataStore {
  const inner = memoryStore()
  return {
    kind: 'memory',
    async collection(entity) {
      const c = await inner.collection(entity)
      return Object.assign(Object.create(c), {
        async *stream() {
          if (after === 'empty') return
          let n = 0
          for await (const row of c.stream()) {
            if (n++ >= after) throw new Error('the store failed mid-stream (injected)')
            yield row
          }
        },
      })
    },
  }
}

describe('C2-15 empty dataset', () => {
  let cases = 0
  let completed = 0
  afterAll(() => figure('C2-15', `${cases} backups whose source streamed 0 rows (count() > 0) or threw on the first row: ${completed} marked Completed`))
  for (const mode of MODES) {
    it(mode.name, () => withSeed(`C2-15 ${mode.name}`, async () => {
      const g = await backupsOf(mode)
      for (const how of ['empty', 0] as const) {
        const e = await modeEngine(mode, { path: g.root, store: throwingStore(how) })
        await e.seed(25)
        const code = await errorCode(e.create())
        cases++
        const last = (await e.api.list()).at(-1)!
        if (code === 'NONE' || last.status === 'Completed' && last.timestamp !== g.b.timestamp) completed++
        expect(code).toBe('STORE_FAILED')
        expect(last.status).toBe('Failed')
        expect(last.latest).toBe(false)
      }
      // latest still restores B
      expect((await attempt(mode, g.root)).hash).toBe(g.hashB)
    }), 60_000)
  }
})
