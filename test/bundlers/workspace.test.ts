/**
 * A monorepo's app that imports a workspace package by name (`@acme/models`, linked in `app/node_modules` as npm,
 * yarn and pnpm workspaces link it), built with every bundler: the package's entities are in the inventory, its
 * uncovered one is warned about at its own file:line:col, its decorators are stripped, and the bundle runs.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUNDLERS, builders, type BuildResult } from './builds.js'
import { decoratorTraces, devServer, editSeenByWatcher, removeDir, runBundle, servedEntities, tempOutDir, writeTree } from './helpers.js'

const REPO = fileURLToPath(new URL('../..', import.meta.url))

const FILES: Record<string, string> = {
  'app/tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true }, include: ['src'] }),
  'app/src/main.ts': [
    "import { registry } from 'koan-backup/registry'",
    "import { Customer, Loose } from '@acme/models'",
    '',
    'console.log(JSON.stringify({',
    '  entities: registry.entities.map((e) => `${e.name}:${e.status}:${e.file}`),',
    '  customer: new Customer().name,',
    '  loose: typeof Loose,',
    '}))',
    '',
  ].join('\n'),
  'packages/models/package.json': JSON.stringify({ name: '@acme/models', type: 'module', exports: { '.': { types: './src/index.ts', import: './src/index.ts' } } }),
  'packages/models/src/index.ts': "export { Customer } from './customer'\nexport { Loose } from './loose'\n",
  'packages/models/src/customer.ts': [
    "import { Entity, EntityBackup } from 'koan-backup'",
    '',
    '@EntityBackup({ encrypt: true })',
    'export class Customer extends Entity<Customer> {',
    "  name = 'ada'",
    '}',
    '',
  ].join('\n'),
  'packages/models/src/loose.ts': "import { Entity } from 'koan-backup'\n\nexport class Loose extends Entity<Loose> {\n  n = 1\n}\n",
}
/** Where the uncovered entity of the package is declared, relative to the app's root. */
const LOOSE_AT = '../packages/models/src/loose.ts:3:14'

let dir: string
const outDirs: string[] = []
beforeAll(() => {
  dir = tempOutDir()
  writeTree(dir, FILES)
  mkdirSync(join(dir, 'app/node_modules/@acme'), { recursive: true })
  symlinkSync('../../../packages/models', join(dir, 'app/node_modules/@acme/models'), 'dir')
  // the package's own dependency on koan-backup (the repository, as a workspace would link it)
  mkdirSync(join(dir, 'packages/models/node_modules'), { recursive: true })
  symlinkSync(REPO, join(dir, 'packages/models/node_modules/koan-backup'), 'dir')
})
afterAll(() => {
  removeDir(dir)
  outDirs.forEach(removeDir)
})

describe.each(BUNDLERS)('%s', (name) => {
  let built: BuildResult
  beforeAll(async () => {
    const outDir = tempOutDir()
    outDirs.push(outDir)
    built = await builders[name]({ root: join(dir, 'app'), outDir })
  })

  it('scans the workspace package: its entities are in the registry, and the bundle runs', () => {
    const summary = runBundle(built.outfile) as unknown as { entities: string[]; customer: string; loose: string }
    expect(summary.entities.sort()).toEqual([
      'Customer:included:../packages/models/src/customer.ts',
      'Loose:uncovered:../packages/models/src/loose.ts',
    ])
    expect(summary).toMatchObject({ customer: 'ada', loose: 'function' })
  })

  it(`warns about its uncovered entity at ${LOOSE_AT}`, () => {
    const line = `${built.warnings}\n${built.pluginLog}`.split('\n').find((l) => l.includes(LOOSE_AT))
    expect(line).toContain('KB001')
    expect(`${built.warnings}\n${built.pluginLog}`).not.toContain('KB035')
  })

  it('strips its decorator', () => {
    expect(built.code).toContain('ada')
    expect(decoratorTraces(built.code)).toEqual([])
  })
})

describe('vite dev server', () => {
  let server: ViteDevServer
  const served = () => servedEntities(server)

  beforeAll(async () => {
    server = await devServer(join(dir, 'app'))
  })
  // (after the builds above: the suites of a file run in order, and this one edits the tree)
  afterAll(async () => {
    await server?.close()
  })

  it('serves the workspace package\'s entities, and re-scans its files and its package.json when they change', async () => {
    expect(await served()).toEqual(['Customer:included:../packages/models/src/customer.ts', 'Loose:uncovered:../packages/models/src/loose.ts'])
    // a file of the package, outside the root
    const loose = join(dir, 'packages/models/src/loose.ts')
    await editSeenByWatcher(server, loose, readFileSync(loose, 'utf8').replace('export class', "import { EntityBackup as Backup } from 'koan-backup'\n@Backup()\nexport class"))
    await expect.poll(served, { timeout: 5000, interval: 100 }).toContain('Loose:included:../packages/models/src/loose.ts')
    // its package.json, now naming another entry
    writeFileSync(join(dir, 'packages/models/src/v2.ts'), "export { Customer } from './customer'\nexport { Loose } from './loose'\nexport { Extra } from './extra'\n")
    writeFileSync(join(dir, 'packages/models/src/extra.ts'), "import { Entity } from 'koan-backup'\n\nexport class Extra extends Entity<Extra> {\n  e = 1\n}\n")
    const manifest = join(dir, 'packages/models/package.json')
    await editSeenByWatcher(server, manifest, JSON.stringify({ name: '@acme/models', type: 'module', exports: { '.': './src/v2.ts' } }))
    await expect.poll(served, { timeout: 5000, interval: 100 }).toContain('Extra:uncovered:../packages/models/src/extra.ts')
  })
})

