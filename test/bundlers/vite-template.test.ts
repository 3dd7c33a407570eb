/**
 * A project laid out as vite's TypeScript templates lay it out: `tsconfig.json` a solution config (`"files": []`,
 * references to `tsconfig.app.json` and `tsconfig.node.json`), the app's config with a `@/*` alias. Built with vite
 * and esbuild and the default options: the app's entities are in the inventory (not "no TypeScript files to scan"),
 * its uncovered one is warned about at file:line:col, and the bundle runs.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builders, type BuildResult } from './builds.js'
import { decoratorTraces, devServer, editSeenByWatcher, removeDir, runBundle, servedEntities, tempOutDir, writeTree } from './helpers.js'

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './tsconfig.app.json' }, { path: './tsconfig.node.json' }] }, null, 2),
  'tsconfig.app.json': [
    '{',
    '  "compilerOptions": {',
    '    "tsBuildInfoFile": "./node_modules/.tmp/tsconfig.app.tsbuildinfo",',
    '    "target": "ES2022",',
    '    "useDefineForClassFields": true,',
    '    "lib": ["ES2022", "DOM", "DOM.Iterable"],',
    '    "module": "ESNext",',
    '    "skipLibCheck": true,',
    '    /* Bundler mode */',
    '    "moduleResolution": "bundler",',
    '    "verbatimModuleSyntax": true,',
    '    "moduleDetection": "force",',
    '    "noEmit": true,',
    '    "strict": true,',
    '    "erasableSyntaxOnly": true,',
    '    "baseUrl": ".",',
    '    "paths": { "@/*": ["./src/*"] },',
    '  },',
    '  "include": ["src"]',
    '}',
  ].join('\n'),
  'tsconfig.node.json': JSON.stringify({ compilerOptions: { target: 'ES2023', module: 'ESNext', moduleResolution: 'bundler', noEmit: true }, include: ['vite.config.ts'] }),
  'vite.config.ts': 'export default {}\n',
  'src/main.ts': [
    "import { registry } from 'koan-backup/registry'",
    "import { Invoice } from './models/invoice'",
    '',
    'console.log(JSON.stringify({ entities: registry.entities.map((e) => `${e.name}:${e.status}:${e.file}`), total: new Invoice().total.amount }))',
    '',
  ].join('\n'),
  'src/shared/money.ts': 'export interface Money {\n  amount: number\n  currency: string\n}\n',
  'src/models/invoice.ts': [
    "import { Entity, EntityBackup } from 'koan-backup'",
    "import type { Money } from '@/shared/money'",
    '',
    '@EntityBackup()',
    'export class Invoice extends Entity<Invoice> {',
    "  total: Money = { amount: 42, currency: 'EUR' }",
    '}',
    '',
    'export class Draft extends Entity<Draft> {',
    '  note = 1',
    '}',
    '',
  ].join('\n'),
}

let dir: string
const outDirs: string[] = []
beforeAll(() => {
  dir = tempOutDir()
  writeTree(dir, FILES)
})
afterAll(() => {
  removeDir(dir)
  outDirs.forEach(removeDir)
})

describe.each(['vite', 'esbuild'] as const)('%s', (name) => {
  let built: BuildResult
  beforeAll(async () => {
    const outDir = tempOutDir()
    outDirs.push(outDir)
    built = await builders[name]({ root: dir, outDir })
  })

  it('scans the projects tsconfig.json references: the entities are in the registry, with the field type behind the @/ alias', () => {
    const summary = runBundle(built.outfile) as unknown as { entities: string[]; total: number }
    expect(summary.entities.sort()).toEqual(['Draft:uncovered:src/models/invoice.ts', 'Invoice:included:src/models/invoice.ts'])
    expect(summary.total).toBe(42)
    expect(`${built.warnings}\n${built.pluginLog}`).not.toContain('KB032')
  })

  it('warns about the uncovered entity at src/models/invoice.ts:9:14', () => {
    const line = `${built.warnings}\n${built.pluginLog}`.split('\n').find((l) => l.includes('src/models/invoice.ts:9:14'))
    expect(line).toContain('KB001')
  })

  it('strips the decorator', () => {
    expect(decoratorTraces(built.code)).toEqual([])
  })
})

describe('vite dev server', () => {
  let server: ViteDevServer
  const served = () => servedEntities(server)

  beforeAll(async () => {
    server = await devServer(dir)
  })
  // (after the builds above: this one edits the tree)
  afterAll(async () => {
    await server?.close()
  })

  it('lists the project again when the referenced tsconfig.app.json changes', async () => {
    expect(await served()).toEqual(['Draft:uncovered:src/models/invoice.ts', 'Invoice:included:src/models/invoice.ts'])
    writeTree(dir, { 'lib/extra.ts': "import { Entity } from 'koan-backup'\n\nexport class Extra extends Entity<Extra> {\n  e = 1\n}\n" })
    const config = join(dir, 'tsconfig.app.json')
    await editSeenByWatcher(server, config, readFileSync(config, 'utf8').replace('"include": ["src"]', '"include": ["src", "lib"]'))
    await expect.poll(served, { timeout: 5000, interval: 100 }).toContain('Extra:uncovered:lib/extra.ts')
  })
})
