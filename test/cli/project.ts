import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'
import koanBackup from 'koan-backup/plugin/esbuild'

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(PACKAGE, 'dist/runtime/cli/index.js')

/** A small app: two entities on SQLite (the database file from `KB_DB`), backups under `.koan/backups`. */
const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true }, include: ['src'] }),
  'koan-backup.config.ts': [
    `import { defineBackupConfig, sqliteStore } from 'koan-backup'`,
    `export default defineBackupConfig({ data: sqliteStore({ file: process.env.KB_DB ?? 'data/app.db' }), path: '.koan/backups' })`,
    '',
  ].join('\n'),
  'src/models/note.ts': [
    `import { Entity, EntityBackup } from 'koan-backup'`,
    '',
    '@EntityBackup()',
    'export class Note extends Entity<Note> {',
    `  id = ''`,
    `  title = ''`,
    `  body = ''`,
    '  pinned = false',
    '  createdAt = new Date(0)',
    '}',
    '',
  ].join('\n'),
  'src/models/tag.ts': [
    `import { Entity, EntityBackup } from 'koan-backup'`,
    '',
    '@EntityBackup()',
    'export class Tag extends Entity<Tag> {',
    '  id = 0',
    `  name = ''`,
    '  uses = 0',
    '}',
    '',
  ].join('\n'),
  // seeds the database, or writes every row (as stored) to a JSON file, through the app's own registry
  'tools/app.ts': [
    `import { writeFileSync } from 'node:fs'`,
    `import { descriptorOf } from 'koan-backup'`,
    `import { backup, codecs } from 'koan-backup/registry'`,
    `import { Note } from '../src/models/note'`,
    `import { Tag } from '../src/models/tag'`,
    `const notes = await backup.store.collection(descriptorOf(codecs['src.models.note.Note']))`,
    `const tags = await backup.store.collection(descriptorOf(codecs['src.models.tag.Tag']))`,
    `const [mode, arg] = process.argv.slice(2)`,
    `if (mode === 'seed') {`,
    `  const n = Number(arg)`,
    `  await notes.upsert(Array.from({ length: n }, (_, i) => Object.assign(new Note(), { id: 'n' + String(i).padStart(6, '0'), title: 'note ' + i, body: 'x'.repeat(i % 40) + ' "quoted" ✓', pinned: i % 3 === 0, createdAt: new Date(1700000000000 + i * 60000) })))`,
    `  await tags.upsert(Array.from({ length: 7 }, (_, i) => Object.assign(new Tag(), { id: i + 1, name: 'tag' + i, uses: i * 10 })))`,
    `} else {`,
    `  const dump = {}`,
    `  for (const [name, c] of [['Note', notes], ['Tag', tags]]) {`,
    `    const rows = []`,
    `    for await (const row of c.stream()) rows.push(descriptorOf(codecs[name === 'Note' ? 'src.models.note.Note' : 'src.models.tag.Tag']).toStored(row))`,
    `    dump[name] = rows`,
    `  }`,
    `  writeFileSync(arg, JSON.stringify(dump))`,
    `}`,
    `await backup.store.close?.()`,
    '',
  ].join('\n'),
}

/** Keeps the runtime the generated module imports outside the bundle (this package's own files), so its dependencies resolve from here. */
const runtimeExternal: Plugin = {
  name: 'runtime-external',
  setup(b) {
    const entries: Record<string, string> = { 'koan-backup/codec': 'dist/runtime/schema/index.js', 'koan-backup/engine': 'dist/runtime/engine/index.js' }
    b.onResolve({ filter: /^koan-backup\/(?:codec|engine)$/, namespace: 'koan-backup' }, (args) => ({ path: pathToFileURL(join(PACKAGE, entries[args.path]!)).href, external: true }))
  },
}

/** A temporary copy of the app with `node_modules/koan-backup` linked to this package. */
export class Project {
  readonly root = mkdtempSync(join(tmpdir(), 'kb-cli-'))

  constructor(extra: Record<string, string> = {}) {
    for (const [file, text] of Object.entries({ ...FILES, ...extra })) this.write(file, text)
    mkdirSync(join(this.root, 'node_modules'))
    symlinkSync(PACKAGE, join(this.root, 'node_modules', 'koan-backup'), 'dir')
  }

  write(file: string, text: string): void {
    mkdirSync(dirname(join(this.root, file)), { recursive: true })
    writeFileSync(join(this.root, file), text)
  }

  /** Runs the CLI in the project (`--root` is the working directory), with `KB_DB` as the database. */
  cli(args: string[], db = 'data/app.db', root = this.root) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, KB_DB: db } })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  /** `cli` with `--json`; the stdout parsed. */
  json<T = any>(args: string[], db?: string): { code: number | null; doc: T; stderr: string } {
    const r = this.cli([...args, '--json'], db)
    let doc: T
    try {
      doc = JSON.parse(r.stdout) as T
    } catch {
      throw new Error(`stdout of ${args.join(' ')} is not one JSON document (exit ${r.code}):\n${r.stdout}\n--- stderr:\n${r.stderr}`)
    }
    return { code: r.code, doc, stderr: r.stderr }
  }

  /** Builds tools/app.ts through the plugin (as the app would be built) and runs it. */
  async app(args: string[], db = 'data/app.db'): Promise<void> {
    const out = join(this.root, 'tools', 'app.mjs')
    await build({
      entryPoints: [join(this.root, 'tools/app.ts')], outfile: out, absWorkingDir: this.root, bundle: true, format: 'esm', platform: 'node',
      target: 'node20', packages: 'external', logLevel: 'silent', plugins: [runtimeExternal, koanBackup({ root: this.root, dts: false, report: false })],
    })
    const r = spawnSync(process.execPath, [out, ...args], { encoding: 'utf8', cwd: this.root, env: { ...process.env, KB_DB: db } })
    if (r.status !== 0) throw new Error(`tools/app.ts ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  }

  async seed(n: number, db?: string): Promise<void> {
    await this.app(['seed', String(n)], db)
  }

  /** Every row of both entities in the database, as stored. */
  async dump(db?: string): Promise<{ Note: unknown[]; Tag: unknown[] }> {
    const file = join(this.root, 'dump.json')
    await this.app(['dump', file], db)
    return JSON.parse(readFileSync(file, 'utf8'))
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true })
  }
}
