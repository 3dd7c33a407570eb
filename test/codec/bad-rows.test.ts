import { beforeAll, describe, expect, it } from 'vitest'
import type { BackupError } from '../../runtime/errors.js'
import type { EntityCodec } from '../../runtime/schema/codec.js'
import { loadRegistry, type LoadedRegistry } from './load.js'

let m: LoadedRegistry
let media: EntityCodec<any>
let sample: EntityCodec<any>

const good = () => ({
  id: 'm1', title: 'Koan', description: 'd', views: 3, rating: 4.5, createdAt: '2025-10-02T15:30:45.000Z',
  dimensions: { width: 640, height: 480 }, tags: ['a'],
})

beforeAll(async () => {
  m = await loadRegistry('codec', ['./src/entities.ts'])
  media = m.codecs['src.entities.Media']!
  sample = m.codecs['src.entities.Sample']!
})

function refusal(codec: EntityCodec<any>, row: unknown, index = 7): BackupError {
  try {
    codec.deserialize(row, index)
  } catch (error) {
    // the bundle carries its own copy of the runtime, so compare by name rather than by class
    expect((error as Error).name).toBe('BackupError')
    return error as BackupError
  }
  throw new Error('the row was accepted')
}

describe('bad rows are refused with the row, the id, the field path, expected and found', () => {
  it('accepts the good row', () => {
    expect(media.deserialize(good(), 0)).toBeInstanceOf(m.Media as never)
  })

  it.each([
    ['wrong type', { ...good(), views: 'many' }, 'src.entities.Media row 7 (id "m1"): field views: expected number, found string "many"'],
    ['wrong nested type', { ...good(), dimensions: { width: '640', height: 480 } }, 'field dimensions.width: expected number, found string "640"'],
    ['wrong array element', { ...good(), tags: ['a', 2] }, 'field tags[1]: expected string, found number 2'],
    ['missing required field', (({ title, ...rest }) => rest)(good()), 'field title: expected string, found nothing (undefined)'],
    ['extra __proto__ key', JSON.parse(`{"id":"m1","title":"t","description":"d","views":1,"rating":1,"createdAt":"2025-10-02T15:30:45.000Z","dimensions":{"width":1,"height":1},"tags":[],"__proto__":{"polluted":true}}`), 'expected no other keys (unknown: "__proto__")'],
    ['extra constructor key', { ...good(), constructor: { prototype: { polluted: true } } }, 'expected no other keys (unknown: "constructor")'],
    ['nested extra key', { ...good(), dimensions: { width: 1, height: 1, depth: 2 } }, 'field dimensions: expected no other keys (unknown: "depth")'],
    ['invalid date string', { ...good(), createdAt: 'yesterday' }, 'field createdAt: expected a datetime string, found string "yesterday"'],
    ['impossible calendar date', { ...good(), createdAt: '2025-02-30T10:00:00.000Z' }, 'field createdAt: expected a datetime string, found string "2025-02-30T10:00:00.000Z"'],
    ['not an object', ['m1'], 'src.entities.Media row 7: field (the row itself): expected object, found an array of 1'],
    ['null row', null, 'field (the row itself): expected object, found null'],
  ])('%s', (_name, row, message) => {
    const error = refusal(media, row)
    expect(error.code).toBe('ROW_INVALID')
    expect(error.message).toContain(message)
  })

  it('bigint out of format', () => {
    const row = JSON.parse(sample.serialize(new (m.Sample as new () => object)()))
    for (const bad of ['1.5', '1e3', '0x10', ' 1', '01', '']) {
      const error = refusal(sample, { ...row, big: bad })
      expect(error.message).toContain('field big: expected a bigint as a decimal string')
    }
    expect(refusal(sample, { ...row, big: 5 }).message).toContain('field big: expected string, found number 5')
  })

  it('details carry the same facts for programs', () => {
    const error = refusal(media, { ...good(), tags: ['a', 2] })
    expect(error.details).toMatchObject({ entity: 'src.entities.Media', row: 7, path: 'tags[1]', expected: 'string', found: 'number 2' })
  })
})

describe('no prototype pollution', () => {
  it('rows with __proto__ and constructor keys never change Object.prototype or the entity prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort()
    const probe: Record<string, unknown> = {}
    const row = JSON.parse(sample.serialize(new (m.Sample as new () => object)()))
    row.labels = JSON.parse('{"__proto__":"x","constructor":"y","ok":"z"}')
    const back = sample.deserialize(row) as Record<string, any>
    expect(Object.getPrototypeOf(back.labels)).toBe(Object.prototype)
    expect(Object.keys(back.labels)).toEqual(['__proto__', 'constructor', 'ok'])
    expect(back.labels.ok).toBe('z')
    for (const attack of ['{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}']) {
      expect(() => media.deserialize(Object.assign(good(), JSON.parse(attack)))).toThrow(/no other keys/)
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before)
    expect(probe.polluted).toBeUndefined()
    expect((m.Media as { prototype: Record<string, unknown> }).prototype.polluted).toBeUndefined()
  })
})

describe('non-canonical but valid stored values', () => {
  it('a date with an offset, written by hand, is accepted by zod and revived by the general reviver', () => {
    const row = { ...good(), createdAt: '2025-10-02T17:30:45+02:00' }
    expect(media.check(row)).toBe(false)
    const back = media.deserialize(row, 0) as { createdAt: Date }
    expect(back).toBeInstanceOf(m.Media as never)
    expect(back.createdAt.toISOString()).toBe('2025-10-02T15:30:45.000Z')
  })
  it('canonical extended years round-trip on the fast path', () => {
    for (const iso of ['+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z', '2024-02-29T12:00:00.000Z']) {
      const row = { ...good(), createdAt: iso }
      expect(media.check(row), iso).toBe(true)
      expect((media.deserialize(row) as { createdAt: Date }).createdAt.toISOString()).toBe(iso)
    }
    for (const bad of ['2023-02-29T12:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-01-01T24:00:00.000Z', '2024-01-01T00:60:00.000Z']) {
      expect(media.check({ ...good(), createdAt: bad }), bad).toBe(false)
    }
  })
})
