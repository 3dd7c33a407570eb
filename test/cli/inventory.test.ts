import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fixture } from '../helpers.js'

const BIN = fileURLToPath(new URL('../../dist/runtime/cli/index.js', import.meta.url))

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('koan-backup inventory (child process)', () => {
  it('prints the report and located warnings; exit 0 without --strict', () => {
    const r = cli('inventory', '--root', fixture('basic'))
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('User → encrypt=true, schema=true')
    expect(r.stdout).toContain('SearchIndex → reason: "Derived view, rebuild from source"')
    expect(r.stderr).toContain('src/models/unmarked.ts:3:14 KB001')
  })
  it('--strict exits 1 when anything is uncovered', () => {
    expect(cli('inventory', '--root', fixture('basic'), '--strict').code).toBe(1)
    expect(cli('inventory', '--root', fixture('decorator-flavours/tc39'), '--strict').code).toBe(0)
  })
  it('--strict exits 1 when a policy is unreadable', () => {
    expect(cli('inventory', '--root', fixture('static-args'), '--strict').code).toBe(1)
  })
  it('--json prints the registry', () => {
    const r = cli('inventory', '--root', fixture('basic'), '--json')
    const registry = JSON.parse(r.stdout)
    expect(registry.formatVersion).toBe(1)
    expect(registry.entities).toHaveLength(7)
  })
  it('--entity-decorator and --entity-base recognise other ORMs', () => {
    const r = cli('inventory', '--root', fixture('typeorm'), '--json', '--entity-decorator', 'Entity@typeorm', '--entity-base', 'BaseEntity@@mikro-orm/core')
    expect(JSON.parse(r.stdout).entities.map((e: { name: string }) => e.name)).toEqual(['Book', 'Comment', 'Post'])
  })
  it('reads a workspace package the app imports by name (linked in node_modules), and warns at its files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-cli-workspace-'))
    try {
      const files: Record<string, string> = {
        'app/tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true }, include: ['src'] }),
        'app/src/main.ts': "export { Customer } from '@acme/models'\n",
        'packages/models/package.json': JSON.stringify({ name: '@acme/models', exports: { '.': { types: './src/index.ts', default: './dist/index.js' } } }),
        'packages/models/src/index.ts': "import { Entity, EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class Customer extends Entity<Customer> {\n  name = ''\n}\nexport class Loose extends Entity<Loose> {\n  n = 1\n}\n",
      }
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true })
        writeFileSync(join(dir, rel), text)
      }
      mkdirSync(join(dir, 'app/node_modules/@acme'), { recursive: true })
      symlinkSync('../../../packages/models', join(dir, 'app/node_modules/@acme/models'), 'dir')
      const r = cli('inventory', '--root', join(dir, 'app'), '--strict')
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('../packages/models/src/index.ts:6:14 KB001')
      const registry = JSON.parse(cli('inventory', '--root', join(dir, 'app'), '--json').stdout)
      expect(registry.entities.map((e: { name: string; status: string }) => `${e.name}:${e.status}`)).toEqual(['Customer:included', 'Loose:uncovered'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
  it('invalid scope declarations exit 1 even without --strict', () => {
    // the fixture has no tsconfig.json: the default then scans every TypeScript file under the root
    const r = cli('inventory', '--root', fixture('scope-errors'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('error: src/twice/backup.scope.js:1:1 KB011')
    expect(r.stderr).toMatch(/error: src\/invalid\/backup\.scope\.ts:3:34 KB010/)
  })
  it('a tsconfig that does not exist is a clear error', () => {
    const r = cli('inventory', '--root', fixture('scope-errors'), '--tsconfig', 'none.json')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/option `tsconfig`: .*none\.json does not exist/)
  })
  it('usage errors exit 2; --help exits 0', () => {
    expect(cli('inventory', '--bogus').code).toBe(2)
    expect(cli('frobnicate').code).toBe(2)
    expect(cli('inventory', '--scope', 'some').code).toBe(2)
    const help = cli('inventory', '--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--entity-decorator')
  })
  it('the bin runs through npx from the package', () => {
    const out = execFileSync('npx', ['--no-install', 'koan-backup', 'inventory', '--root', fixture('names'), '--json'], { encoding: 'utf8', cwd: fixture('../..') })
    expect(JSON.parse(out).entities).toHaveLength(2)
  })
})
