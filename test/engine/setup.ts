import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import type { DataStore } from '../../runtime/adapters/data/types.js'
import type { BackupConfig } from '../../runtime/config.js'
import { createBackup, type BackupApi, type EntityBackupApi } from '../../runtime/engine/api.js'
import type { BackupFs } from '../../runtime/engine/fs.js'
import { loadRegistry, type LoadedRegistry } from '../codec/load.js'

let loaded: Promise<LoadedRegistry> | null = null

/** The codec fixture's registry, codecs and classes (bundled once per test file). */
export function fixtureRegistry(): Promise<LoadedRegistry> {
  loaded ??= loadRegistry('codec', ['./src/entities.ts', './src/types.ts'])
  return loaded
}

/** A fresh temporary backup root; removed by `cleanup()`. */
export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'kb-engine-'))
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** An engine over the codec fixture with a memory store (or the given one) and a temp root. */
export async function engine(options: { store?: DataStore; path?: string; fs?: BackupFs; now?: () => Date; config?: BackupConfig } = {}) {
  const m = await fixtureRegistry()
  const store = options.store ?? memoryStore()
  const path = options.path ?? tempRoot()
  const warnings: string[] = []
  // tests reach entities as `backup.Media`, as the generated typings allow in an app
  const backup = createBackup({
    registry: m.registry, codecs: m.codecs,
    classes: { 'src.entities.Media': m.Media, 'src.entities.Sample': m.Sample, 'src.entities.Person': m.Person, 'src.entities.Account': m.Account },
    config: { data: store, path, logger: { info: () => {}, warn: (w) => warnings.push(w) }, ...options.config },
    ...(options.fs ? { fs: options.fs } : {}),
    ...(options.now ? { now: options.now } : {}),
  }) as BackupApi & Partial<Record<string, EntityBackupApi>>
  return { backup, store, path, m, warnings }
}

type MediaLike = { id: string; title: string; description: string; views: number; rating: number; createdAt: Date; dimensions: { width: number; height: number }; tags: string[] }

/** `n` Media rows with ids `m0…`. */
export function mediaRows(m: LoadedRegistry, n: number, offset = 0): MediaLike[] {
  const Media = m.Media as new () => MediaLike
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset
    return Object.assign(new Media(), {
      id: `m${i}`, title: `title ${i}`, description: `desc "${i}"`, views: i, rating: (i % 5) + 0.5,
      createdAt: new Date(1_700_000_000_000 + i * 1000), dimensions: { width: i, height: i * 2 }, tags: [`t${i % 3}`],
    })
  })
}

/** All rows of an entity in the store, by id. */
export async function dump(store: DataStore, m: LoadedRegistry, fullName: string): Promise<unknown[]> {
  const codec = m.codecs[fullName]!
  const c = await store.collection({
    fullName, name: codec.name, fields: codec.fields,
    toStored: (e) => JSON.parse(codec.serialize(e)), fromStored: (s, r) => codec.deserialize(s, r),
  })
  const out: unknown[] = []
  for await (const row of c.stream()) out.push(row)
  return out
}
