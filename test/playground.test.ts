import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { differences, sameHits } from '../playground/src/diff.js'
import { fixture } from './helpers.js'

const RUN = fixture('../../playground/run.mjs')

describe('playground (npm run playground)', () => {
  // one build and one run per bundler, in a child process like `npm run playground`; run one after the other (same folder)
  for (const bundler of ['vite', 'esbuild']) {
    it(`builds with ${bundler} through the plugin, warns with the location, and restores data and vectors identically`, () => {
      const r = spawnSync(process.execPath, [RUN, ...(bundler === 'esbuild' ? ['--esbuild'] : [])], { encoding: 'utf8', timeout: 90_000 })
      const output = r.stdout + r.stderr
      expect(r.status, output).toBe(0)
      // the build: the uncovered entity's warning, located
      expect(output).toContain('src/entities/draft.ts:4:14 KB001 entity Draft has no backup coverage')
      // the boot report, once at build time and once at run time (which knows the vector store)
      expect(output.split('[koan-backup] inventory: 5 entities, 1 scope file').length - 1).toBe(2)
      expect(output).toContain('User → encrypt=true, schema=true')
      expect(output).toContain('[koan-backup]   sources: data, vectors')
      // the seed, the backup of data and vectors, the restore into other stores
      expect(output).toContain('seeded 545 rows into .koan/app.db (sqlite) and 120 Media embeddings into .koan/vectors.db (sqlite-vec)')
      expect(output).toMatch(/backup \S+: 545 rows, 120 vectors, /)
      expect(output).toMatch(/src\.entities\.user\.User: 25 rows, \d+ bytes, encrypted/)
      expect(output).toMatch(/Media\/\S+\/vectors\/hashing-64\/vectors\.kbv: \d+ bytes/)
      expect(output).toContain('wiped .koan/app.db and .koan/vectors.db')
      expect(output).toContain('(lancedb): 545 rows inserted, 0 skipped, 120 vectors (120 reused, 0 embedded)')
      // the summary
      expect(output).toContain('5 scanned, 3 backed up (LogEntry, Media, User), 3 restored; not backed up: Draft (uncovered), SearchIndex (opted out)')
      expect(output).toContain('545 rows backed up, 545 restored, 545 compared row by row: identical')
      expect(output).toContain('120 × 64 float32 backed up from sqlite-vec, 120 restored into lancedb, compared bit for bit: identical')
      expect(output).toMatch(/search: {5}"quiet garden" → media-\d+ \(0\.\d{4}\).* \(same before and after\)/)
      expect(output).toContain('embeddings: 0 recomputed on restore, 120 reused')
      expect(output).toContain('playground: restored data and vectors identical to the original, 0 embeddings recomputed')
      expect(output).not.toContain('DIFFERENT')
    }, 120_000)
  }

  // the run above must be able to fail: the playground's comparison sees one changed row, bit or neighbour
  it('its verification reports a changed row, a flipped vector bit, a missing vector and a different neighbour', () => {
    const before = { data: { Media: ['{"id":"m1","title":"koan"}', '{"id":"m2","title":"river"}'] }, vectors: ['m1 0000803f00000000', 'm2 000000000000803f'] }
    expect(differences(before, structuredClone(before))).toEqual({ data: [], vectors: [] })
    const changed = { data: { Media: ['{"id":"m1","title":"koan"}', '{"id":"m2","title":"rivers"}'] }, vectors: ['m1 0000803f00000000', 'm2 000000000100803f'] }
    expect(differences(before, changed)).toEqual({
      data: ['Media: row 1 differs: {"id":"m2","title":"river"} ≠ {"id":"m2","title":"rivers"}'],
      vectors: ['Media vector m2: float 1 is 0000803f before, 0100803f after (bytes, little-endian)'],
    })
    expect(differences(before, { data: { Media: before.data.Media.slice(0, 1) }, vectors: before.vectors.slice(1) })).toEqual({
      data: ['Media: 2 rows before, 1 after', 'Media: row 1 differs: {"id":"m2","title":"river"} ≠ (none)'],
      vectors: ['Media vectors: 2 before, 1 after', 'Media vectors: m1 before, m2 in its place after'],
    })
    const hits = [{ id: 'm1', distance: 0.1 }, { id: 'm2', distance: 0.2 }]
    expect(sameHits(hits, [{ id: 'm1', distance: 0.100001 }, { id: 'm2', distance: 0.2 }])).toBe(true)
    expect(sameHits(hits, [{ id: 'm2', distance: 0.1 }, { id: 'm1', distance: 0.2 }])).toBe(false)
    expect(sameHits(hits, [{ id: 'm1', distance: 0.1 }, { id: 'm2', distance: 0.21 }])).toBe(false)
  })
})
