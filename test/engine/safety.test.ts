import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { BackupFs } from '../../runtime/engine/fs.js'
import { realFs } from '../../runtime/engine/fs.js'
import { cleanup, dump, engine, mediaRows, tempRoot } from './setup.js'

const MEDIA = 'src.entities.Media'
const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) cleanup(r) })

/** A file system whose staging renames fail with EIO while `armed.on` is set. */
function armable(): { fs: BackupFs; armed: { on: boolean } } {
  const armed = { on: false }
  return {
    armed,
    fs: {
      ...realFs,
      async rename(from, to) {
        if (armed.on && String(from).includes('.staging-')) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' })
        return realFs.rename(from, to)
      },
    },
  }
}

/**
 * A root with one regular backup of Media (m0…m9), and an engine over the same root whose store
 * holds other content for m0…m4 plus rows the backup does not have (m100…m104), on a clock the test moves.
 */
async function scenario(options: { fs?: BackupFs } = {}) {
  const path = tempRoot()
  roots.push(path)
  let clock = new Date('2025-10-30T12:00:00Z')
  const now = () => clock
  const source = await engine({ path, now })
  const desc = (e: typeof source) => ({ fullName: MEDIA, name: 'Media', fields: e.m.codecs[MEDIA]!.fields, toStored: (x: unknown) => JSON.parse(e.m.codecs[MEDIA]!.serialize(x)), fromStored: (s: unknown, r?: number) => e.m.codecs[MEDIA]!.deserialize(s, r) })
  await (await source.store.collection(desc(source))).upsert(mediaRows(source.m, 10))
  const regular = await source.backup.Media!.create()
  clock = new Date(clock.getTime() + 60_000)
  const target = await engine({ path, now, ...(options.fs ? { fs: options.fs } : {}) })
  const changed = mediaRows(target.m, 5).map((r) => Object.assign(r, { title: `changed ${r.id}`, views: 1_000 + r.views }))
  await (await target.store.collection(desc(target))).upsert([...changed, ...mediaRows(target.m, 5, 100)])
  const before = await dump(target.store, target.m, MEDIA)
  return {
    path, regular, target, before, desc,
    tick: (ms = 60_000) => { clock = new Date(clock.getTime() + ms) },
    folders: () => readdirSync(join(path, MEDIA)).filter((n) => /^\d{4}-/.test(n)).sort(),
    latest: () => JSON.parse(readFileSync(join(path, MEDIA, 'latest'), 'utf8')).timestamp as string,
  }
}

/** Rows by id, for comparisons that ignore the store's order. */
const byId = (rows: unknown[]) => new Map(rows.map((r) => [(r as { id: string }).id, r]))

describe('safety backup before an overwriting restore', () => {
  it('is taken of the current rows, marked safety, listed but never latest, and restores the pre-restore state', async () => {
    const s = await scenario()
    const result = await s.target.backup.Media!.restore({ overwriteExisting: true })
    expect(result.overwritten).toBe(5)
    expect(result.safetyBackup).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z/)
    const safety = result.safetyBackup!
    expect(s.folders()).toEqual([s.regular.timestamp, safety])
    // latest keeps naming the user's last regular backup
    expect(s.latest()).toBe(s.regular.timestamp)
    const list = await s.target.backup.Media!.list()
    expect(list.map((b) => [b.timestamp, b.status, b.kind, b.latest])).toEqual([
      [s.regular.timestamp, 'Completed', undefined, true], [safety, 'Completed', 'safety', false],
    ])
    expect(list[1]!.reason).toBe(`before restoring ${s.regular.timestamp}`)
    expect(list[1]!.entityCount).toBe(10)
    // metadata.json and the manifest entry carry the mark; the files verify like any backup's
    const metadata = JSON.parse(readFileSync(join(s.path, MEDIA, safety, 'metadata.json'), 'utf8'))
    expect(metadata).toMatchObject({ status: 'Completed', kind: 'safety', reason: `before restoring ${s.regular.timestamp}`, counts: { rows: 10 } })
    const manifest = JSON.parse(readFileSync(join(s.path, 'manifest.json'), 'utf8'))
    expect(manifest.backups.find((b: { timestamp: string }) => b.timestamp === safety)).toMatchObject({ status: 'Completed', kind: 'safety' })
    expect(await s.target.backup.Media!.verify(safety, { readData: true })).toMatchObject({ rows: 10 })
    // `latest` still resolves to the regular backup
    expect((await s.target.backup.Media!.info()).timestamp).toBe(s.regular.timestamp)
    // restored by timestamp into an empty store, it is exactly the state before the restore
    const fresh = await engine({ path: s.path })
    await fresh.backup.Media!.restore({ timestamp: safety })
    expect(byId(await dump(fresh.store, fresh.m, MEDIA))).toEqual(byId(s.before))
    // and in place it undoes the overwrite of every id it covers
    const undo = await s.target.backup.Media!.restore({ timestamp: safety, overwriteExisting: true, safetyBackup: false })
    expect(undo.safetyBackup).toBeUndefined()
    const after = byId(await dump(s.target.store, s.target.m, MEDIA))
    for (const [id, row] of byId(s.before)) expect(after.get(id)).toEqual(row)
  })

  it('is not taken for an empty store, a dry run, overwriteExisting false, or safetyBackup false', async () => {
    const s = await scenario()
    const only = [s.regular.timestamp]
    expect((await s.target.backup.Media!.restore({ overwriteExisting: true, dryRun: true })).safetyBackup).toBeUndefined()
    expect(s.folders()).toEqual(only)
    expect((await s.target.backup.Media!.restore({ overwriteExisting: true, safetyBackup: false })).safetyBackup).toBeUndefined()
    expect(s.folders()).toEqual(only)
    expect((await s.target.backup.Media!.restore()).safetyBackup).toBeUndefined()
    expect(s.folders()).toEqual(only)
    const empty = await engine({ path: s.path })
    const r = await empty.backup.Media!.restore({ overwriteExisting: true })
    expect(r).toMatchObject({ inserted: 10, overwritten: 0 })
    expect(r.safetyBackup).toBeUndefined()
    expect(s.folders()).toEqual(only)
    // the set API threads the option too
    const set = await s.target.backup.restore({ entities: ['Media'], overwriteExisting: true })
    expect(set.entities[0]!.safetyBackup).toBeDefined()
    expect(s.folders()).toHaveLength(2)
  })

  it('does not count toward maxBackupsPerEntity and expires by retentionDays', async () => {
    const s = await scenario()
    const { safetyBackup } = await s.target.backup.Media!.restore({ overwriteExisting: true })
    s.tick()
    const second = await s.target.backup.Media!.create()
    expect(s.latest()).toBe(second.timestamp)
    // one regular backup allowed: the older regular one goes, the safety backup stays
    const counted = await s.target.backup.prune({ maxBackupsPerEntity: 1, dryRun: true })
    expect(counted.removed.map((p) => [p.timestamp, p.reason])).toEqual([[s.regular.timestamp, 'more than 1 backups']])
    // by age it goes like any backup
    s.tick(3 * 86_400_000)
    const aged = await s.target.backup.prune({ retentionDays: 2 })
    expect(aged.removed.map((p) => p.timestamp)).toEqual([s.regular.timestamp, safetyBackup])
    expect(s.folders()).toEqual([second.timestamp])
    expect(s.latest()).toBe(second.timestamp)
  })

  it('a failed safety backup refuses the restore: nothing written, a Failed record left, latest unchanged', async () => {
    const { fs, armed } = armable()
    const s = await scenario({ fs })
    armed.on = true
    const error = await s.target.backup.Media!.restore({ overwriteExisting: true }).catch((e) => e)
    expect(error.code).toBe('IO_FAILED')
    expect(error.message).toMatch(/safety backup .* failed, so the restore of .* was refused and nothing was written/)
    expect(error.message).toContain('EIO')
    expect(byId(await dump(s.target.store, s.target.m, MEDIA))).toEqual(byId(s.before))
    const list = await s.target.backup.Media!.list()
    expect(list.map((b) => [b.status, b.kind])).toEqual([['Completed', undefined], ['Failed', 'safety']])
    expect(list[1]!.errorMessage).toContain('EIO')
    expect(s.latest()).toBe(s.regular.timestamp)
    expect(readdirSync(join(s.path, MEDIA)).filter((n) => n.startsWith('.staging'))).toEqual([])
    // once the cause is gone the same restore goes through
    armed.on = false
    const ok = await s.target.backup.Media!.restore({ overwriteExisting: true })
    expect(ok.safetyBackup).toBeDefined()
    expect(ok.overwritten).toBe(5)
  })
})
