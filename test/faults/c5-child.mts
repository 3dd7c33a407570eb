/**
 * A child process of the C5 tests, run from source with `node --import tsx`: a second (or third…)
 * process working on the same backup root, so locks are exercised across processes.
 *
 *   hold-lock <lockFile>                       takes the lock, prints `ready`, then waits to be killed
 *   race <plan.json>                           for each trial: at its start time, acquire, prove sole holder, release
 *   creates <registry.mjs> <root> <plan.json>  at each wave's start time, fires `perWave` concurrent creates
 *   backup <registry.mjs> <root> <rows>        seeds rows, prints `ready`, backs up once (killed meanwhile)
 */
import { closeSync, openSync, unlinkSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { acquireLock } from '../../runtime/engine/lock.js'
import { realFs } from '../../runtime/engine/fs.js'

const [command, ...args] = process.argv.slice(2)
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())))

async function engineOver(registry: string, root: string, rows: number) {
  const m = await import(registry)
  const { createBackup } = await import('../../runtime/engine/api.js')
  const { memoryStore } = await import('../../runtime/adapters/data/memory.js')
  const store = memoryStore()
  const codec = m.codecs['src.entities.Media']
  const c = await store.collection({ fullName: 'src.entities.Media', name: 'Media', fields: codec.fields, toStored: (x: unknown) => JSON.parse(codec.serialize(x)), fromStored: (s: unknown, r?: number) => codec.deserialize(s, r) })
  const batch = []
  for (let i = 0; i < rows; i++) batch.push(Object.assign(new m.Media(), { id: `m${i}`, title: `t${i}`, description: 'd'.repeat(40), views: i, rating: 1, createdAt: new Date(i), dimensions: { width: 1, height: 2 }, tags: ['x'] }))
  await c.upsert(batch)
  return createBackup({ registry: m.registry, codecs: m.codecs, classes: { 'src.entities.Media': m.Media }, config: { data: store, path: root, logger: false } })
}

if (command === 'hold-lock') {
  await acquireLock(realFs, args[0]!, 'backup')
  process.stdout.write('ready\n')
  setInterval(() => {}, 1000)
} else if (command === 'race') {
  const plan = JSON.parse(await readFile(args[0]!, 'utf8')) as { trials: Array<{ lock: string; holder: string; at: number }> }
  for (const t of plan.trials) {
    await sleepUntil(t.at)
    try {
      const lock = await acquireLock(realFs, t.lock, 'race', { waitMs: 5000 })
      try {
        closeSync(openSync(t.holder, 'wx'))
      } catch {
        process.stdout.write('DOUBLE\n')
        await lock.release()
        continue
      }
      process.stdout.write('HELD\n')
      await new Promise((r) => setTimeout(r, 15))
      unlinkSync(t.holder)
      await lock.release()
    } catch (error) {
      process.stdout.write(`ERROR ${(error as { code?: string }).code ?? (error as Error).message}\n`)
    }
  }
} else if (command === 'creates') {
  const plan = JSON.parse(await readFile(args[2]!, 'utf8')) as { waves: number[]; perWave: number }
  const backup = await engineOver(args[0]!, args[1]!, 200)
  process.stdout.write('ready\n')
  for (const at of plan.waves) {
    await sleepUntil(at)
    const results = await Promise.allSettled(Array.from({ length: plan.perWave }, () => backup.entity('Media').create({ compress: false })))
    for (const r of results) {
      process.stdout.write(`${JSON.stringify(r.status === 'fulfilled' ? { ok: r.value.timestamp } : { code: (r.reason as { code?: string }).code ?? String(r.reason) })}\n`)
    }
  }
} else if (command === 'backup') {
  const backup = await engineOver(args[0]!, args[1]!, Number(args[2]))
  process.stdout.write('ready\n')
  await backup.entity('Media').create()
  process.stdout.write('done\n')
} else {
  throw new Error(`unknown command ${command}`)
}
