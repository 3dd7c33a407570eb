import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Project } from './project.js'

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z(?:-\d+)?$/
const NOTE = 'src.models.note.Note'
const TAG = 'src.models.tag.Tag'

describe('koan-backup data commands (child process, SQLite app)', () => {
  const p = new Project()
  let first = ''
  let second = ''
  beforeAll(() => p.seed(2500))
  afterAll(() => p.remove())

  it('capabilities lists the included entities', () => {
    const { code, doc } = p.json(['capabilities'])
    expect(code).toBe(0)
    expect(doc).toMatchObject({ ok: true, availableSources: ['data'], entities: { Note: { fullTypeName: NOTE, encrypt: false }, Tag: { fullTypeName: TAG } } })
    expect(doc.path).toBe(join(p.root, '.koan/backups'))
    const human = p.cli(['capabilities'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/Note\s+src\.models\.note\.Note\s+data\s+no\s+yes/)
  })

  it('create backs up every entity under one timestamp; progress is not drawn off a terminal', () => {
    const r = p.json(['create'])
    expect(r.code).toBe(0)
    expect(r.doc).toMatchObject({ ok: true, entityCount: 2507, entities: [{ entity: NOTE, entityCount: 2500 }, { entity: TAG, entityCount: 7 }] })
    expect(r.doc.timestamp).toMatch(TS)
    first = r.doc.timestamp
    expect(readdirSync(join(p.root, '.koan/backups', NOTE, first)).sort()).toEqual(['data.json.gz', 'metadata.json'])
    // stderr is a pipe here: no bar, no carriage return
    expect(r.stderr).not.toMatch(/\r|ETA|\[#/)
    const human = p.cli(['create', 'Note', '--no-compress'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^backup \S+ in /)
    expect(human.stdout).toMatch(/Note\s+2,500\s+0\s+[\d.]+ KiB/)
    expect(human.stderr).toBe('')
    second = /^backup (\S+)/.exec(human.stdout)![1]!
    expect(readdirSync(join(p.root, '.koan/backups', NOTE, second))).toContain('data.json')
  })

  it('list shows both backups of Note, the newest as latest', () => {
    const { code, doc } = p.json(['list', 'Note'])
    expect(code).toBe(0)
    expect(doc.backups.map((b: { timestamp: string; latest: boolean; status: string }) => [b.timestamp, b.status, b.latest])).toEqual([[first, 'Completed', false], [second, 'Completed', true]])
    const all = p.json(['list']).doc
    expect(all.backups).toHaveLength(3)
    const human = p.cli(['list'])
    expect(human.stdout).toMatch(new RegExp(`Note\\s+${second}\\s+Completed\\s+2,500\\s+0\\s+\\S+ KiB\\s+no\\s+latest`))
  })

  it('info shows one backup with its files and checksums', () => {
    const { code, doc } = p.json(['info', 'Note', first])
    expect(code).toBe(0)
    expect(doc).toMatchObject({ entity: NOTE, timestamp: first, status: 'Completed', entityCount: 2500, latest: false })
    expect(doc.metadata.files[0]).toMatchObject({ name: 'data.json.gz', role: 'data', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    const human = p.cli(['info', 'Tag'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`Tag (${TAG}) backup ${first}`)
    expect(human.stdout).toMatch(/status\s+Completed \(latest\)/)
    expect(human.stdout).toMatch(/data\.json\.gz\s+data/)
  })

  it('verify checks every latest backup; --read-data decodes rows; --subset samples them', () => {
    const plain = p.json(['verify'])
    expect(plain.code).toBe(0)
    expect(plain.doc.results).toEqual([
      expect.objectContaining({ ok: true, entity: NOTE, timestamp: second, rows: 2500, dataRead: false }),
      expect.objectContaining({ ok: true, entity: TAG, timestamp: first, rows: 7 }),
    ])
    const full = p.json(['verify', 'Note', first, '--read-data'])
    expect(full.doc.results[0]).toMatchObject({ ok: true, timestamp: first, rows: 2500, dataRead: true })
    expect(full.doc.results[0].sampled).toBeUndefined()
    const sampled = p.json(['verify', 'Note', '--subset', '10'])
    const s = sampled.doc.results[0].sampled
    expect(s.percent).toBe(10)
    // about 10 % of 2,500, chosen by id hash: the same rows on every run
    expect(s.rows).toBeGreaterThan(150)
    expect(s.rows).toBeLessThan(350)
    expect(p.json(['verify', 'Note', '--subset', '10']).doc.results[0].sampled.rows).toBe(s.rows)
    expect(p.cli(['verify', '--read-data']).stdout).toMatch(/all 2 verified/)
  })

  it('restore into a fresh database gives identical data; a second restore skips every row', async () => {
    const fresh = 'data/fresh.db'
    const dry = p.json(['restore', '--dry-run'], fresh)
    expect(dry.code).toBe(0)
    expect(dry.doc).toMatchObject({ dryRun: true, inserted: 2507, skipped: 0 })
    const r = p.json(['restore', '--timestamp', first], fresh)
    expect(r.code).toBe(0)
    expect(r.doc).toMatchObject({ ok: true, dryRun: false, entityCount: 2507, inserted: 2507, skipped: 0, overwritten: 0 })
    expect(r.stderr).not.toMatch(/\r|ETA/)
    const [a, b] = [await p.dump(), await p.dump(fresh)]
    expect(b.Note).toHaveLength(2500)
    expect(b).toEqual(a)
    const again = p.cli(['restore', 'Tag'], fresh)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/Tag\s+\S+\s+7\s+0\s+7\s+0/)
    expect(again.stdout).toContain('--overwrite replaces them')
  })

  it('delete asks for --yes off a terminal (exit 2), then deletes', () => {
    const refused = p.cli(['delete', 'Note', first])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('delete needs --yes when there is no terminal to confirm on')
    expect(p.json(['list', 'Note']).doc.backups).toHaveLength(2)
    const r = p.json(['delete', 'Note', first, '--yes'])
    expect(r.code).toBe(0)
    expect(r.doc).toEqual({ ok: true, path: join(p.root, '.koan/backups'), deleted: { entity: NOTE, timestamp: first } })
    expect(p.json(['list', 'Note']).doc.backups.map((b: { timestamp: string }) => b.timestamp)).toEqual([second])
    const missing = p.cli(['delete', 'Note', first, '--yes'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/has no backup .* \(NOT_FOUND\)/)
  })

  it('prune --dry-run lists what the policy would remove and deletes nothing', () => {
    // a third backup of Tag, so that --max 1 has something to remove
    expect(p.cli(['create', 'Tag']).code).toBe(0)
    const dry = p.json(['prune', '--dry-run', '--max', '1'])
    expect(dry.code).toBe(0)
    expect(dry.doc).toMatchObject({ ok: true, dryRun: true, removed: [{ entity: TAG, timestamp: first, status: 'Completed', reason: 'more than 1 backups' }] })
    expect(p.json(['list', 'Tag']).doc.backups).toHaveLength(2)
    expect(p.cli(['prune', '--dry-run', '--max', '1']).stdout).toMatch(/would be removed[\s\S]*Tag\s+\S+\s+Completed\s+more than 1 backups/)
    expect(p.json(['prune', '--dry-run']).doc.removed).toEqual([])
  })

  it('a byte flipped in a data file fails verify and restore with exit 1, naming the file; nothing is written', async () => {
    const latest = p.json(['info', 'Note']).doc.timestamp as string
    const file = join(p.root, '.koan/backups', NOTE, latest, 'data.json')
    const bytes = readFileSync(file)
    bytes[100] = bytes[100]! ^ 0x01
    writeFileSync(file, bytes)
    const v = p.cli(['verify'])
    expect(v.code).toBe(1)
    expect(v.stderr).toContain('data.json failed its checksum')
    expect(v.stderr).toContain('(CORRUPT)')
    expect(v.stdout).toMatch(/Note\s+\S+\s+FAILED/)
    expect(v.stdout).toMatch(/1 of 2 failed/)
    const vj = p.json(['verify', 'Note'])
    expect(vj.code).toBe(1)
    expect(vj.doc).toMatchObject({ ok: false, results: [{ ok: false, entity: NOTE, error: { code: 'CORRUPT', message: expect.stringContaining('data.json') } }] })
    const target = 'data/after-corruption.db'
    const r = p.json(['restore', 'Note'], target)
    expect(r.code).toBe(1)
    expect(r.doc).toMatchObject({ ok: false, error: { code: 'CORRUPT', message: expect.stringContaining('data.json failed its checksum') } })
    expect(r.stderr).toContain('data.json failed its checksum')
    expect((await p.dump(target)).Note).toEqual([])
  })
})

describe('koan-backup usage and set-up errors', () => {
  const p = new Project()
  afterAll(() => p.remove())

  it('usage errors exit 2: unknown command or option, bad values, bad timestamps', () => {
    expect(p.cli(['frobnicate']).code).toBe(2)
    expect(p.cli(['list', '--bogus']).code).toBe(2)
    expect(p.cli(['create', '--only', 'data']).code).toBe(2)
    expect(p.cli(['prune', '--max', '0']).code).toBe(2)
    expect(p.cli(['prune', '--days', 'soon']).code).toBe(2)
    expect(p.cli(['verify', 'Note', '--subset', '0']).code).toBe(2)
    expect(p.cli(['info']).code).toBe(2)
    const ts = p.cli(['delete', 'Note', '../../etc', '--yes'])
    expect(ts.code).toBe(2)
    expect(ts.stderr).toContain('is not a backup timestamp')
    expect(p.cli(['restore', '--timestamp', 'yesterday']).code).toBe(2)
    expect(p.cli(['delete', 'Note', '2025-10-02T15-30-45Z', '--json']).stderr).toContain('delete needs --yes with --json')
  })

  it('an unknown entity fails with exit 1 and the engine code', () => {
    const r = p.json(['list', 'Nope'])
    expect(r.code).toBe(1)
    expect(r.doc.error).toMatchObject({ code: 'UNKNOWN_ENTITY', message: expect.stringContaining('included entities: Note, Tag') })
  })

  it('--help of every command exits 0 and shows examples', () => {
    for (const command of ['create', 'restore', 'list', 'info', 'verify', 'delete', 'prune', 'capabilities']) {
      const r = p.cli([command, '--help'])
      expect(r.code, command).toBe(0)
      expect(r.stdout, command).toContain('Examples:')
      expect(r.stdout, command).toContain(`$ koan-backup ${command}`)
      expect(r.stdout, command).toContain('--json')
    }
    expect(p.cli(['--help']).stdout).toContain('Exit codes: 0 ok, 1 failed')
  })

  it('a missing config is exit 1 with the path looked at and how to create one', () => {
    const bare = new Project()
    try {
      rmSync(join(bare.root, 'koan-backup.config.ts'))
      const r = bare.cli(['list'])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`looked for ${join(bare.root, 'koan-backup.config.ts')} (also .mts, .js, .mjs)`)
      expect(r.stderr).toContain('export default defineBackupConfig(')
      expect(r.stderr).toContain('--config <file>')
      const other = bare.cli(['list', '--config', 'elsewhere.config.ts'])
      expect(other.code).toBe(1)
      expect(other.stderr).toContain(`${join(bare.root, 'elsewhere.config.ts')} does not exist`)
    } finally {
      bare.remove()
    }
  })

  it('--config and --root find an app from another folder', () => {
    p.write('configs/backup.config.mts', `import { defineBackupConfig, sqliteStore } from 'koan-backup'\nexport default defineBackupConfig({ data: sqliteStore({ file: 'data/other.db' }), path: 'other-backups' })\n`)
    const r = p.cli(['capabilities', '--json', '--root', p.root, '--config', join(p.root, 'configs/backup.config.mts')], undefined, join(p.root, 'src'))
    expect(r.code).toBe(0)
    // relative paths of the config resolve from the root
    expect(JSON.parse(r.stdout).path).toBe(join(p.root, 'other-backups'))
  })

  it('a config that fails its checks is exit 1 with the engine code and the key', () => {
    p.write('configs/bad.config.mts', `import { defineBackupConfig, sqliteStore } from 'koan-backup'\nexport default defineBackupConfig({ data: sqliteStore({ file: 'data/other.db' }), batchSize: 0 })\n`)
    const r = p.cli(['list', '--json', '--config', join(p.root, 'configs/bad.config.mts')])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.error.code).toBe('BAD_OPTION')
    expect(out.error.message).toContain('config `batchSize`: expected a positive integer, got 0')
  })

  it('plugin errors are printed with file:line:col and fail with exit 1', () => {
    const broken = new Project({
      'src/models/backup.scope.ts': `import { defineBackupScope } from 'koan-backup'\nexport default defineBackupScope({ mode: 'all' })\n`,
      'src/models/backup.scope.js': `import { defineBackupScope } from 'koan-backup'\nexport default defineBackupScope({ mode: 'none' })\n`,
    })
    try {
      const r = broken.cli(['list'])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('the app could not be compiled')
      expect(r.stderr).toMatch(/src\/models\/backup\.scope\.(ts|js):1:1 KB011/)
    } finally {
      broken.remove()
    }
  })

  it('an entity file that does not compile is reported with its location', () => {
    const broken = new Project({ 'src/models/tag.ts': `import { Entity, EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class Tag extends Entity<Tag> {\n  id = 0\n  name = (\n}\n` })
    try {
      const r = broken.cli(['capabilities'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/src\/models\/tag\.ts:\d+:\d+/)
    } finally {
      broken.remove()
    }
  })
})
