import { BackupError, isBackupError } from '../../errors.js'

/** A quoted SQL identifier (`"a""b"`), safe for any name without U+0000 (which no SQL identifier can hold). */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new BackupError('BAD_OPTION', `the name ${JSON.stringify(name)} contains U+0000, which no SQL identifier can hold; choose another table name (option \`tableName\`)`)
  return `"${name.replace(/"/g, '""')}"`
}

/** Where a store operation happened, for error messages. */
export interface StoreSite {
  /** Adapter name (`sqlite`, `postgres`). */
  store: string
  /** Entity full name. */
  entity: string
  /** The table, as named in SQL. */
  table: string
}

/** A driver error as a `STORE_FAILED` BackupError naming the entity, table and operation (BackupErrors pass through). */
export function storeFailure(site: StoreSite, operation: string, error: unknown): BackupError {
  if (isBackupError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown } | null)?.code
  return new BackupError('STORE_FAILED', `${site.entity}: ${operation} on ${site.store} table ${site.table} failed: ${message}${typeof code === 'string' ? ` (${code})` : ''}`, { entity: site.entity, table: site.table, operation, ...(typeof code === 'string' ? { driverCode: code } : {}) }, { cause: error })
}

/** The error of any use of a closed store. */
export function closedStore(store: string): BackupError {
  return new BackupError('STORE_FAILED', `the ${store} store is closed; create a new one (${store}Store(…)) to use it again`, { store })
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}
