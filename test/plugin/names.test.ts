import { posix } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fullNameOf, relative } from '../../plugin/core/scan/names.js'

describe('project-relative paths', () => {
  it('equal posix.relative for files under the root, beside it, above it and unnormalised', () => {
    const roots = ['/p/app', '/p/app/', '/', '/p/app-2', 'C:/work/app']
    const files = ['/p/app/src/a.ts', '/p/app/a.ts', '/p/app', '/p/app-2/x.ts', '/p/application/x.ts', '/p/x.ts', '/p/app/./src/a.ts',
      '/p/app/src/../b.ts', '/p/app//c.ts', '/p/app/src/.hidden/d.ts', '/p/app/src/v1..2/e.ts', 'C:/work/app/src/f.ts', '/q.ts']
    for (const root of roots) {
      for (const file of files) {
        const want = posix.relative(root.replace(/\/+$/, '') || '/', file)
        expect({ root, file, rel: relative(root, file) }).toEqual({ root, file, rel: want })
      }
    }
  })

  it('backslashes count as separators', () => {
    expect(relative('C:\\work\\app', 'C:\\work\\app\\src\\a.ts')).toBe('src/a.ts')
  })

  it('full names: module path dotted, extension dropped, unsafe characters replaced', () => {
    expect(fullNameOf('src/features/billing/invoice.ts', 'Invoice')).toBe('src.features.billing.invoice.Invoice')
    expect(fullNameOf('src/a b/c.mts', 'C')).toBe('src.a_b.c.C')
  })
})
