import { execFileSync, spawnSync } from 'node:child_process'
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
