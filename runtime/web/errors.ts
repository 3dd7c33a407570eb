import { isBackupError, type BackupErrorCode } from '../errors.js'

/** Codes of the handler's own refusals (the engine's `BackupErrorCode`s pass through unchanged). */
export type HttpErrorCode =
  | 'UNAUTHORIZED' | 'FORBIDDEN_HOST' | 'BAD_HOST' | 'CROSS_SITE' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'BAD_PATH'
  | 'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' | 'BAD_REQUEST' | 'REQUEST_TIMEOUT' | 'INTERNAL'

/** A refusal of the handler: a status, a stable code, a message that says how to fix the request. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: HttpErrorCode | BackupErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
    this.name = 'HttpError'
  }
}

/**
 * HTTP status of each engine error code. Problems of the request are 4xx: unknown names 404,
 * a locked entity 409, a bad value 400; a backup that cannot be used as asked (failed, corrupt,
 * wrong or missing key, conflicting rows) 422; a full disk 507; store and file-system failures 500.
 */
export const STATUS_OF: Record<BackupErrorCode, number> = {
  UNKNOWN_ENTITY: 404,
  NOT_FOUND: 404,
  BUSY: 409,
  BAD_OPTION: 400,
  NOT_RESTORABLE: 422,
  CORRUPT: 422,
  WRONG_KEY: 422,
  MISSING_KEY: 422,
  BAD_KEY: 422,
  DATA_CONFLICT: 422,
  ROW_INVALID: 422,
  ROW_UNSERIALIZABLE: 422,
  STORE_FAILED: 500,
  IO_FAILED: 500,
}

/** Turns anything thrown into an `HttpError`; unexpected errors become a generic 500 (their text may hold paths). */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error
  if (isBackupError(error)) {
    // a set operation's error wraps the first entity's error as its cause
    const errno = error.details.errno ?? ((error.cause as { details?: { errno?: unknown } } | undefined)?.details?.errno)
    const status = error.code === 'IO_FAILED' && errno === 'ENOSPC' ? 507 : STATUS_OF[error.code] ?? 500
    return new HttpError(status, error.code, error.message)
  }
  return new HttpError(500, 'INTERNAL', '[koan-backup] the backup handler failed unexpectedly; the server log has the details')
}
