/**
 * C1-7 helpers: a child process that restores into a SQLite file database (the built engine and
 * adapter), and the state of such a file as the parent sees it after a kill -9.
 */
import { createHash } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { fixtureBundle, KEYS, type Mode } from './harness.js'

const distEngine = fileURLToPath(new URL('../../dist/runtime/engine/index.js', import.meta.url))
const distSqlite = fileURLToPath(new URL('../../dist/runtime/adapters/data/sqlite.js', import.meta.url))

/**
 * An ES module body for a child process: an engine over `root` whose store is `sqliteStore({ file })`,
 * prints `ready`, restores the mode's entity from `latest`, prints `restored <ms>`, closes the store and
 * prints `done`. The store is wrapped only to print `write` when the first batch is handed to it, so
 * the parent can tell a kill before the first write from one mid-restore.
 */
export async function restoreChildScript(root: string, mode: Mode, file: string, overwriteExisting: boolean): Promise<string> {
  const registry = await fixtureBundle()
  return `
const m = await import(${JSON.stringify(registry)})
const { createBackup } = await import(${JSON.stringify(distEngine)})
const { sqliteStore } = await import(${JSON.stringify(distSqlite)})
const mode = ${JSON.stringify(mode)}
const inner = sqliteStore({ file: ${JSON.stringify(file)} })
let wrote = false
const mark = () => { if (!wrote) { wrote = true; process.stdout.write('write\\n') } }
const store = {
  kind: inner.kind, close: () => inner.close(),
  async collection(entity) {
    const c = await inner.collection(entity)
    const w = Object.create(c)
    w.upsert = async (rows) => { mark(); return c.upsert(rows) }
    w.upsertStored = async (rows, texts) => { mark(); return c.upsertStored(rows, texts) }
    w.insertNewStored = async (rows, texts) => { mark(); return c.insertNewStored(rows, texts) }
    return w
  },
}
const backup = createBackup({ registry: m.registry, codecs: m.codecs, classes: { [mode.fullName]: m[mode.entity] }, config: { data: store, path: ${JSON.stringify(root)}, logger: false, encryption: ${JSON.stringify(KEYS)} } })
const api = backup.entity(mode.entity)
process.stdout.write('ready\\n')
const t0 = performance.now()
await api.restore({ overwriteExisting: ${overwriteExisting} })
process.stdout.write('restored ' + Math.round(performance.now() - t0) + '\\n')
await store.close()
process.stdout.write('done\\n')
`
}

/** What the parent finds in a SQLite file. */
export interface DbState {
  /** `PRAGMA integrity_check` result (`ok` when sound). */
  integrity: string
  /** SHA-256 over every row of the table (all columns, id order); a missing table hashes as no rows. */
  hash: string
  rows: number
}

/** Opens `file` (recovering its WAL as any restart would), checks its integrity and hashes every row of `table`. */
export function dbState(file: string, table: string): DbState {
  const db = new Database(file)
  try {
    const integrity = (db.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ')
    const exists = db.prepare('SELECT count(*) FROM sqlite_master WHERE type = ? AND name = ?').pluck().get('table', table) === 1
    const h = createHash('sha256')
    let rows = 0
    if (exists) {
      for (const row of db.prepare(`SELECT * FROM "${table.replace(/"/g, '""')}" ORDER BY id`).raw(true).iterate()) {
        h.update(JSON.stringify(row)).update('\n')
        rows++
      }
    }
    return { integrity, hash: h.digest('hex'), rows }
  } finally {
    db.close()
  }
}

/** A new SQLite file in WAL mode with no table (the store creates the entity's table on first use). */
export function createEmptyDb(file: string): string {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.close()
  return file
}

/** Removes a database file with its WAL and shared-memory files. */
export function removeDb(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) rmSync(f, { force: true })
}
