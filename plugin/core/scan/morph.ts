import { createRequire } from 'node:module'
import type * as Morph from 'ts-morph'
import type { ts as T } from 'ts-morph'

/**
 * ts-morph (and the TypeScript 6 API it bundles), loaded on first use with `require`: loading it
 * costs about a quarter of a second, which a build whose files and results are all cached never
 * pays (and an ESM `import` of this CommonJS package would add 0.1 s of export scanning). The
 * scanner takes TypeScript's API from here, never from 'ts-morph': every entry point that parses,
 * lists or resolves calls `loadTypeScript()` first; the bindings below are live once it has run.
 */
export let ts: typeof T = undefined as never
export let Project: typeof Morph.Project = undefined as never
export let Node: typeof Morph.Node = undefined as never

/** Loads ts-morph once; returns TypeScript's API. */
export function loadTypeScript(): typeof T {
  if (!typeScriptLoaded()) {
    const morph = createRequire(import.meta.url)('ts-morph') as typeof Morph
    Project = morph.Project
    Node = morph.Node
    ts = morph.ts
  }
  return ts
}

/** Whether ts-morph was loaded in this process (for tests and benchmarks). */
export function typeScriptLoaded(): boolean {
  return ts !== undefined
}
/** The TypeScript types the scanner names (`ts.SourceFile`, …), next to the `ts` value. */
export declare namespace ts {
  export type BindingName = T.BindingName
  export type ClassDeclaration = T.ClassDeclaration
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
