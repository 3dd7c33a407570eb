import { descriptorOf } from '../adapters/data/descriptor.js'
import type { Collection, DataStore } from '../adapters/data/types.js'
import type { VectorCollection, VectorCollectionOptions, VectorStore } from '../adapters/vector/types.js'
import { BackupError } from '../errors.js'
import { CanonicalModels } from '../schema/canonical.js'
import type { EntityCodec } from '../schema/codec.js'
import type { BackupRegistry, RegistryEntity } from '../types.js'
import type { EntityHandle } from './context.js'

/** Builds the handles of the included entities; looks them up by name, full name or class. */
export class EntityHandles {
  private byFullName = new Map<string, EntityHandle>()
  private byName = new Map<string, EntityHandle[]>()
  private byClass = new Map<unknown, EntityHandle>()

  constructor(registry: BackupRegistry, codecs: Record<string, EntityCodec>, classes: Record<string, unknown>, store: () => DataStore, vectors: () => VectorStore | null) {
    this.vectors = vectors
    const models = new CanonicalModels(registry.shapes)
    for (const entity of registry.entities) {
      const codec = codecs[entity.fullName]
      if (entity.status !== 'included' || !codec || !entity.shape) continue
      let collection: Promise<Collection> | null = null
      const handle: EntityHandle = {
        entity, codec, model: models.fields(entity.shape),
        collection: () => (collection ??= Promise.resolve(store().collection(descriptorOf(codec)))),
        vectorCollection: (options) => this.vectorsOf(handle, options),
      }
      this.byFullName.set(entity.fullName, handle)
      this.byName.set(entity.name, [...(this.byName.get(entity.name) ?? []), handle])
      const cls = classes[entity.fullName]
      if (cls) this.byClass.set(cls, handle)
    }
  }

  private vectors: () => VectorStore | null
  private vectorCollections = new Map<string, Promise<VectorCollection>>()

  private vectorsOf(h: EntityHandle, options?: VectorCollectionOptions): Promise<VectorCollection | null> {
    const store = this.vectors()
    if (!store || !h.entity.embedding) return Promise.resolve(null)
    const known = this.vectorCollections.get(h.entity.fullName)
    if (known && !options) return known
    const made = store.collection({ fullName: h.entity.fullName, name: h.entity.name }, options)
    this.vectorCollections.set(h.entity.fullName, made)
    return made
  }

  /** Every included entity, by full name. */
  all(): EntityHandle[] {
    return [...this.byFullName.values()]
  }

  /** Forgets store collections (after the data store changed). */
  reset(store: () => DataStore): void {
    this.vectorCollections.clear()
    for (const h of this.byFullName.values()) {
      let collection: Promise<Collection> | null = null
      h.collection = () => (collection ??= Promise.resolve(store().collection(descriptorOf(h.codec))))
    }
  }

  /** An entity by class name, full name or class; refuses unknown and not-included entities. */
  get(ref: unknown, registryEntities: RegistryEntity[]): EntityHandle {
    const h = typeof ref === 'string'
      ? this.byFullName.get(ref) ?? (this.byName.get(ref)?.length === 1 ? this.byName.get(ref)![0] : undefined)
      : this.byClass.get(ref)
    if (h) return h
    const label = typeof ref === 'string' ? ref : (ref as { name?: string })?.name ?? String(ref)
    const known = typeof ref === 'string' ? registryEntities.find((e) => e.fullName === ref || e.name === ref) : undefined
    if (typeof ref === 'string' && (this.byName.get(ref)?.length ?? 0) > 1) {
      throw new BackupError('UNKNOWN_ENTITY', `${ref} names several entities (${this.byName.get(ref)!.map((x) => x.entity.fullName).join(', ')}); use the full name`, { entity: ref })
    }
    if (known) throw new BackupError('UNKNOWN_ENTITY', `${label} is ${known.status}, not included in backups${known.reason ? ` (${known.reason})` : ''}`, { entity: label, status: known.status })
    throw new BackupError('UNKNOWN_ENTITY', `${label} is not an entity of this build's registry; included entities: ${this.all().map((x) => x.entity.name).join(', ') || 'none'}`, { entity: label })
  }
}
