/** Types of `projects.mjs` (the synthetic projects of the scan benchmark), for the tests that read them. */

export interface PlannedEntity {
  cls: string
  file: string
  decorator: string | null
  base: 'folder' | 'shared' | 'entity'
  helperClass: boolean
  usesHelpers: boolean
}

export interface PlannedFolder {
  name: string
  scoped: boolean
  encryptByDefault: boolean
  entities: PlannedEntity[]
}

/** Describes a project of `n` entity files (deterministic). */
export function plan(n: number): PlannedFolder[]
/** The text of one entity file. */
export function entitySource(folder: PlannedFolder, e: PlannedEntity): string
/** Every file of a project of `n` entity files, as project-relative paths and texts (deterministic). */
export function projectFiles(n: number): Array<{ rel: string; text: string }>
/** How many entities, scopes, folders and files a plan makes. */
export function countFiles(folders: PlannedFolder[]): { entities: number; scopes: number; folders: number; files: number }
