import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generateDts } from '../../plugin/core/generate/dts.js'
import { fixture, scanFixture } from '../helpers.js'

const TSC = fixture('../../node_modules/typescript/bin/tsc')
// inside the repo, so 'koan-backup' resolves to this package by self-reference
const dir = mkdtempSync(join(fixture('..'), '.tmp-types-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const USE = `import { backup, codecs, registry, type EntityName } from 'koan-backup/registry'
import { Media } from './src/models/media.js'
const ok: EntityName = 'Media'
// @ts-expect-error not an entity of this project
const bad: EntityName = 'Nope'
const names: Array<'Archive' | 'LogEntry' | 'Media' | 'PublicContent' | 'SearchIndex' | 'UnmarkedEntity' | 'User'> = registry.entities.map((e) => e.name)
const media: Media = codecs['src.models.media.Media'].deserialize({})
const text: string = codecs['src.models.media.Media'].serialize(new Media())
// @ts-expect-error uncovered entities have no codec
codecs['src.models.unmarked.UnmarkedEntity']
const created: Promise<{ entityCount: number }> = backup.Media.create()
const all: Promise<{ timestamp: string }> = backup.create({ compress: false })
// @ts-expect-error not an included entity: no per-entity API
backup.UnmarkedEntity.create()
// @ts-expect-error unknown entity names are compile errors
backup.Nope.create()
export { ok, bad, names, media, text, created, all }
`

function typecheck(files: Record<string, string>) {
  const project = mkdtempSync(join(dir, 'p-'))
  cpSync(fixture('basic/src'), join(project, 'src'), { recursive: true })
  cpSync(fixture('basic/legacy'), join(project, 'legacy'), { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text)
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true, types: [] },
    include: ['*.ts', 'src'],
  }))
  const r = spawnSync(process.execPath, [TSC, '-p', project], { encoding: 'utf8' })
  return { code: r.status, output: r.stdout + r.stderr }
}

describe('generated .d.ts types koan-backup/registry (tsc 7)', () => {
  it('entity names are checked against the project', () => {
    const r = typecheck({ 'use.ts': USE, 'koan-backup.d.ts': generateDts(scanFixture('basic')) })
    expect(r.output).toBe('')
    expect(r.code).toBe(0)
  })
  it('without the generated file names are plain strings (so the check above is real)', () => {
    const r = typecheck({ 'use.ts': USE })
    expect(r.code).not.toBe(0)
    expect(r.output).toContain("Unused '@ts-expect-error' directive")
  })
})
