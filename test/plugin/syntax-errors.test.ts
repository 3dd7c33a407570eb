import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveOptions } from '../../plugin/core/options.js'
import { tsFacts } from '../../plugin/core/scan/parse.js'
import { quickFacts } from '../../plugin/core/scan/quick/reader.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'
import { fixture } from '../helpers.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(fixture('..'), '.tmp-syntax-'))
  writeFileSync(join(root, 'backup.scope.ts'), "import { defineBackupScope } from 'koan-backup'\nexport default defineBackupScope({ mode: 'all' })\n")
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const scan = () => new Scanner(resolveOptions({ root, tsconfig: false, dts: false, cache: false, report: false })).scan()

describe('syntax errors in scanned files (KB031)', () => {
  it('one in the declarations is reported at its file:line:col, and the classes before it are still read', () => {
    const text = "import { Entity } from 'koan-backup'\nexport class Media extends Entity<Media> {\n  title = ''\n}\nexport const broken = {\n"
    writeFileSync(join(root, 'media.ts'), text)
    // the quick reader gives the file to TypeScript, whose parser reports the error
    expect(quickFacts(join(root, 'media.ts'), text, 'h')).toBeNull()
    const registry = scan()
    expect(registry.entities.map((e) => e.name)).toEqual(['Media'])
    const errors = registry.diagnostics.filter((d) => d.code === 'KB031')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ file: 'media.ts', line: 6, column: 1 })
    expect(errors[0]!.message).toContain('syntax error')
  })

  it('one inside a method body is left to the bundler: the file is read and its entity found', () => {
    const text = "import { Entity } from 'koan-backup'\nexport class Media extends Entity<Media> {\n  title = ''\n  label(): string {\n    return return\n  }\n}\n"
    writeFileSync(join(root, 'media.ts'), text)
    // TypeScript's parser reports it; the quick reader skips the body
    expect(tsFacts(join(root, 'media.ts'), text).syntaxErrors).not.toEqual([])
    const quick = quickFacts(join(root, 'media.ts'), text, 'h')
    expect(quick).not.toBeNull()
    expect(quick!.syntaxErrors).toEqual([])
    const registry = scan()
    expect(registry.entities.map((e) => e.name)).toEqual(['Media'])
    expect(registry.diagnostics.filter((d) => d.code === 'KB031')).toEqual([])
  })
})
