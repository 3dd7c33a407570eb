/**
 * A value that does not fit its field, with the path to it. Thrown by generated serializers and
 * revivers; callers add the row's identity and turn it into a user-facing message.
 */
export class FieldFault extends Error {
  readonly path: Array<string | number> = []
  constructor(readonly expected: string, readonly found: unknown, cause?: unknown) {
    super(`expected ${expected}, found ${describeValue(found)}`, cause === undefined ? undefined : { cause })
    this.name = 'FieldFault'
  }

  /** `tags[2].name`-style path. */
  get where(): string {
    return formatPath(this.path)
  }
}

/** Formats a path as `a.b[2]["odd key"]`. */
export function formatPath(path: ReadonlyArray<string | number | symbol>): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg
    else out += `[${JSON.stringify(String(seg))}]`
  }
  return out || '(the row itself)'
}

/** A short description of a value for error messages: its kind and a clipped preview. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (undefined)'
  if (value === null) return 'null'
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`
  if (typeof value === 'bigint') return `bigint ${value}n`
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`
  if (typeof value === 'object') return `${(value as object).constructor?.name === 'Object' || !(value as object).constructor ? 'an object' : `a ${(value as object).constructor.name}`}`
  return typeof value
}

/** Throws a fault for `found` not being `expected`. */
export function fault(expected: string, found: unknown): never {
  throw new FieldFault(expected, found)
}

/** Adds a path segment to a fault thrown below it (other errors become faults with a cause). */
export function at(error: unknown, segment: string | number): never {
  const f = error instanceof FieldFault ? error : new FieldFault('a storable value', undefined, error)
  f.path.unshift(segment)
  throw f
}
