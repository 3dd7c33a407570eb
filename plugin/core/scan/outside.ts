import { existsSync, readFileSync } from 'node:fs'
import type { ResolvedOptions } from '../options.js'
import { EntityDetector } from './entities.js'
import type { FileFacts } from './facts.js'
import { Linker, type Target } from './link.js'
import { parseFacts } from './parse.js'
import { isScannable, type ModuleResolver } from './project.js'

/** An entity class in a TypeScript file the scan does not read, which a project class extends. */
export interface OutsideEntity {
  /** The file, absolute with forward slashes. */
  file: string
  name: string
  /** Why it is an entity (`extends Entity from 'koan-backup'`). */
  via: string
}

/** A TypeScript source file on disk that is not a declaration file and not in a package. */
function isSourceOnDisk(file: string): boolean {
  return isScannable(file) && !file.includes('/node_modules/') && existsSync(file)
}

/**
 * Looks at classes in TypeScript files outside the scanned ones (the files the tsconfig lists) when a project
 * class extends one through a relative import (`import { Shared } from '../shared/models'`): the project's own
 * linker sees such a base as external, so without this a subclass of an entity there would be reported as no
 * entity at all. The files are read and parsed on demand, once per link, and are not part of the scan: they are
 * neither listed nor watched, so what is found here is reported, not taken.
 */
export class OutsideClasses {
  private parsed = new Map<string, FileFacts | null>()
  private resolver: ModuleResolver
  private linker: Linker
  private detector: EntityDetector

  constructor(private projectFacts: (file: string) => FileFacts | undefined, private isProjectFile: (file: string) => boolean, resolver: ModuleResolver, options: ResolvedOptions) {
    const facts = (f: string) => (this.isProjectFile(f) ? this.projectFacts(f) : this.read(f))
    this.resolver = resolver.withProjectFiles((f) => this.isProjectFile(f) || isSourceOnDisk(f))
    this.linker = new Linker(facts, this.resolver)
    this.detector = new EntityDetector(this.linker, options.entityBases, options.entityDecorators, options.root)
  }

  /** The entity class an external target names in a file outside the scan, or `null` (not such a file, or no entity). */
  entity(target: Target): OutsideEntity | null {
    if (target.k !== 'external' || !target.module.startsWith('.')) return null
    const file = this.resolver.resolve(target.module, target.from)
    if (file === null || this.isProjectFile(file)) return null
    const found = this.linker.classOf(this.linker.resolveExport(file, target.name, 0))
    if (!found) return null
    const verdict = this.detector.verdict(found.file, found.cls)
    return verdict.entity ? { file: found.file, name: found.cls.name, via: verdict.via } : null
  }

  private read(file: string): FileFacts | undefined {
    let facts = this.parsed.get(file)
    if (facts === undefined) {
      try {
        facts = parseFacts(file, readFileSync(file, 'utf8'))
      } catch {
        facts = null
      }
      this.parsed.set(file, facts)
    }
    return facts ?? undefined
  }
}
