/**
 * C2-8 bit flips in the data file, C2-9 in metadata.json, manifest.json, the vectors file and the
 * `latest` pointer. Each flip at a seeded random byte and bit; a restore into a store that counts
 * writes follows, then the flip is undone.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { attempt, flip, twoBackups } from './c2-support.js'
import { figure, MODES, modeEngine, removeDir, scaled, withSeed } from './harness.js'

const roots: string[] = []
afterAll(() => { for (const r of roots) removeDir(r) })

describe('C2-8 one bit flipped anywhere in the data file', () => {
  const FLIPS = scaled(1000)
  const totals = { flips: 0, accepted: 0, rows: 0, named: 0, verified: 0 }
  afterAll(() => figure('C2-8', `${totals.flips} flips (${FLIPS} × 4 modes): ${totals.accepted} accepted, ${totals.rows} rows written; verify named the file and the checksum ${totals.named}/${totals.verified}`))
  for (const mode of MODES) {
    it(`${mode.name}: ${FLIPS} flips`, () => withSeed(`C2-8 ${mode.name}`, async (r) => {
      const g = await twoBackups(mode, { rows: 500 })
      roots.push(g.root)
      const file = g.dataFile(g.b.timestamp)
      const name = file.split('/').at(-1)!
      const size = readFileSync(file).length
      const violations: string[] = []
      const checker = await modeEngine(mode, { path: g.root })
      for (let i = 0; i < FLIPS; i++) {
        const at = r.int(size)
        const bit = r.int(8)
        const undo = flip(file, at, bit)
        try {
          const res = await attempt(mode, g.root, g.b.timestamp)
          totals.flips++
          totals.rows += res.rowsWritten
          if (res.accepted || res.rowsWritten) {
            totals.accepted += res.accepted ? 1 : 0
            violations.push(`byte ${at} bit ${bit}: accepted=${res.accepted}, ${res.rowsWritten} rows written`)
          }
          if (i % 50 === 0) {
            totals.verified++
            const v = await checker.api.verify(g.b.timestamp).then(() => 'verified', (e: Error) => e.message)
            if (v.includes(name) && v.includes('checksum')) totals.named++
            else violations.push(`byte ${at} bit ${bit}: verify said ${v}`)
          }
        } finally {
          undo()
        }
      }
      // the untouched backup still restores
      expect((await attempt(mode, g.root, g.b.timestamp)).hash).toBe(g.hashB)
      expect(violations).toEqual([])
    }), 240_000)
  }
})

describe('C2-9 bit flips in metadata.json, manifest.json, the vectors file and latest', () => {
  const PER = scaled(100)
  const totals = { metadata: 0, manifest: 0, vectors: 0, pointer: 0, accepted: 0, wrong: 0, harmless: 0, rows: 0, fallbackOk: 0, fallbackWarned: 0 }
  afterAll(() => figure('C2-9', `${totals.metadata} metadata + ${totals.manifest} manifest + ${totals.vectors} vectors-file + ${totals.pointer} pointer flips: ` +
    `${totals.accepted} accepted, ${totals.wrong} wrong data restored, ${totals.rows} rows written before a refusal; ` +
    `manifest flips outside what vouches for the backup: ${totals.harmless} restored the intact backup; pointer fallback correct ${totals.fallbackOk}/${totals.pointer} (warned ${totals.fallbackWarned})`))
  for (const mode of MODES) {
    const vectors = !mode.encrypted
    it(`${mode.name}: ${PER} flips per artefact${vectors ? ' (with vectors)' : ''}`, () => withSeed(`C2-9 ${mode.name}`, async (r) => {
      const g = await twoBackups(mode, { vectors, rows: 200 })
      roots.push(g.root)
      const violations: string[] = []
      const targets: Array<[keyof typeof totals, string]> = [
        ['metadata', join(g.dir(g.b.timestamp), 'metadata.json')],
        ['manifest', join(g.root, 'manifest.json')],
        ['pointer', join(g.root, mode.fullName, 'latest')],
      ]
      if (vectors) targets.push(['vectors', join(g.dir(g.b.timestamp), g.metadata(g.b.timestamp).files.find((f: { role: string }) => f.role !== 'data').name)])
      for (const [kind, file] of targets) {
        const size = readFileSync(file).length
        for (let i = 0; i < PER; i++) {
          const at = r.int(size)
          const bit = r.int(8)
          const undo = flip(file, at, bit)
          try {
            ;(totals[kind] as number)++
            // `latest`, as a user would restore; for the damaged backup itself also by timestamp
            const res = await attempt(mode, g.root, 'latest', { vectors })
            const where = `${kind} byte ${at} bit ${bit}`
            if (!res.accepted) totals.rows += res.rowsWritten
            if (!res.accepted && res.rowsWritten) violations.push(`${where}: ${res.rowsWritten} rows written before the refusal`)
            if (kind === 'pointer') {
              // a damaged pointer falls back to the newest Completed backup, with a warning
              if (res.accepted && res.timestamp === g.b.timestamp && res.hash === g.hashB) totals.fallbackOk++
              else violations.push(`${where}: pointer fallback restored ${res.timestamp ?? res.message}`)
              if (res.warnings.some((w) => w.includes('latest pointer'))) totals.fallbackWarned++
            } else if (kind === 'manifest') {
              if (res.accepted && (res.timestamp !== g.b.timestamp || res.hash !== g.hashB)) { totals.wrong++; violations.push(`${where}: restored ${res.timestamp}, not B`) }
              else if (res.accepted) totals.harmless++
            } else if (res.accepted) {
              totals.accepted++
              violations.push(`${where}: accepted (restored ${res.timestamp})`)
            } else {
              const direct = await attempt(mode, g.root, g.b.timestamp, { vectors })
              if (direct.accepted || direct.rowsWritten) violations.push(`${where}: restore by timestamp accepted`)
            }
          } finally {
            undo()
          }
        }
      }
      // a manifest flip is only harmless when the entry vouching for B is intact
      expect(violations).toEqual([])
    }), 240_000)
  }
})
