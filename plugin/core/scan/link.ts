import { own, type ClassFacts, type FileFacts } from './facts.js'
import type { ModuleResolver } from './project.js'

/** What a name in a file refers to, followed through imports and re-exports. */
export type Target =
  | { k: 'class'; file: string; name: string }
  | { k: 'const'; file: string; name: string; member: string[] }
  | { k: 'enum'; file: string; name: string; member: string[] }
  | { k: 'type'; file: string; name: string }
  | { k: 'namespace'; file: string }
  | { k: 'external'; module: string; name: string }
  | { k: 'missing'; name: string }

const MAX_DEPTH = 64

/** Follows names across the project's files using their facts alone (no type checker). */
export class Linker {
  constructor(private facts: (file: string) => FileFacts | undefined, private resolver: ModuleResolver) {}

  /** Resolves a dotted name (`['kb', 'Entity']`) used in `file`. */
  resolvePath(file: string, path: string[]): Target {
    let target = this.resolveLocal(file, path[0]!, 0)
    for (let i = 1; i < path.length; i++) target = this.member(target, path[i]!)
    return target
  }

  /**
   * The class a target names: a class declaration, or a class expression bound by a top-level `const`
   * (`FileFacts.otherClasses`), which a class can extend like any other; `null` for anything else.
   */
  classOf(target: Target): { file: string; cls: ClassFacts } | null {
    if (target.k === 'class') {
      const cls = own(this.facts(target.file)?.classes ?? {}, target.name)
      return cls ? { file: target.file, cls } : null
    }
    if (target.k !== 'const' || target.member.length > 0) return null
    const cls = this.facts(target.file)?.otherClasses.find((c) => c.kind === 'expression' && c.name === target.name)
    return cls ? { file: target.file, cls } : null
  }

  private member(target: Target, segment: string): Target {
    switch (target.k) {
      case 'namespace': return this.resolveExport(target.file, segment, 0)
      case 'external': return { k: 'external', module: target.module, name: target.name === '*' ? segment : `${target.name}.${segment}` }
      case 'const': case 'enum': return { ...target, member: [...target.member, segment] }
      default: return { k: 'missing', name: segment }
    }
  }

  private resolveLocal(file: string, name: string, depth: number): Target {
    const facts = this.facts(file)
    if (!facts || depth > MAX_DEPTH) return { k: 'missing', name }
    if (own(facts.classes, name)) return { k: 'class', file, name }
    if (own(facts.consts, name)) return { k: 'const', file, name, member: [] }
    if (own(facts.enums, name)) return { k: 'enum', file, name, member: [] }
    if (own(facts.types, name)) return { k: 'type', file, name }
    const binding = own(facts.imports, name)
    if (!binding) return { k: 'missing', name }
    return this.resolveFrom(file, binding.module, binding.imported, depth + 1)
  }

  private resolveFrom(file: string, module: string, imported: string, depth: number): Target {
    const target = this.resolver.resolve(module, file)
    if (target === null) return { k: 'external', module, name: imported }
    if (imported === '*') return { k: 'namespace', file: target }
    return this.resolveExport(target, imported, depth)
  }

  /** Resolves the export `name` of a project file. */
  resolveExport(file: string, name: string, depth: number): Target {
    const facts = this.facts(file)
    if (!facts || depth > MAX_DEPTH) return { k: 'missing', name }
    const local = own(facts.localExports, name)
    if (local !== undefined) return this.resolveLocal(file, local, depth + 1)
    const re = facts.reExports.find((r) => r.exported === name)
    if (re) return this.resolveFrom(file, re.module, re.imported, depth + 1)
    if (name === 'default') return { k: 'missing', name }
    const externals: string[] = []
    for (const module of facts.starExports) {
      const target = this.resolver.resolve(module, file)
      if (target === null) { externals.push(module); continue }
      const found = this.resolveExport(target, name, depth + 1)
      if (found.k !== 'missing') return found
    }
    // `export * from 'pkg'`: the name can only come from there when exactly one external module is re-exported
    if (externals.length === 1) return { k: 'external', module: externals[0]!, name }
    return { k: 'missing', name }
  }
}
