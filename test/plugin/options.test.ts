import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultOptions, parseSpec, resolveOptions } from '../../plugin/core/options.js'

describe('resolveOptions', () => {
  it('applies every default', () => {
    const o = resolveOptions({}, '/proj')
    expect(o).toEqual({
      root: '/proj', tsconfig: '/proj/tsconfig.json', scope: { mode: 'none', encryptByDefault: false }, strict: false,
      entityBases: [{ name: 'Entity', from: 'koan-backup' }], entityDecorators: [], dts: '/proj/koan-backup.d.ts', report: true, logger: null,
      cache: '/proj/node_modules/.cache/koan-backup/facts.json', config: null,
    })
    expect(defaultOptions.scope.mode).toBe('none')
  })
  it('root option beats the bundler root; relative paths resolve against root', () => {
    const o = resolveOptions({ root: 'app', tsconfig: 'tsconfig.app.json', dts: 'types/kb.d.ts' }, '/ignored')
    expect(o.root).toBe(resolve('app'))
    expect(o.tsconfig).toBe(resolve('app', 'tsconfig.app.json'))
    expect(o.dts).toBe(resolve('app', 'types/kb.d.ts'))
  })
  it('false disables tsconfig and dts', () => {
    const o = resolveOptions({ tsconfig: false, dts: false }, '/p')
    expect(o.tsconfig).toBeNull()
    expect(o.dts).toBeNull()
  })
  it('parses symbol specs in every form', () => {
    expect(parseSpec('Entity', 'x')).toEqual({ name: 'Entity' })
    expect(parseSpec('Entity@typeorm', 'x')).toEqual({ name: 'Entity', from: 'typeorm' })
    expect(parseSpec('BaseEntity@@mikro-orm/core', 'x')).toEqual({ name: 'BaseEntity', from: '@mikro-orm/core' })
    expect(parseSpec({ name: 'Model', from: './src/base.ts' }, 'x')).toEqual({ name: 'Model', from: './src/base.ts' })
  })
  it.each([
    [{ scope: { mode: 'some' } }, "option `scope`: `mode` must be 'all' or 'none', got \"some\""],
    [{ strict: 'yes' }, 'option `strict`: expected true or false, got "yes"'],
    [{ entityDecorators: 'Entity' }, 'option `entityDecorators`: expected an array'],
    [{ entityBases: [{ name: 'not valid' }] }, 'option `entityBases`: expected'],
    [{ entityBases: [{ name: 'X', from: '' }] }, 'option `entityBases`: `from` of X must be a module name'],
    [{ tsconfig: 3 }, 'option `tsconfig`: expected a path or false'],
    [{ dts: 1 }, 'option `dts`: expected a path or a boolean'],
    [{ logger: {} }, 'option `logger`: expected an object with info() and warn()'],
    [{ cache: 0 }, 'option `cache`: expected a path or a boolean'],
    [{ scope: { mode: 'all', encryptByDefault: 'no' } }, 'option `scope.encryptByDefault`: expected true or false'],
  ])('refuses %j with a clear message', (options, message) => {
    expect(() => resolveOptions(options as never, '/p')).toThrow(`[koan-backup] ${message}`)
  })
})
