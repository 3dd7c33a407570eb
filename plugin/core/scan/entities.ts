import type { ResolvedSpec } from '../options.js'
import type { TypeChecked } from './checker.js'
import type { ClassFacts } from './facts.js'
import type { Linker, Target } from './link.js'

/** Why a class is an entity, or why the answer is not known. */
export type EntityVerdict =
  | { entity: true; via: string }
  | { entity: false }
  | { entity: false; computedBase: string }

function matches(target: Target, spec: ResolvedSpec, root: string): boolean {
  const name = target.k === 'external' ? target.name : target.k === 'class' ? target.name : null
  if (name !== spec.name) return false
  if (spec.from === undefined) return true
  if (target.k === 'external') return target.module === spec.from
  // a project file given as `from` ('./src/base.ts' or 'src/base')
  if (target.k === 'class' && (spec.from.startsWith('.') || spec.from.startsWith('/'))) {
    const rel = target.file.startsWith(root) ? target.file.slice(root.length + 1) : target.file
    const want = spec.from.replace(/^\.\//, '').replace(/\.(c|m)?tsx?$/, '')
    return rel.replace(/\.(c|m)?tsx?$/, '') === want
  }
  return false
}

/** Decides which classes are entities, following `extends` chains through imports and re-exports. */
export class EntityDetector {
  private memo = new Map<string, EntityVerdict>()

  constructor(
    private linker: Linker,
    private bases: ResolvedSpec[],
    private decorators: ResolvedSpec[],
    private root: string,
    private checker: TypeChecked | null = null,
    /** Whether reads are being recorded (a named type resolved for other files too): verdicts are then worked
     *  out again, not taken from the memo, so that every file they read is read (and recorded) again. */
    private recording: () => boolean = () => false,
  ) {}

  /** An entity is a concrete class with an entity decorator or an entity base class somewhere up its chain. */
  verdict(file: string, cls: ClassFacts): EntityVerdict {
    if (cls.abstract) return { entity: false }
    return this.lineage(file, cls, new Set())
  }

  private lineage(file: string, cls: ClassFacts, seen: Set<string>): EntityVerdict {
    const key = `${file}#${cls.name}`
    const known = this.memo.get(key)
    if (known && !this.recording()) return known
    if (seen.has(key)) return { entity: false }
    seen.add(key)
    const verdict = this.compute(file, cls, seen)
    this.memo.set(key, verdict)
    return verdict
  }

  private compute(file: string, cls: ClassFacts, seen: Set<string>): EntityVerdict {
    // (no decorator is followed when no entity decorator is configured: the default)
    if (this.decorators.length > 0) for (const dec of cls.decorators) {
      if (!dec.callee) continue
      const target = this.linker.resolvePath(file, dec.callee)
      const spec = this.decorators.find((s) => matches(target, s, this.root))
      if (spec) return { entity: true, via: `@${spec.name}${spec.from ? ` from '${spec.from}'` : ''}` }
    }
    const heritage = cls.heritage
    if (!heritage) return { entity: false }
    if (heritage.k !== 'ref') return this.computed(file, cls, heritage.k === 'unknown' ? heritage.text : '')
    const target = this.linker.resolvePath(file, heritage.path)
    const spec = this.bases.find((s) => matches(target, s, this.root))
    if (spec) return { entity: true, via: `extends ${spec.name}${spec.from ? ` from '${spec.from}'` : ''}` }
    const base = this.linker.classOf(target)
    if (!base) return { entity: false }
    const inherited = this.lineage(base.file, base.cls, seen)
    // entity decorators are not inherited (TypeORM's @Entity on a base does not make subclasses entities)
    return inherited.entity && inherited.via.startsWith('@') ? { entity: false } : inherited
  }

  /** A computed base (`extends mixin(Entity)`) needs the type checker; without one it is reported. */
  private computed(file: string, cls: ClassFacts, text: string): EntityVerdict {
    if (!this.checker) return { entity: false, computedBase: text }
    try {
      return this.checker.isEntity(file, cls.name) ? { entity: true, via: `extends \`${text}\` (type-checked)` } : { entity: false }
    } catch {
      return { entity: false, computedBase: text }
    }
  }
}
