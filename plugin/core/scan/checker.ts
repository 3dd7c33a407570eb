import { loadMorph, Project, ts, type Type } from './morph.js'
import type { ResolvedSpec } from '../options.js'

const PROBE_FILE = '__koan_backup_probe__.ts'
const MAX_DEPTH = 16

/** What the scan asks of the type checker. */
export interface TypeChecked {
  isEntity(file: string, className: string): boolean
  program(): Project
}

/**
 * The type-checked answer for the few classes whose base is computed (`extends mixin(Entity)`),
 * which syntax alone cannot follow. The program is built lazily, only when such a class exists,
 * so ordinary scans never pay for type checking.
 */
export class CheckerFallback implements TypeChecked {
  private project: Project | null = null
  private targets: ts.Symbol[] = []

  constructor(
    private compilerOptions: ts.CompilerOptions,
    private files: () => string[],
    private bases: ResolvedSpec[],
  ) {}

  /** The type-checked program (built on first use). */
  program(): Project {
    return this.load()
  }

  private load(): Project {
    if (this.project) return this.project
    loadMorph()
    const project = new Project({ compilerOptions: { ...this.compilerOptions, noEmit: true }, skipAddingFilesFromTsConfig: true })
    project.addSourceFilesAtPaths(this.files())
    // a probe file imports each configured base, so the checker can tell us which symbol it is
    const specs = this.bases.filter((b) => b.from !== undefined)
    const probe = specs.map((b, i) => `import { ${b.name} as __kb${i} } from ${JSON.stringify(b.from)}\nexport { __kb${i} }`).join('\n')
    const first = this.files()[0]
    const dir = first ? first.slice(0, first.lastIndexOf('/')) : process.cwd()
    const sf = project.createSourceFile(`${dir}/${PROBE_FILE}`, probe, { overwrite: true })
    const checker = project.getTypeChecker().compilerObject
    this.targets = sf.getImportDeclarations().flatMap((d) => d.getNamedImports()).flatMap((n) => {
      const sym = checker.getSymbolAtLocation(n.getAliasNode()?.compilerNode ?? n.getNameNode().compilerNode)
      if (!sym) return []
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym
      return target.flags & ts.SymbolFlags.Class ? [target] : []
    })
    this.project = project
    return project
  }

  /** Whether the class derives from a configured entity base, per the type checker. */
  isEntity(file: string, className: string): boolean {
    const project = this.load()
    const cls = project.getSourceFile(file)?.getClass(className)
    if (!cls || this.targets.length === 0) return false
    return cls.getType().getBaseTypes().some((t) => this.derives(t, 0))
  }

  private derives(type: Type, depth: number): boolean {
    if (depth > MAX_DEPTH) return false
    const symbol = type.getSymbol()?.compilerSymbol
    if (symbol && this.targets.includes(symbol)) return true
    if (type.isIntersection()) return type.getIntersectionTypes().some((t) => this.derives(t, depth + 1))
    return type.getBaseTypes().some((t) => this.derives(t, depth + 1))
  }

  /** Re-reads a changed file in the checked program, if it was built. */
  invalidate(file: string): void {
    const sf = this.project?.getSourceFile(file)
    if (sf) sf.refreshFromFileSystemSync()
    else if (this.project) this.project = null
  }
}
