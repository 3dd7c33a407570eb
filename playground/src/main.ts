import { rmSync } from 'node:fs'
import { lancedbStore, sqliteStore } from 'koan-backup'
import { backup, registry } from 'koan-backup/registry'
import config, { embedder } from '../koan-backup.config'
import { nearest, snapshot } from './compare'
import { differences, sameHits, showHits } from './diff'
import { HASHING_MODEL } from './embedder'
import { seed } from './seed'

const ms = (since: number) => `${Math.round(performance.now() - since)} ms`
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
const source = config.vectors!
/** Deletes an SQLite database file with its WAL files. */
const removeDatabase = (file: string) => { for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true }) }

// 1. seed: rows into the SQLite database, Media's embeddings (computed here, once) into sqlite-vec
let t = performance.now()
const seeded = await seed(source, embedder)
const [query] = await embedder(['quiet garden'], HASHING_MODEL)
const before = await snapshot(source)
const neighboursBefore = await nearest(source, Float32Array.from(query!))
console.log(`\nseeded ${seeded.rows} rows into .koan/app.db (sqlite) and ${seeded.vectors} Media embeddings into .koan/vectors.db (${source.kind}) in ${ms(t)}`)

// 2. back up data and vectors (the boot report prints on this first use of the backup API)
const created = await backup.create()
console.log(`\nbackup ${created.timestamp}: ${created.entityCount} rows, ${created.vectorCount} vectors, ${kb(created.sizeBytes)} in ${created.durationMs} ms`)
for (const r of created.entities) {
  console.log(`  ${r.entity}: ${r.entityCount} rows${r.vectorCount ? `, ${r.vectorCount} vectors` : ''}, ${r.sizeBytes} bytes${r.encrypted ? ', encrypted' : ''}`)
}
const media = await backup.Media.info(created.timestamp)
for (const f of (media.metadata as { files: Array<{ name: string; size: number }> }).files) console.log(`  Media/${created.timestamp}/${f.name}: ${f.size} bytes`)

// 3. wipe: close both stores and delete their files
await backup.store.close?.()
await source.close()
removeDatabase('.koan/app.db')
removeDatabase('.koan/vectors.db')
console.log('\nwiped .koan/app.db and .koan/vectors.db')

// 4. restore into a new, empty SQLite database and a different kind of vector store (LanceDB)
removeDatabase('.koan/restored.db')
rmSync('.koan/restored-vectors', { recursive: true, force: true })
const target = lancedbStore({ uri: '.koan/restored-vectors' })
backup.configure({ ...config, data: sqliteStore({ file: '.koan/restored.db' }), vectors: target })
const [callsBefore, textsBefore] = [embedder.calls, embedder.texts]
const restored = await backup.restore({ timestamp: created.timestamp })
const recomputed = embedder.calls - callsBefore
const report = restored.entities.find((r) => r.vectors)?.vectors
console.log(`restore into .koan/restored.db (sqlite) and .koan/restored-vectors/ (${target.kind}): ${restored.inserted} rows inserted, ${restored.skipped} skipped, ${restored.vectorCount} vectors (${report?.reused ?? 0} reused, ${report?.embedded ?? 0} embedded) in ${restored.durationMs} ms (verified before writing)`)

// 5. verify: every row and every vector bit, the nearest neighbours of a query, and no embedder call
t = performance.now()
const after = await snapshot(target)
const neighboursAfter = await nearest(target, Float32Array.from(query!))
const diff = differences(before, after)
if (created.vectorCount !== seeded.vectors) diff.vectors.push(`the backup holds ${created.vectorCount} vectors, ${seeded.vectors} were seeded`)
const sameSearch = sameHits(neighboursBefore, neighboursAfter)
if (!sameSearch) diff.vectors.push(`nearest to "quiet garden": ${showHits(neighboursBefore)} before, ${showHits(neighboursAfter)} after`)
const problems = [...diff.data, ...diff.vectors, ...(recomputed ? [`the embedder ran ${recomputed} times during the restore`] : [])]
const verifyTime = ms(t)
await backup.store.close?.()
await target.close()

const included = registry.entities.filter((e) => e.status === 'included').map((e) => e.name)
const uncovered = registry.entities.filter((e) => e.status === 'uncovered').map((e) => e.name)
const excluded = registry.entities.filter((e) => e.status === 'excluded').map((e) => e.name)
const rows = Object.values(after.data).reduce((n, r) => n + r.length, 0)
const verdict = (list: string[], same: string) => (list.length ? `DIFFERENT (${list.length} difference${list.length === 1 ? '' : 's'}, below)` : same)
console.log(`
── summary ──
  entities:   ${registry.entities.length} scanned, ${included.length} backed up (${included.join(', ')}), ${restored.entities.length} restored; not backed up: ${uncovered.join(', ')} (uncovered), ${excluded.join(', ')} (opted out)
  data:       ${created.entityCount} rows backed up, ${restored.inserted} restored, ${rows} compared row by row: ${verdict(diff.data, 'identical')}
  vectors:    ${created.vectorCount} × ${seeded.dimension} float32 backed up from ${source.kind}, ${restored.vectorCount} restored into ${target.kind}, compared bit for bit: ${verdict(diff.vectors, 'identical')}
  search:     "quiet garden" → ${showHits(neighboursAfter)} (${sameSearch ? 'same' : 'NOT the same'} before and after)
  sizes:      backup ${kb(created.sizeBytes)} (${created.entities.map((e) => `${e.entity.split('.').pop()} ${kb(e.sizeBytes)}`).join(', ')})
  durations:  backup ${created.durationMs} ms, restore ${restored.durationMs} ms, verify ${verifyTime}
  embeddings: ${recomputed} recomputed on restore, ${report?.reused ?? 0} reused (the embedder ran ${callsBefore} times before the backup, for ${textsBefore} texts: the seed and the search query)`)
if (problems.length) {
  console.log(`\nplayground: restored data or vectors DIFFERENT from the original:\n  ${problems.join('\n  ')}`)
  process.exitCode = 1
} else {
  console.log(`\nplayground: restored data and vectors identical to the original, 0 embeddings recomputed`)
}
