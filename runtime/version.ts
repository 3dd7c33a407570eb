/** Name and version recorded in generated code and backups. */
export const TOOL = 'koan-backup@0.1.0'
