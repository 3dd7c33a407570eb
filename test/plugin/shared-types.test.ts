import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { projectFiles } from '../../bench/projects.mjs'
import { resolveOptions } from '../../plugin/core/options.js'
import { Analyzer } from '../../plugin/core/scan/analyze.js'
import { contentHash, parseFacts } from '../../plugin/core/scan/parse.js'
import { loadProject, ModuleResolver } from '../../plugin/core/scan/project.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'
import { isScopeFile } from '../../plugin/core/scan/scopes.js'
import { fixture } from '../helpers.js'
import { canonicalModel, fingerprintOf } from '../../runtime/schema/canonical.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kb-shared-'))
  mkdirSync(join(root, 'src'))
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true }, include: ['src'] }))
  writeFileSync(join(root, 'src/shared.ts'), 'export interface Meta { fn: () => void; n: number }\nclass Hidden { x = 1 }\nexport interface Holder { h: Hidden }\n')
  for (const name of ['A', 'B', 'C']) {
    writeFileSync(join(root, `src/${name}.ts`), `import { Entity, EntityBackup } from 'koan-backup'
import type { Holder, Meta } from './shared'
@EntityBackup()
export class ${name} extends Entity<${name}> { id = ''; meta!: Meta; holder: Holder | null = null }
`)
  }
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const where = (r: ReturnType<Scanner['scan']>) => r.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column} ${d.message.split(':')[0]}`)

describe('a type shared by several entities', () => {
  it('reports its diagnostics once, in a full scan and after an edit of one entity', () => {
    const scanner = new Scanner(resolveOptions({ root, cache: false, dts: false }))
    const expected = ['KB040 src/shared.ts:1:25 Meta.fn', 'KB041 src/shared.ts:2:7 class Hidden is stored in backups but not exported, so restores return plain objects instead of Hidden instances']
    expect(where(scanner.scan())).toEqual(expected)
    writeFileSync(join(root, 'src/B.ts'), `// edited\n${'import { Entity, EntityBackup } from \'koan-backup\''}\nimport type { Holder, Meta } from './shared'\n@EntityBackup()\nexport class B extends Entity<B> { id = ''; meta!: Meta; holder: Holder | null = null }\n`)
    expect(where(scanner.update(join(root, 'src/B.ts')))).toEqual(expected)
  })
})

/** The registry of a project linked with named types shared between files, and without. */
function linkBothWays(root: string) {
  const options = resolveOptions({ root, cache: false, dts: false })
  const project = loadProject(options.root, options.tsconfig)
  const fileSet = new Set(project.files)
  const facts = new Map(project.files.map((f) => { const text = readFileSync(f, 'utf8'); return [f, parseFacts(f, text, contentHash(text))] }))
  const input = {
    options, files: project.files.filter((f) => !isScopeFile(f)), scopeFiles: project.files.filter(isScopeFile),
    facts: (f: string) => facts.get(f), resolver: new ModuleResolver(project.compilerOptions, (f) => fileSet.has(f)),
  }
  const sharing = new Analyzer()
  const shared = sharing.analyze(input, 'all')
  return { shared, separate: new Analyzer({ share: false }).analyze(input, 'all'), hits: sharing.sharedHits }
}

describe('named types resolved once per link and shared by the files that use them', () => {
  for (const name of ['shared-types', 'fields', 'inheritance', 'codec', 'codec-names', 'codec-optional', 'scopes', 'names', 'basic']) {
    it(`${name}: the same registry as resolving them in every file`, () => {
      const { shared, separate, hits } = linkBothWays(fixture(name))
      expect(shared).toEqual(separate)
      if (name === 'shared-types' || name === 'fields') expect(hits).toBeGreaterThanOrEqual(3)
      expect(shared.entities.length).toBeGreaterThan(0)
      // each fingerprint is that of the entity's canonical model on its own (what a backup records beside it),
      // whichever entities were expanded before it (Order and Customer, Invoice and CreditNote refer to each other)
      for (const e of shared.entities) if (e.shape) expect({ e: e.name, f: e.fingerprint }).toEqual({ e: e.name, f: fingerprintOf(canonicalModel(e.shape, shared.shapes)) })
    })
  }

  it('a generated 200-entity project (as the benchmark makes them): the same registry', () => {
    const root = mkdtempSync(join(tmpdir(), 'kb-shared-bench-'))
    try {
      for (const { rel, text } of projectFiles(200)) {
        mkdirSync(dirname(join(root, rel)), { recursive: true })
        writeFileSync(join(root, rel), text)
      }
      const { shared, separate, hits } = linkBothWays(root)
      expect(shared).toEqual(separate)
      expect(shared.entities.length).toBe(200)
      expect(hits).toBeGreaterThan(200) // each entity file refers to the shared Money and Status types
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('shared-types: each diagnostic once, alias cycles named where their resolution starts', () => {
    const r = new Scanner(resolveOptions({ root: fixture('shared-types'), cache: false, dts: false })).scan()
    expect(where(r)).toEqual([
      'KB040 src/models/customer.ts:10:3 Customer.loop',
      'KB040 src/models/invoice.ts:9:3 Invoice.loop2',
      'KB040 src/shared/types.ts:11:3 Meta.fn',
      'KB041 src/shared/types.ts:20:7 class Hidden is stored in backups but not exported, so restores return plain objects instead of Hidden instances',
    ])
  })
})
