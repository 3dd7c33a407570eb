/** Codes of every engine error, stable for programs that handle them. */
export type BackupErrorCode =
  /** A stored row does not fit the entity's schema. */
  | 'ROW_INVALID'
  /** An entity value cannot be written (NaN, wrong type, missing required field). */
  | 'ROW_UNSERIALIZABLE'
  /** An entity name or class that the registry does not know. */
  | 'UNKNOWN_ENTITY'
  /** No backup at that timestamp (or no Completed backup for `latest`). */
  | 'NOT_FOUND'
  /** Another backup, restore or delete of the entity is running. */
  | 'BUSY'
  /** A backup that is Failed, incomplete, of an unknown format or of another entity. */
  | 'NOT_RESTORABLE'
  /** A file's size, checksum, structure or authentication tag does not match. */
  | 'CORRUPT'
  /** The key given cannot open the backup (the key check failed before any data was read). */
  | 'WRONG_KEY'
  /** Encryption is required but no key is configured, or the backup's key id is unknown. */
  | 'MISSING_KEY'
  /** Key or KDF parameters outside the accepted limits. */
  | 'BAD_KEY'
  /** Duplicate ids, count mismatches, schema drift that the current schema refuses. */
  | 'DATA_CONFLICT'
  /** The data store failed (read, write, transaction). */
  | 'STORE_FAILED'
  /** The file system failed (ENOSPC, EIO, EACCES…): `details.errno` holds the code. */
  | 'IO_FAILED'
  /** A configuration or option value is invalid. */
  | 'BAD_OPTION'

/** The one error class of the runtime: what, where and how to fix, with a stable `code`. */
export class BackupError extends Error {
  constructor(readonly code: BackupErrorCode, message: string, readonly details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message.startsWith('[koan-backup]') ? message : `[koan-backup] ${message}`, options)
    this.name = 'BackupError'
  }
}

/** True for a BackupError (also one from another copy of the runtime, e.g. inside a bundle). */
export function isBackupError(error: unknown, code?: BackupErrorCode): error is BackupError {
  return error instanceof Error && error.name === 'BackupError' && (code === undefined || (error as BackupError).code === code)
}
