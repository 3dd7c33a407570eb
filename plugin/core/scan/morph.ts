import { createRequire } from 'node:module'
import type * as Morph from 'ts-morph'
import type { ts as T } from 'ts-morph'

/**
 * TypeScript's API (the TypeScript 6 that ts-morph bundles) and ts-morph, loaded on first use with
 * `require`: a build whose files and results are all cached never pays for them (and an ESM `import` of
 * these CommonJS packages would add 0.1 s of export scanning). The scanner takes TypeScript's API from
 * here, never from 'ts-morph': every entry point that lists or resolves calls `loadTypeScript()` first,
 * and the type checker `loadMorph()`; the bindings below are live once they have run.
 *
 * `loadTypeScript()` loads the TypeScript file that ts-morph itself requires (the same module, so the
 * two share it), without ts-morph's own code: about 0.06 s less for a build that lists a project or
 * resolves imports but needs no type checker.
 */
export let ts: typeof T = undefined as never
export let Project: typeof Morph.Project = undefined as never
export let Node: typeof Morph.Node = undefined as never

const requireHere = createRequire(import.meta.url)

/** Loads TypeScript's API once; returns it. */
export function loadTypeScript(): typeof T {
  if (ts === undefined) {
    try {
      // the file ts-morph's common package requires as './typescript'
      const common = createRequire(requireHere.resolve('ts-morph')).resolve('@ts-morph/common')
      ts = createRequire(common)('./typescript.js') as typeof T
    } catch {
      loadMorph()
    }
  }
  return ts
}

/** Loads ts-morph once (for the type checker). */
export function loadMorph(): void {
  if (Project !== undefined) return
  const morph = requireHere('ts-morph') as typeof Morph
  Project = morph.Project
  Node = morph.Node
  // ts-morph hands out a namespace copy of the same module: keep the one already in use
  ts ??= morph.ts
}

/** Whether TypeScript was loaded in this process (for tests and benchmarks). */
export function typeScriptLoaded(): boolean {
  return ts !== undefined
}
/** The TypeScript types the scanner names (`ts.SourceFile`, …), next to the `ts` value. */
export declare namespace ts {
  export type BindingName = T.BindingName
  export type ClassDeclaration = T.ClassDeclaration
  export type ClassLikeDeclaration = T.ClassLikeDeclaration
  export type ModuleDeclaration = T.ModuleDeclaration
  export type CompilerOptions = T.CompilerOptions
  export type Decorator = T.Decorator
  export type Diagnostic = T.Diagnostic
  export type DiagnosticCategory = T.DiagnosticCategory
  export type DiagnosticWithLocation = T.DiagnosticWithLocation
  export type EntityName = T.EntityName
  export type EnumDeclaration = T.EnumDeclaration
  export type ExportDeclaration = T.ExportDeclaration
  export type Expression = T.Expression
  export type ImportClause = T.ImportClause
  export type ImportDeclaration = T.ImportDeclaration
  export type JSDocParsingMode = T.JSDocParsingMode
  export type ModuleKind = T.ModuleKind
  export type ModuleResolutionCache = T.ModuleResolutionCache
  export type ModuleResolutionKind = T.ModuleResolutionKind
  export type Node = T.Node
  export type NodeArray<N extends T.Node> = T.NodeArray<N>
  export type NodeFlags = T.NodeFlags
  export type ObjectLiteralExpression = T.ObjectLiteralExpression
  export type ParseConfigFileHost = T.ParseConfigFileHost
  export type PropertyName = T.PropertyName
  export type PropertySignature = T.PropertySignature
  export type ScriptKind = T.ScriptKind
  export type ScriptTarget = T.ScriptTarget
  export type SourceFile = T.SourceFile
  export type Statement = T.Statement
  export type Symbol = T.Symbol
  export type SymbolFlags = T.SymbolFlags
  export type SyntaxKind = T.SyntaxKind
  export type TypeFlags = T.TypeFlags
  export type TypeNode = T.TypeNode
  export type TypeParameterDeclaration = T.TypeParameterDeclaration
  export type VariableStatement = T.VariableStatement
}
export type Project = Morph.Project
export type Type = Morph.Type
