import { describe, expect, it } from 'vitest'
import { resolveCoverage, type EffectiveScope } from '../../plugin/core/coverage.js'

const deco = { kind: 'decorator' as const, file: 'a.ts', line: 1, column: 1 }
const scopeFile = { kind: 'scope' as const, file: 'backup.scope.ts', line: 1, column: 16 }
const all: EffectiveScope = { mode: 'all', encryptByDefault: false, source: scopeFile }
const allEncrypted: EffectiveScope = { mode: 'all', encryptByDefault: true, source: scopeFile }
const none: EffectiveScope = { mode: 'none', encryptByDefault: false, source: { kind: 'option' } }
const noneEncrypted: EffectiveScope = { mode: 'none', encryptByDefault: true, source: scopeFile }

describe('resolveCoverage (the spec rules)', () => {
  it('explicit decorator beats the scope', () => {
    expect(resolveCoverage({ kind: 'declared', options: {}, source: deco }, none)).toEqual({ status: 'included', policy: { encrypt: false, includeSchema: true }, source: deco })
  })
  it('enabled: false excludes, with its reason, whatever the scope', () => {
    for (const scope of [all, none]) {
      expect(resolveCoverage({ kind: 'declared', options: { enabled: false, reason: 'derived', encrypt: true }, source: deco }, scope))
        .toEqual({ status: 'excluded', policy: null, reason: 'derived', source: deco })
    }
  })
  it('no decorator under mode all: included, source is the scope', () => {
    expect(resolveCoverage({ kind: 'absent' }, all)).toEqual({ status: 'included', policy: { encrypt: false, includeSchema: true }, source: scopeFile })
  })
  it('no decorator under mode none (file or option): uncovered', () => {
    expect(resolveCoverage({ kind: 'absent' }, none)).toEqual({ status: 'uncovered', policy: null, scopeMode: 'none', source: { kind: 'option' } })
    expect(resolveCoverage({ kind: 'absent' }, noneEncrypted).status).toBe('uncovered')
  })
  it('encryptByDefault is inherited by scope-included and decorated entities; encrypt: false overrides', () => {
    expect(resolveCoverage({ kind: 'absent' }, allEncrypted).policy).toEqual({ encrypt: true, includeSchema: true })
    expect(resolveCoverage({ kind: 'declared', options: { includeSchema: false }, source: deco }, noneEncrypted).policy).toEqual({ encrypt: true, includeSchema: false })
    expect(resolveCoverage({ kind: 'declared', options: { encrypt: false }, source: deco }, allEncrypted).policy).toEqual({ encrypt: false, includeSchema: true })
  })
  it('an unreadable declaration is never treated as a default', () => {
    expect(resolveCoverage({ kind: 'unreadable' }, allEncrypted)).toEqual({ status: 'unreadable', policy: null, source: { kind: 'none' } })
  })
})
