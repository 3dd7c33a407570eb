import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveOptions } from '../../plugin/core/options.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'

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
