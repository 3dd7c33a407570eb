import type { MemberFacts, TypeDecl } from './type-facts.js'

/**
 * Plain, JSON-serialisable facts read from one source file by a syntax-only visit.
 * No TypeScript node escapes the scanner: facts are cached by content hash and linked across files.
 */

/** A position inside the file the facts belong to (1-based line and column). */
export interface Pos {
  line: number
  column: number
}

/** A statically readable expression, in a small intermediate form. */
export type StaticExpr =
  | { k: 'lit'; v: string | number | boolean | null | undefined; pos: Pos }
  | { k: 'ref'; path: string[]; pos: Pos }
  | { k: 'obj'; entries: ObjEntry[]; pos: Pos }
  | { k: 'arr'; items: StaticExpr[]; pos: Pos }
  | { k: 'call'; callee: string[] | null; args: StaticExpr[]; pos: Pos }
  | { k: 'unknown'; text: string; why: string; pos: Pos }

/** One entry of an object literal: a keyed value or a spread. */
export type ObjEntry =
  | { key: string; value: StaticExpr; pos: Pos }
  | { spread: StaticExpr; pos: Pos }

/** A decorator on a class: `@callee(args)` or bare `@callee` (`args === null`). */
export interface DecoratorFacts {
  callee: string[] | null
  args: StaticExpr[] | null
  pos: Pos
  /** Source offsets of the whole decorator, for stripping it from emitted code. */
  start: number
  end: number
}

/** A top-level class declaration. */
export interface ClassFacts {
  name: string
  abstract: boolean
  pos: Pos
  /** The `extends` expression; a `ref` when it is a (dotted) name, `unknown` for calls and others. */
  heritage: StaticExpr | null
  decorators: DecoratorFacts[]
  /** Type parameter names. */
  params: string[]
  /** Public instance properties in declared order (fields and parameter properties). */
  members: MemberFacts[]
  /** Has private, protected or `#` fields: state a plain JSON copy cannot carry faithfully. */
  privateState: boolean
}

/** A class the scan does not take as an entity, and why. */
export interface OtherClassFacts extends ClassFacts {
  /**
   * `expression`: a class expression bound by a top-level variable (`const X = class extends Y {}`, named by the
   * variable); `default`: an anonymous `export default class extends Y {}` (named `default`); `namespace`: a class in a
   * namespace that is not ambient (named by its dotted path, `Billing.Invoice`); `declared`: a `declare class`, which
   * is no class at run time.
   */
  kind: 'expression' | 'default' | 'namespace' | 'declared'
}

/** An imported binding: `imported` is a name, `'*'` for a namespace or `'default'`. */
export interface ImportBinding {
  module: string
  imported: string
}

/** What one file declares, imports and exports. */
export interface FileFacts {
  hash: string
  imports: Record<string, ImportBinding>
  /** exported name → local name (`export { a as b }`, `export class X`, `export default X`). */
  localExports: Record<string, string>
  /** `export { a as b } from 'm'` and `export * as ns from 'm'` (imported `'*'`). */
  reExports: Array<{ module: string; imported: string; exported: string }>
  /** `export * from 'm'`. */
  starExports: string[]
  /**
   * Modules named otherwise than by a binding: top-level side-effect imports (`import './setup'`), `import('./x')`
   * calls and `import('./x').T` types anywhere in the file; sorted, each once. The import closure follows them.
   */
  moduleRefs: string[]
  classes: Record<string, ClassFacts>
  /**
   * Top-level classes the scan does not take as entities (see `OtherClassFacts`). A class extending a `const`-bound
   * class expression is followed through it; one that would be an entity itself is reported (KB033), so that it is
   * never missed silently.
   */
  otherClasses: OtherClassFacts[]
  /** Interfaces and type aliases, by name. */
  types: Record<string, TypeDecl>
  /** Top-level `const` initialisers (other bindings are not statically known). */
  consts: Record<string, StaticExpr>
  /** Enum members with their values (auto-numbered members are computed). */
  enums: Record<string, Record<string, StaticExpr>>
  /** `export default <expression>` when it is not a declaration. */
  defaultExport: StaticExpr | null
  /** Syntax errors found while parsing. */
  syntaxErrors: Array<{ message: string; pos: Pos }>
  /**
   * The text ranges of `koan-backup/registry` in import declarations that take nothing but `registry`
   * from it (and types): the transform points them at the module holding the registry alone.
   */
  registryOnlyImports: Array<[number, number]>
}

/** An empty record that is safe to index with any key. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

/** Own-property lookup on a facts record. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined
}

/** The facts of a file before anything is read from it. */
export function emptyFacts(hash: string): FileFacts {
  return {
    hash, imports: dict(), localExports: dict(), reExports: [], starExports: [], moduleRefs: [],
    classes: dict(), otherClasses: [], types: dict(), consts: dict(), enums: dict(), defaultExport: null, syntaxErrors: [], registryOnlyImports: [],
  }
}

/**
 * Records an enum member: its value (`init`), or the number after the member before it; returns the
 * number the next member gets (`null` after a value that is not a number).
 */
export function addEnumMember(members: Record<string, StaticExpr>, key: string, pos: Pos, init: StaticExpr | null, next: number | null): number | null {
  if (init) {
    members[key] = init
    return init.k === 'lit' && typeof init.v === 'number' ? init.v + 1 : null
  }
  members[key] = next !== null ? { k: 'lit', v: next, pos } : { k: 'unknown', text: key, why: 'an enum member after a computed one', pos }
  return next !== null ? next + 1 : null
}

/** Records an interface declaration; a later declaration of the same interface adds its members and bases (declaration merging). */
export function addInterface(facts: FileFacts, name: string, decl: Extract<TypeDecl, { k: 'interface' }>): void {
  const prior = facts.types[name]
  facts.types[name] = prior?.k === 'interface'
    ? { ...prior, members: [...prior.members, ...decl.members], extends: [...prior.extends, ...decl.extends] }
    : decl
}
