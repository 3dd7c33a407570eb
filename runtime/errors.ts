/** Codes of every engine error, stable for programs that handle them. */
export type BackupErrorCode =
  | 'ROW_INVALID'
  | 'ROW_UNSERIALIZABLE'
  | 'UNKNOWN_ENTITY'

/** The one error class of the runtime: what, where and how to fix, with a stable `code`. */
export class BackupError extends Error {
  constructor(readonly code: BackupErrorCode, message: string, readonly details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message.startsWith('[koan-backup]') ? message : `[koan-backup] ${message}`, options)
    this.name = 'BackupError'
  }
}
