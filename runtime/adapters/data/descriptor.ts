import type { EntityCodec } from '../../schema/codec.js'
import type { EntityDescriptor } from './types.js'

/**
 * The store-facing description of an entity, from its generated codec: the stored form is the parsed
 * JSON that `serialize` writes (Date → ISO string, bigint → decimal string, Map → entries…), and
 * `fromStored` validates and revives it as an instance of the class.
 */
export function descriptorOf(codec: EntityCodec): EntityDescriptor {
  return {
    fullName: codec.fullName,
    name: codec.name,
    fields: codec.fields,
    toStored: (entity) => JSON.parse(codec.serialize(entity)) as Record<string, unknown>,
    fromStored: (stored, row) => codec.deserialize(stored, row),
  }
}
