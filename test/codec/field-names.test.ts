import { beforeAll, describe, expect, it } from 'vitest'
import type { EntityCodec } from '../../runtime/schema/codec.js'
import { loadRegistry, type LoadedRegistry } from './load.js'

let m: LoadedRegistry
let codec: EntityCodec<any>

beforeAll(async () => {
  m = await loadRegistry('codec-names', ['./src/entities.ts'])
  codec = m.codecs['src.entities.Strange']!
})

describe('field names that are not identifiers, or that Object.prototype has', () => {
  it('round-trip as own data properties of a plain object, never touching a prototype', () => {
    const Strange = m.Strange as new () => any
    const x = new Strange()
    x.id = 's1'
    x['with space'] = 2
    x.odd = { 'a-b': 'dash', '0': 7, constructor: 'c', toString: 't', 'at time': new Date(86_400_000) }
    Object.defineProperty(x.odd, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true })
    const back = codec.deserialize(JSON.parse(codec.serialize(x)), 0)
    expect(back).toBeInstanceOf(Strange)
    expect(back['with space']).toBe(2)
    expect(Object.getPrototypeOf(back.odd)).toBe(Object.prototype)
    expect(Object.keys(back.odd).sort()).toEqual(['0', '__proto__', 'a-b', 'at time', 'constructor', 'toString'])
    expect(Object.getOwnPropertyDescriptor(back.odd, '__proto__')?.value).toBe('p')
    expect(back.odd.constructor).toBe('c')
    expect(back.odd['at time']).toEqual(new Date(86_400_000))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    // without the optional key: absent, and the prototype is Object.prototype
    delete x.odd.__proto__
    const bare = codec.deserialize(JSON.parse(codec.serialize(x)), 0)
    expect(Object.hasOwn(bare.odd, '__proto__')).toBe(false)
    expect(Object.getPrototypeOf(bare.odd)).toBe(Object.prototype)
  })
})
