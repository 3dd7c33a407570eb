import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { BackupFs } from '../../runtime/engine/fs.js'
import { realFs } from '../../runtime/engine/fs.js'
import { cleanup, dump, engine, mediaRows, tempRoot } from './setup.js'

const MEDIA = 'src.entities.Media'
const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) cleanup(r) })

/** A file system that fails the n-th write of a data file with `code`. */
function failing(code: string, op: 'write' | 'rename' | 'fsync', after = 0): BackupFs {
  let count = 0
  const fail = () => Object.assign(new Error(`${code}: injected`), { code })
  return {
    ...realFs,
    async open(path, flags, mode) {
      const handle = await realFs.open(path, flags, mode)
      if (op !== 'write' || !String(path).includes('data.json')) return handle
      const original = handle.createWriteStream.bind(handle)
      handle.createWriteStream = (options) => {
        const stream = original(options)
        const write = stream._write.bind(stream)
        stream._write = (chunk, enc, cb) => (count++ >= after ? cb(fail()) : write(chunk, enc, cb))
        return stream
      }
      return handle
    },
    async rename(from, to) {
      if (op === 'rename' && String(from).includes('.staging-') && count++ >= after) throw fail()
      return realFs.rename(from, to)
    },
    async fsyncDir(dir) {
      if (op === 'fsync' && dir.includes('.staging-') && count++ >= after) throw fail()
      return realFs.fsyncDir(dir)
    },
  }
}

async function withGoodBackup(fs: BackupFs) {
  const path = tempRoot()
  roots.push(path)
  const good = await engine({ path })
  const codec = good.m.codecs[MEDIA]!
  const desc = { fullName: MEDIA, name: 'Media', fields: codec.fields, toStored: (x: unknown) => JSON.parse(codec.serialize(x)), fromStored: (s: unknown, r?: number) => codec.deserialize(s, r) }
  await (await good.store.collection(desc)).upsert(mediaRows(good.m, 5))
  const first = await good.backup.Media!.create()
  const faulty = await engine({ path, fs })
  await (await faulty.store.collection(desc)).upsert(mediaRows(faulty.m, 3000))
  return { path, first, faulty, good }
}

describe('disk faults during a backup', () => {
  for (const [code, op] of [['ENOSPC', 'write'], ['EIO', 'write'], ['EIO', 'rename'], ['EIO', 'fsync']] as const) {
    it(`${code} at ${op}: Failed with the errno, no staging left, latest and the last good backup intact`, async () => {
      const { path, first, faulty } = await withGoodBackup(failing(code, op, op === 'write' ? 2 : 0))
      const latest = readFileSync(join(path, MEDIA, 'latest'), 'utf8')
      const error = await faulty.backup.Media!.create().catch((e) => e)
      expect(error.details.failures[0]).toMatchObject({ code: 'IO_FAILED' })
      expect(error.message).toContain(code)
      expect(readdirSync(join(path, MEDIA)).filter((n) => n.startsWith('.staging'))).toEqual([])
      expect(readFileSync(join(path, MEDIA, 'latest'), 'utf8')).toBe(latest)
      const list = await faulty.backup.Media!.list()
      expect(list.map((b) => b.status)).toEqual(['Completed', 'Failed'])
      expect(list[1]!.errorMessage).toContain(code)
      // retention counts only Completed backups: the failed one does not push the good one out
      const pruned = await faulty.backup.prune({ maxBackupsPerEntity: 1, dryRun: true })
      expect(pruned.removed).toEqual([])
      const restored = await engine({ path })
      expect((await restored.backup.Media!.restore()).timestamp).toBe(first.timestamp)
    })
  }
})

describe('kill -9 during a backup', () => {
  const script = (root: string, crash?: string) => `
import { build } from 'esbuild'
const koan = (await import(${JSON.stringify(new URL('../../dist/plugin/esbuild.js', import.meta.url).href)})).default
const fixture = ${JSON.stringify(new URL('../fixtures/codec', import.meta.url).pathname)}
const out = await build({ stdin: { contents: "export { registry, codecs } from 'koan-backup/registry'\\nexport * from './src/entities.ts'", resolveDir: fixture, loader: 'ts' },
  bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'silent', plugins: [koan({ root: fixture, dts: false, report: false, cache: false })] })
const m = await import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].text).toString('base64'))
const { createBackup } = await import(${JSON.stringify(new URL('../../dist/runtime/engine/index.js', import.meta.url).href)})
const { memoryStore } = await import(${JSON.stringify(new URL('../../dist/runtime/adapters/data/memory.js', import.meta.url).href)})
const store = memoryStore()
const codec = m.codecs['${MEDIA}']
const c = await store.collection({ fullName: '${MEDIA}', name: 'Media', fields: codec.fields, toStored: (x) => JSON.parse(codec.serialize(x)), fromStored: (s, r) => codec.deserialize(s, r) })
const rows = []
for (let i = 0; i < 60000; i++) rows.push(Object.assign(new m.Media(), { id: 'm' + i, title: 't' + i, description: 'd'.repeat(50), views: i, rating: 1, createdAt: new Date(i), dimensions: { width: 1, height: 2 }, tags: ['x'] }))
await c.upsert(rows)
const backup = createBackup({ registry: m.registry, codecs: m.codecs, classes: { '${MEDIA}': m.Media }, config: { data: store, path: ${JSON.stringify(root)}, logger: false } })
process.stdout.write('ready\\n')
await backup.Media.create()
process.stdout.write('done\\n')
`
  const run = (root: string, crash?: string, killAfterMs?: number) => spawnSync(process.execPath, ['--input-type=module', '-e', script(root)], {
    encoding: 'utf8', env: { ...process.env, ...(crash ? { KOAN_CRASHPOINT: crash } : {}) }, timeout: killAfterMs, killSignal: 'SIGKILL',
  })

  async function invariants(root: string, good: string) {
    // every visible backup folder is Completed and verifies; staging leftovers are invisible; latest restores
    const e = await engine({ path: root })
    const list = await e.backup.Media!.list()
    for (const b of list) {
      // a folder killed between rename and manifest is complete but unregistered: never restored as such
      expect(['Completed', 'Unregistered']).toContain(b.status)
      if (b.status === 'Completed') await e.backup.Media!.verify(b.timestamp, { readData: true })
    }
    expect(list.find((b) => b.latest && b.status === 'Completed')).toBeTruthy()
    const restored = await e.backup.Media!.restore()
    expect(list.filter((b) => b.status === 'Completed').map((b) => b.timestamp)).toContain(restored.timestamp)
    expect(restored.timestamp >= good).toBe(true)
    // the next backup sweeps staging leftovers and registers verified unregistered folders
    await e.backup.Media!.create()
    expect(readdirSync(join(root, MEDIA)).filter((n) => n.startsWith('.staging'))).toEqual([])
    const after = await e.backup.Media!.list()
    expect(after.every((b) => b.status === 'Completed')).toBe(true)
    for (const b of after) await e.backup.Media!.verify(b.timestamp)
  }

  for (const point of ['after-data', 'after-metadata', 'before-rename', 'after-rename', 'after-manifest']) {
    it(`at the named crash point ${point}`, async () => {
      const root = tempRoot()
      roots.push(root)
      const first = run(root)
      expect(first.stdout).toContain('done')
      const good = JSON.parse(readFileSync(join(root, MEDIA, 'latest'), 'utf8')).timestamp
      const crashed = run(root, point)
      expect(crashed.signal).toBe('SIGKILL')
      expect(crashed.stdout).not.toContain('done')
      await invariants(root, good)
    }, 60_000)
  }

  it('at random times (seeded)', async () => {
    const root = tempRoot()
    roots.push(root)
    run(root)
    const good = JSON.parse(readFileSync(join(root, MEDIA, 'latest'), 'utf8')).timestamp
    let seed = 20261127
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    for (let trial = 0; trial < 4; trial++) {
      run(root, undefined, 1200 + Math.floor(random() * 1500))
      await invariants(root, good)
    }
    expect(existsSync(join(root, 'manifest.json'))).toBe(true)
  }, 120_000)
})
