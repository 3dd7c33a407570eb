import type { TypeExpr } from '../type-facts.js'

/** The light expression tree of the quick reader: each node's kind and token extent, as TypeScript's parser gives them. */

/** Token range `[s, e)` of a node. */
export interface Span {
  s: number
  e: number
}

/** A property key: its text (`null` for a computed name that is not a literal) and extent. */
export interface Key extends Span {
  text: string | null
  computed: boolean
}

/** A member of an object literal. */
export type Prop =
  | ({ k: 'assign'; key: Key; value: Expr } & Span)
  | ({ k: 'short'; name: string } & Span)
  | ({ k: 'spread'; expr: Expr } & Span)
  | ({ k: 'method' } & Span)

/** An expression node: the kinds the facts tell apart; `lhs` and `other` are the rest (left-hand side or not). */
export type Expr =
  | ({ k: 'str' | 'nst' | 'num' | 'bigint' | 'true' | 'false' | 'null' | 'tmpl' | 'binary' | 'cond' | 'lhs' | 'other' } & Span)
  | ({ k: 'ident'; name: string } & Span)
  | ({ k: 'paren' | 'nonnull' | 'satisfies' } & Span & { inner: Expr })
  | ({ k: 'as'; inner: Expr; type: TypeExpr; isConst: boolean } & Span)
  | ({ k: 'prop'; obj: Expr; name: string | null } & Span)
  | ({ k: 'elem'; obj: Expr; arg: Expr } & Span)
  | ({ k: 'call'; callee: Expr; args: Expr[] } & Span)
  | ({ k: 'new'; callee: Expr; targs: TypeExpr[] | null } & Span)
  | ({ k: 'inst'; expr: Expr; targs: TypeExpr[] } & Span)
  | ({ k: 'obj'; props: Prop[] } & Span)
  | ({ k: 'arr'; items: Expr[]; spread: boolean } & Span)
  | ({ k: 'prefix'; op: string; operand: Expr } & Span)

/** A parameter: its modifiers, name token (`-1` for a binding pattern or `this`), and what follows. */
export interface Param {
  modifiers: string[]
  name: number
  optional: boolean
  type: TypeExpr | null
  init: Expr | null
}

/** Strips parentheses, `as`, `satisfies` and `!` (the wrappers TypeScript's reader looks through). */
export function unwrap(e: Expr): Expr {
  while (e.k === 'paren' || e.k === 'as' || e.k === 'satisfies' || e.k === 'nonnull') e = e.inner
  return e
}
