import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'
import type { EntityDescriptor } from '../../runtime/adapters/data/types.js'
import type { EntityCodec } from '../../runtime/schema/codec.js'
import { loadRegistry, type LoadedRegistry } from '../codec/load.js'

/** The codec fixture's entities as store descriptors, and builders of rows. */
export class ContractEntities {
  readonly sampleEntity: EntityDescriptor
  readonly mediaEntity: EntityDescriptor
  readonly sampleCodec: EntityCodec<any>
  private Sample: new () => any
  private Person: new () => any
  private Media: new () => any

  constructor(readonly loaded: LoadedRegistry) {
    this.sampleCodec = loaded.codecs['src.entities.Sample']!
    this.sampleEntity = descriptorOf(this.sampleCodec)
    this.mediaEntity = descriptorOf(loaded.codecs['src.entities.Media']!)
    this.Sample = loaded.Sample as new () => any
    this.Person = loaded.Person as new () => any
    this.Media = loaded.Media as new () => any
  }

  /** Bundles the codec fixture through the plugin (once per test file). */
  static async load(): Promise<ContractEntities> {
    return new ContractEntities(await loadRegistry('codec', ['./src/entities.ts', './src/types.ts']))
  }

  /** The Sample class (instances are checked against it). */
  get SampleClass(): new () => any {
    return this.Sample
  }

  /** A Sample with every field kind set, awkward values included. */
  fullSample(id: string): any {
    const s = new this.Sample()
    Object.assign(s, {
      id, text: `He said "hi"\n\u2028😀 ' -- ;`, count: -12.5e-7, flag: true, big: -123456789012345678901234567890n,
      when: new Date('2024-02-29T23:59:59.999Z'), status: 'published', priority: 2, kind: 'c', idOrCode: 42,
      tags: ['a', ''], matrix: [[1, 2], [], [3]], pair: ['x', 7], address: { street: 'Main', city: 'Ghent', zip: '9000' },
      category: { name: 'root', children: [{ name: 'leaf', children: [] }] }, price: { amount: 10n ** 20n, currency: 'USD' },
      owner: Object.assign(new this.Person(), { id: 'p1', name: 'Ada', email: 'ada@example.com' }),
      friends: [Object.assign(new this.Person(), { id: 'p2', name: 'Bob', email: null })],
      labels: { b: '1', a: '2' }, dated: { d: new Date(86_400_000) },
      counters: new Map([['x', 1], ['y', 2]]), byDate: new Map([[1, new Date(5)]]), seen: new Set(['q']),
      bytes: new Uint8Array([0, 255, 128]), buffer: Buffer.from('hello'), extra: { nested: [1, 'two', null, true] }, note: 'n',
      deletedAt: new Date(Date.UTC(-271821, 3, 20)),
    })
    Object.defineProperty(s.labels, '__proto__', { value: 'not a prototype', enumerable: true, writable: true, configurable: true })
    s.size.width = 3
    s.size.height = 1.7976931348623157e308
    return s
  }

  /** A Sample with its defaults: optional fields absent, nullable ones null, empty containers. */
  plainSample(id: string): any {
    const s = Object.assign(new this.Sample(), { id })
    // class fields declare optional properties as own `undefined` keys; a stored row leaves them out
    for (const key of Object.keys(s)) if (s[key] === undefined) delete s[key]
    return s
  }

  /** A small Media row. */
  media(id: string, views = 0): any {
    return Object.assign(new this.Media(), { id, title: `title ${id}`, description: 'd', views, rating: 4.5, createdAt: new Date(1_700_000_000_000), dimensions: { width: 1, height: 2 }, tags: ['t'] })
  }

  /** The same row in its stored form (what the restore's direct paths take). */
  storedMedia(id: string, views = 0): Record<string, unknown> {
    return JSON.parse(this.loaded.codecs['src.entities.Media']!.serialize(this.media(id, views))) as Record<string, unknown>
  }
}
