import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PluginContext } from '../../plugin/core/context.js'
import { fixture } from '../helpers.js'

describe('transform: strips @EntityBackup', () => {
  const ctx = new PluginContext({ root: fixture('inheritance'), dts: false, report: false })
  ctx.refresh()

  it('blanks the decorator out (through aliases and namespaces) without moving any code', () => {
    for (const [rel, gone] of [['src/models/media.ts', '@EntityBackup()'], ['src/models/video.ts', '@Backup({ encrypt: true })'], ['src/models/event.ts', '@kb.EntityBackup']] as const) {
      const file = join(fixture('inheritance'), rel)
      const code = readFileSync(file, 'utf8')
      const out = ctx.transform(code, file)!
      expect(out.code).not.toContain(gone)
      expect(out.code).toHaveLength(code.length)
      expect(out.code.split('\n').map((l) => l.length)).toEqual(code.split('\n').map((l) => l.length))
      expect(out.code).toMatch(/export class \w+ extends/)
      expect(out.map).toBeNull()
    }
  })

  it('leaves files without our decorator alone, and other decorators in place', () => {
    const file = join(fixture('inheritance'), 'src/base/audited.ts')
    expect(ctx.transform(readFileSync(file, 'utf8'), file)).toBeNull()
    const typeorm = new PluginContext({ root: fixture('typeorm'), dts: false, report: false })
    const post = join(fixture('typeorm'), 'src/post.ts')
    const out = typeorm.transform(readFileSync(post, 'utf8'), post)!
    expect(out.code).toContain('@Entity()')
    expect(out.code).toContain('@PrimaryGeneratedColumn()')
    expect(out.code).not.toContain('@EntityBackup')
  })

  it('ignores files outside the scan and query suffixes', () => {
    expect(ctx.transform("@EntityBackup() class X {}", '/elsewhere/x.ts')).toBeNull()
    const file = join(fixture('inheritance'), 'src/models/media.ts')
    expect(ctx.transform(readFileSync(file, 'utf8'), `${file}?v=123`)!.code).not.toContain('@EntityBackup')
  })
})
