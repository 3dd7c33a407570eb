/**
 * Source snippets for the quick declaration reader's tests (test/plugin/quick-reader.test.ts): what a
 * hand-written TypeScript tokenizer and declaration reader could read differently from TypeScript.
 *
 * Every snippet is checked with the reader's contract: `quickFacts` answers `null`, or facts deep-equal to
 * `tsFacts` (syntax errors aside); it must answer `null` when TypeScript reports a syntax error outside
 * function, method, accessor, constructor and arrow bodies.
 */

import { projectFiles } from '../../bench/projects.mjs'
import type { FileFacts } from '../../plugin/core/scan/facts.js'
import { loadTypeScript, ts } from '../../plugin/core/scan/morph.js'
import { scriptKind } from '../../plugin/core/scan/parse.js'

/** A syntax error as the facts give it. */
export type SyntaxError = FileFacts['syntaxErrors'][number]

/** Where TypeScript reports syntax errors in a snippet (checked by the corpus sanity test). */
export type ErrorPlace = 'none' | 'bodies' | 'outside'

/** One source text with the file name it is read as. */
export interface Snippet {
  name: string
  file: string
  text: string
  /** Where TypeScript's parser reports syntax errors; `none` unless given. */
  errors: ErrorPlace
}

/** The file name snippets are read as unless they give one. */
export const FILE = '/proj/src/x.ts'

/**
 * Source text written as it reads, as a tag: backslashes stay as written (a raw template), `` \` `` and
 * `\${` stand for a backtick and `${`, the first line break and the common indentation are removed, and
 * the text ends with one line break.
 */
export function src(strings: TemplateStringsArray): string {
  const raw = strings.raw.join('').replace(/\\(`|\$\{)/g, '$1')
  const lines = raw.split('\n')
  if (lines[0]!.trim() === '') lines.shift()
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop()
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length)
  const indent = indents.length ? Math.min(...indents) : 0
  return lines.map((l) => l.slice(indent)).join('\n') + '\n'
}

/** A snippet read as `/proj/src/x.ts` unless `file` is given. */
function snip(name: string, text: string, options: { file?: string; errors?: ErrorPlace } = {}): Snippet {
  return { name, text, file: options.file ?? FILE, errors: options.errors ?? 'none' }
}

const crlf = (text: string): string => text.replace(/\n/g, '\r\n')

// -------------------------------------------------------------------------------------------------
// Tricky snippets, by theme
// -------------------------------------------------------------------------------------------------

/** Regular expressions versus division, comments, strings and template literals. */
const lexical: Snippet[] = [
  snip('division chain', src`
    const a = x / y / z
    export class A { n = 1 }
  `),
  snip('regex with a brace in a class', src`
    export const re = /[{]/
    export class A { x: string = '' }
  `),
  snip('regex with quotes, slash and brace in a class', src`
    const r = /[/]}'"\`/gi
    export class A { x = 1 }
  `),
  snip('regex after if and return in a body', src`
    export function f(a: number, b: string) {
      if (a) /re/.test(b)
      return /x/
    }
    export class A { y = 2 }
  `),
  snip('division after parentheses', src`
    const half = (a + b) / 2
    const q = (a) / 2 / (b)
    export const n = 1
  `),
  snip('division after a closing brace in a body', src`
    function g() {
      const o = {} / 2
      return [] / 3 + (() => {}) / 4
    }
    export class G { a = 1 }
  `),
  snip('regex statement after if at top level', src`
    if (a) /re/g.exec(s)
    export const b = 2
  `),
  snip('regex after keywords in a body', src`
    async function* k(s: string) {
      typeof /x/
      void /y/
      yield /z/
      await /w/
      switch (s) { case /v/.source: break }
      if ('a' in /u/) delete /t/.lastIndex
      return /s/
    }
    export class K { k = 'k' }
  `),
  snip('postfix increment then division', src`
    let x = 1
    const y = x++ / 2 / x--
    export class Y { y = 0 }
  `),
  snip('regex with escaped slashes and a class', src`
    const r = /a\/b[/]c\//
    const s = /\{(\w+)\}/g.source
    export class R { r: RegExp = /x/ }
  `),
  snip('division between comments', src`
    const t = a /* } */ / b // {
    export class T { t = 1 }
  `),
  snip('division after an index and a call', src`
    const a = arr[0] / 2, b = f() / 2, c = ({}) / 2
    export class B { b = 1 }
  `),
  snip('regex in a for-of head in a body', src`
    function h(s: string) {
      for (const m of /a/g.exec(s) ?? []) console.log(m)
    }
    export class H {}
  `),
  snip('a line break before a slash divides', src`
    const a = b
    /hi/g.exec(c)
    export class X { x = 1 }
  `),
  snip('a line break before a slash at top level', src`
    a = b
    /hi/g.exec(c)
    export class X { x = 1 }
  `),
  snip('regex after a closing brace of a block', src`
    function f() {}
    /re/.test('x')
    export class F {}
  `),
  snip('comments with braces and quotes', src`
    // it's { not } a "problem"
    /* ' " \` { } */
    export class C { /* } */ a = 1 // }
      b = '/*' // */
    }
  `),
  snip('strings with escapes and braces', src`
    const s = '}\'{', d = "\"}{", t = '\\', u = 'http://x/*y'
    export class S { s = '}'; d = "{" }
  `),
  snip('string escapes are decoded', src`
    export const e = '\x41\u0042\u{43}\n\t\'\"\0'
    export const f = "\
    continued"
  `),
  snip('nested template literals', src`
    const t = \`a\${ \`b\${c}\` }d\${ {a:1}.a }\`
    export class T { u = \`}\${'{'}\` }
  `),
  snip('template with braces in a method body', src`
    export class M {
      label(): string {
        return \`\${this.name} { \${\`\${'}'}\`} }\`
      }
      name = ''
    }
  `),
  snip('template literal field initializers', src`
    export class T {
      a = \`plain\`
      b = \`with \${1 + 2} }\`
      c = \`
    multi
    line\`
    }
  `),
  snip('template literal consts', src`
    export const plain = \`text\`
    export const sub = \`a\${b}c\`
    export const nested = \`\${\`\${\`x\`}\`}\`
    export const tagged = String.raw\`\n\`
  `),
  snip('a template containing a regex-looking text', src`
    const t = \`/\${a}/\` / 2
    export class A { a = 1 }
  `),
  snip('a regex containing a template-looking text', src`
    const r = /\`\${x}\`/
    export class A { a = 1 }
  `),
  snip('escaped template characters', '\nconst t = `a\\`b\\${c}`\nexport class A { a = `\\`` }\n'),
  snip('a line continuation in a string', "const t = 'a\\\nb'\nexport class U { u = 2 }\n"),
  snip('unicode escapes in identifiers', src`
    const \u0061b = 1
    export class \u0041 { \u0078 = 1; y\u{62}: string }
  `),
  snip('comment-like text inside a regex class', src`
    const r = /[/*]/, s = /[//]/
    export class A { a = 1 }
  `),
  snip('a html-like comment is not one', src`
    const a = 1
    export class A { b = a <!--c }
  `),
  snip('keyword-named properties read by dots', src`
    const a = x.class.if.return / 2
    export const b = o.new
  `),
]

/** Automatic semicolon insertion and words that are modifiers elsewhere. */
const asi: Snippet[] = [
  snip('fields without semicolons', src`
    export class A {
      a = 1
      b: string
      c?: number
      d!: boolean
    }
  `),
  snip('field followed by a computed name continues the initializer', src`
    export class A {
      a = 1
      [computed] = 2
    }
  `),
  snip('field then a computed name after a semicolon', src`
    export class A {
      a = 1;
      ['computed'] = 2
      b = 3
    }
  `),
  snip('typed field followed by an index signature', src`
    export class A {
      a: string
      [key: string]: any
    }
  `),
  snip('field followed by a parenthesis continues into a call', src`
    export class A {
      a = f
      (x)
      b = 1
    }
  `),
  snip('field followed by a generator method', src`
    export class A {
      a = 1
      *gen() {}
    }
  `, { errors: 'outside' }),
  snip('field then a generator after a semicolon', src`
    export class A {
      a = 1;
      *gen() { yield 1 }
      b = 2
    }
  `),
  snip('modifier words as property names', src`
    export class A {
      get: string
      set = 1
      static: number
      async: boolean
      readonly?: string
      declare: number
      abstract = 2
      accessor = 3
      override = 4
      public = 5
      private = 6
      protected = 7
      constructor2 = 8
    }
  `),
  snip('modifier words before a line break', src`
    export class A {
      get
      x() { return 1 }
      public
      p: string
      declare
      q: number
      readonly
      r = 1
      async
      m() {}
      static
      s = 1
      accessor
      z = 1
    }
  `),
  snip('more modifier words before a line break', src`
    export class A {
      private
      a = 1
      protected
      b = 1
      override
      c = 1
      set
      d(v) {}
      static
      async
      e() {}
      static
      get
      f() { return 1 }
    }
    export abstract class B {
      abstract
      a: string
    }
  `),
  snip('keyword property names', src`
    export class A {
      in = 1;
      instanceof = 2;
      new = 3
      class = 4
      constructor() {}
      delete: string
      of = 5
      type = 6
      is = 7
      as = 8;
      satisfies = 9
    }
  `),
  snip('a keyword operator on the next line continues the initializer', src`
    export class A {
      in = 1
      instanceof = 2
    }
  `, { errors: 'outside' }),
  snip('in on the next line continues the initializer', src`
    export class A {
      x = 'k'
      in: string
    }
  `, { errors: 'outside' }),
  snip('initializer continued on the next line', src`
    export class A {
      x = a
        + b
      y = foo
      (bar)
      z = c ? d
        : e
      w = 1
    }
  `),
  snip('as on the next line ends the initializer', src`
    export class A {
      z = c
        as D
    }
  `, { errors: 'outside' }),
  snip('as and satisfies on the same line', src`
    export class A {
      a = c as D
      b = c satisfies D
      c = 'x' as const
      d = x as unknown as T
    }
  `),
  snip('type annotation continued by a bar on the next line', src`
    export class A {
      a: string
        | number
      b: 'x'
        | 'y' = 'x'
    }
  `),
  snip('array type brackets do not cross a line break', src`
    export class A {
      a: string
      [k: number]: unknown
      b: string[]
    }
  `),
  snip('a type annotation then the initializer on the next line', src`
    export class A {
      x: number
        = 5
      y = 1
    }
  `),
  snip('two names on two lines', src`
    export class A {
      x
      y
    }
  `),
  snip('two names on one line', 'export class A { x y }\n', { errors: 'outside' }),
  snip('two initialized fields on one line', 'export class A { x = 1 y = 2 }\n', { errors: 'outside' }),
  snip('empty class elements', src`
    export class A {
      ;
      x = 1;;; y = 2;
      ;
    }
  `),
  snip('arrow function fields', src`
    export class A {
      x = () => {}
      y = () => ({})
      z = async (a: number): Promise<void> => { await a }
      w = 1
    }
  `),
  snip('a function field continued by a bracket', src`
    export class A {
      x = function () {}
      ['k'] = 1
    }
  `),
  snip('a comparison, not type arguments', src`
    export class A {
      x = a < b
      y = c > d
      z = 1
    }
  `),
  snip('non-null field initializer then a typed field', src`
    export class A {
      x = y!
      z: number
    }
  `),
  snip('increment after a line break', src`
    let a = 1, b = 2
    a
    ++b
    export class A { a = a }
  `),
  snip('instantiation expressions', src`
    const f2 = f<T>
    (y)
    const g2 = f<T>
    const h2 = 1
    export class A { a = f<string>; b = 2 }
  `),
  snip('a statement starting with a parenthesis', src`
    const a = b
    ;(c || d).e()
    export const f = 1
  `),
  snip('keywords after const names', src`
    const let_ = 1, of = 2, async = 3, get = 4, type = 5
    export { let_, of, async, get, type }
  `),
]

/** Every kind of class member. */
const members: Snippet[] = [
  snip('properties with and without types and initializers', src`
    export class P {
      a
      b: string
      c = 1
      d: number = 2
      e?: string
      f?: string = undefined
      g!: Date
      'quoted': string
      "double" = 1
      'with-dash'?: boolean
      0: string
      1.5 = 2;
      ['computed']: string
      [Symbol.iterator]: () => void
    }
  `),
  snip('private state', src`
    export class P {
      #a = 1
      private b = 2
      protected c: string
      public d = 3
      static #e = 4
      private static f = 5
      #m() {}
      get #g() { return 1 }
      declare private h: string
    }
  `),
  snip('only static private state', src`
    export class P {
      static #e = 4
      private static f = 5
      #m() {}
      a = 1
    }
  `),
  snip('modifiers', src`
    export abstract class M extends B {
      readonly a = 1
      static b = 2
      declare c: string
      override d = 3
      accessor e = 4
      abstract f: number
      public readonly g: string = ''
      protected abstract h: number
      static readonly i = 5
      public static override accessor j = 6
      declare readonly k: string
      override readonly l?: string
    }
  `),
  snip('methods', src`
    export class M {
      a() {}
      b<T>(x: T): T { return x }
      c(x: string): string
      c(x: number): number
      c(x: any): any { return x }
      async d() { await 1 }
      *e() { yield 1 }
      async *f() {}
      static g() {}
      protected h?(): void
      'i'() {}
      [Symbol.dispose]() {}
      0() {}
      x = 1
    }
  `),
  snip('accessors', src`
    export class A {
      get a(): string { return '' }
      set a(v: string) {}
      static get b() { return 1 }
      accessor c = 1
      get ['d']() { return 2 }
      x: number
    }
  `),
  snip('index signatures and static blocks', src`
    export class I {
      [key: string]: unknown
      static [k: number]: string
      static {
        init()
        const x = { a: 1 }
      }
      static {}
      y = 1
    }
  `),
  snip('constructor parameter properties', src`
    export class C {
      constructor(
        @Inject(TOKEN) private readonly svc: Service,
        public name = 'x',
        protected p?: number,
        readonly r: string[] = [],
        { a, b }: Opts,
        public override o: string,
        plain: string,
        public optional?: string,
        @Dec() public decorated: Date = new Date(),
      ) {
        super()
      }
      after = 1
    }
  `),
  snip('constructor overloads with parameter properties', src`
    export class C {
      constructor(public a: string)
      constructor(public a: string, b?: number) {}
    }
  `),
  snip('destructured and rest parameters', src`
    export class C {
      constructor(public [x, y]: number[], readonly { z }: { z: string }, ...rest: unknown[]) {}
    }
  `),
  snip('parameter properties with complex types', src`
    export class C {
      constructor(
        public a: Map<string, Array<number>>,
        public b: { x: string; y?: number },
        public c: (x: number) => string = (x) => \`\${x}\`,
        public d: 'a' | 'b' = 'a',
      ) {}
    }
  `),
  snip('member decorators', src`
    export class E {
      @Field() name: string = ''
      @Field({ type: () => [String] }) tags: string[] = []
      @Get('/x') get x() { return 1 }
      @Post() m(@Arg('a') a: string, @Body() { b }: Dto) {}
      @(foo.bar) baz = 1
      @a.b.c<T>() qux?: number
      @dec
      static s = 1
    }
  `),
  snip('generic class', src`
    export class G<T, U extends T = T, const V extends readonly unknown[] = []> {
      value: T
      list: U[] = []
      map = new Map<string, T>()
    }
  `),
  snip('field initializer kinds', src`
    export class D {
      a = !0; b = +1; c = ~1; d = null; e = []; f = {}; g = new Map(); h = new Map<string, number>()
      i = new X; j = new a.B(); k = 'a' as const; l = x as unknown as T; m = (1); n = x satisfies Y
      o = <T>x; p = \`a\${b}\`; q = \`a\`; r = 10n; s = true; t = new Date(); u = -1n; v = -1; w = (('s'))
      x = new Set<string>(); y = new Set(); z = new Dimensions(); aa = new Foo<Bar>(1); ab = undefined
      ac = false; ad = 1e3; ae = 0x10; af = (x as Y); ag = 'x' + 'y'; ah = [1, 2] as number[]; ai = new Date
      aj = new Promise<void>((r) => r()); ak = x!; al = this.a; am = () => 1; an = new (Foo)()
    }
  `),
  snip('multi-line object initializer', src`
    export class D {
      amount: Money = {
        value: 0, // zero
        currency: 'EUR',
      }
      after = 1
    }
  `),
  snip('class members in a body class are not facts', src`
    export function make() {
      return class Inner {
        a = 1
        b = /x/
      }
    }
    export class Outer { a = make() }
  `),
]

/** Class headers: names, heritage, decorators. */
const heritage: Snippet[] = [
  snip('extends forms', src`
    export class A extends B<C> {}
    export class D extends a.b.C<D> {}
    export class E extends mixin(X) {}
    export class F extends mixin(X)<Y> {}
    export class G extends (H as any) {}
    export class I extends J implements K<{ a: string }>, L {}
    export class M implements N<{ a: string }> {}
    class O extends P.Q {}
    class R extends S<T<U>> implements V.W<X> {}
  `),
  snip('extends a call with a body', src`
    export class A extends mixin(class { x = 1 }, () => { return /x/ }) {
      a = 1
    }
  `),
  snip('implements before extends', 'export class A implements I extends B {}\n'),
  snip('abstract and default classes', src`
    export abstract class A {}
    abstract class B<T> { abstract x: T }
    export default abstract class C extends B<string> { x = '' }
  `),
  snip('anonymous default class', src`
    export default class {
      a = 1
    }
  `),
  snip('anonymous default class with heritage', 'export default class extends Y { b = 2 }\n'),
  snip('default class with a name', 'export default class Named extends Base<Named> { c?: string }\n'),
  snip('declare class', src`
    export declare class A { a: string; m(): void }
    declare abstract class B { b: number }
  `),
  snip('decorators before and after export', src`
    @a.b() @dec<T>() @(expr) @(a.b)(1) @x
    export class A {}
    export @y class B {}
    @z
    export default class C {}
  `),
  snip('decorator after export default', 'export default @dec class X {}\n'),
  snip('decorated anonymous default class', '@dec export default class {}\n'),
  snip('decorator on its own lines with comments', src`
    /** Docs. */
    @EntityBackup(
      // options
      { encrypt: true }, /* more */
    )
    /* between */
    export class A {
      id: string = ''
    }
  `),
  snip('decorator arguments: literals and references', src`
    @E({ encrypt: true, reason: \`x\`, embedding: { fields: ['a', 'b'], model: 'm' } })
    @F(-1, +1, !0, null, undefined, void 0, 1e3, 0x10, .5, 10n, 'a\'b')
    @G(Mode.A, Mode['B'], consts.x.y, a?.b, a?.['c'], (d), e!, f as const, <T>g, h satisfies I)
    export class A {}
  `),
  snip('decorator arguments: objects', src`
    @E({ ...base, mode: Mode.A, [KEY]: 1 })
    @F({ ['lit']: 2, [\`t\`]: 3, 'quoted-key': 1, 0x1F: 2, 1.0: 3, shorthand, })
    @G({ m() {}, a: 1 })
    @H({ get g() { return 1 } })
    @I({ a: { b: { c: [1, { d: 2 }] } } })
    export class A {}
  `),
  snip('decorator arguments: arrays, spreads, calls', src`
    @E([1, ...xs], [,], [1,,2], [])
    @F(...args)
    @G(f(), a.b(1, 'x'), f<T>(y), new Foo(), import('x'), (() => 1)())
    export class A {}
  `),
  snip('decorator arguments: functions and operators', src`
    @E(() => 1, function () { return { a: 1 } }, class { x = 1 }, async (a) => { await a })
    @F(a ? b : c, a ? (b) : c, a + b, a < b, typeof x, \`a\${b}\`, /re/g, this)
    @G(x => x / 2, (x): string => \`\${x}\`)
    export class A {}
  `),
  snip('decorator with a long unknown argument', src`
    @E({ reason: 'a' + 'very long text that goes on and on and on and on and on and on and on' })
    export class A {}
  `),
  snip('a decorator call spanning lines with type arguments', src`
    @Entity<
      Foo,
      Bar
    >({
      name: 'x',
    })
    export class A {}
  `),
  snip('decorators on class, members and parameters', src`
    @A() class X {
      @B() p = 1
      constructor(@C() public q: string) {}
      @D() m(@E() e: number) {}
    }
  `),
  snip('element access decorator is an error', "@a['x'] class A {}\n", { errors: 'outside' }),
  snip('optional chain decorator', '@a?.b class B {}\n'),
  snip('class expression names are not classes', src`
    export const A = class Named { x = 1 }
    export const B = @dec class {}
  `),
  snip('same class name twice', src`
    class A {}
    class B {}
    class A extends X { x = 1 }
  `),
  snip('the registry class shape of a real entity', src`
    import { Entity, EntityBackup } from 'koan-backup'
    import type { Money, Status } from '../../shared/types'

    /** billing account of the billing module. */
    @EntityBackup({ encrypt: true })
    export class BillingAccount extends Entity<BillingAccount> {
      id: string = ''
      name: string = ''
      status: Status = 'active'
      amount: Money = { value: 0, currency: 'EUR' }
      tags: string[] = []
      updatedAt: Date | null = null

      label(): string {
        return \`\${this.name} (\${formatMoney(this.amount)})\`
      }
    }
  `),
]

/** Type annotations in aliases, interfaces and fields. */
const types: Snippet[] = [
  snip('keyword types', src`
    export type K = string | number | boolean | bigint | unknown | any | null | undefined | object | never | symbol | void
    export type This = this
    export type Intrinsic = intrinsic
    export type U = unique symbol
  `),
  snip('literal types', src`
    export type L = 'a' | "b" | \`c\` | 1 | -1 | -0 | 1.50 | 0x10 | 1e3 | .5 | 10n | -10n | true | false
    export type T = \`on\${Capitalize<K>}\` | \`\${number}px\`
    export type E = '\x41\n'
  `),
  snip('leading bars and ampersands', src`
    export type A =
      | 'a'
      | 'b'
    export type B = & { a: string } & { b: number }
    export type C = | string
  `),
  snip('arrays and tuples', src`
    export type A = string[]
    export type B = readonly string[]
    export type C = Array<string>
    export type D = [string, number]
    export type E = [name: string, age: number]
    export type F = [string, number?]
    export type G = [string, ...number[]]
    export type H = [first: string, rest?: number]
    export type I = [...rest: string[]]
    export type J = readonly [string]
    export type K = (string | number)[][]
    export type L = ReadonlyArray<string>
  `),
  snip('object types', src`
    export type A = { a: string; b?: number, c: boolean
      d: null }
    export type B = { m(): void; n?(x: number): string; a: string }
    export type C = { [key: string]: number }
    export type D = { (x: number): string }
    export type E = { new (x: number): E }
    export type F = { get x(): string }
    export type G = {}
    export type H = { readonly a: string; 'q': number; 0: boolean; [k]: string }
    export type I = { a: { b: { c: string } } }
    export type J = { a }
  `),
  snip('mapped and conditional types', src`
    export type M<T> = { [K in keyof T]: T[K] }
    export type N<T> = { readonly [K in keyof T]?: T[K] }
    export type O<T> = { -readonly [K in keyof T]-?: T[K] }
    export type P<T> = { [K in keyof T as \`get\${Capitalize<K & string>}\`]: () => T[K] }
    export type Q<T> = T extends string ? 'str' : T extends (infer U)[] ? U : never
    export type R<T> = T extends [infer H extends string, ...infer Rest] ? H : never
  `),
  snip('type operators and queries', src`
    export type A = keyof T
    export type B = typeof x.y
    export type C = T['a']['b']
    export type D = import('x').Y
    export type E = import('x').Y<Z>
    export type F = typeof import('x')
    export type G = T[number]
    export type H = typeof x[number]
    export type I = unique symbol
    export type J = (string)
    export type K = ((string | number))
  `),
  snip('function and constructor types', src`
    export type A = () => void
    export type B = (x: number, ...rest: string[]) => Promise<void>
    export type C = new () => Foo
    export type D = abstract new (x: string) => Foo
    export type E = <T>(x: T) => T
    export type F = (x: unknown) => x is string
    export type G = (x: unknown) => asserts x is string
    export type H = (this: Window) => asserts this
    export type I = (() => void) | null
    export type J = { a: (x: number) => string; b?: () => void }
  `),
  snip('type parameters', src`
    export type A<T extends B = C> = T
    export type D<const T, in U, out V, in out W> = [T, U, V, W]
    export type E<T = Array<Array<string>>> = T
    export type F<T extends { a: string } = { a: '' }> = T
    export interface I<T = string, in out U = T> { t: T; u: U }
    export class X<T extends Map<string, Array<number>>= Map<string, number[]>> { a: T }
  `),
  snip('nested generics closing together', src`
    export type A = Map<string, Array<number>>
    export type B = Map<string, Map<string, Array<number>>>
    export class C {
      a: Map<string, Array<number>>= new Map()
      b: Array<Array<number>>=[]
      c: Promise<Array<string>>
    }
  `),
  snip('type predicates in signatures', src`
    export function isA(x: unknown): x is A { return true }
    export function assertA(x: unknown): asserts x is A {}
    export function assertB(x: unknown): asserts x {}
    export class A {
      is(): this is B { return false }
      a = 1
    }
  `),
  snip('qualified type references', src`
    export type A = a.b.C<D.E>
    export interface I extends a.b.C<D>, E<F>, G {}
    export class X { a: NS.Type = null!; b: NS.Generic<NS.Arg>[] }
  `),
  snip('types in class fields', src`
    export class T {
      a: string | null = null
      b: Array<{ x: number }>
      c: Record<string, unknown> = {}
      d: (a: number) => void
      e: [number, number] = [0, 0]
      f: 'x' | 'y' = 'x'
      g: typeof import('x')
      h: keyof Foo
      i: Foo['bar']
      j: { nested: { deep: boolean } }
      k: readonly string[] = []
      l: \`a\${string}\`
      m: -1 | 1
      n: Date | undefined
    }
  `),
  snip('comments inside complex types', src`
    export type A = keyof /* c */ T
    export type B = {
      // line comment
      a: string /* trailing */
      [k: string]: unknown // index
    }
  `),
]

/** Interfaces and type aliases. */
const interfaces: Snippet[] = [
  snip('interface members and separators', src`
    export interface I {
      a: string
      b?: number;
      c: boolean,
      d
      e(): void
      f?(x: number): string
      (call: number): string
      new (x: number): I
      [k: string]: any
      readonly g: string
      'h-i': number
      0: boolean
      [Symbol.iterator](): void
      get j(): string
      set j(v: string)
      new: string
      get: number
      readonly: boolean
    }
  `),
  snip('interface merging', src`
    export interface I<T> extends A { a: string }
    interface J { x: number }
    export interface I<T> extends B, C<T> { b: number }
    interface I<U> { c: U }
  `),
  snip('interface after alias and alias after interface', src`
    type T = string
    interface T { a: string }
    interface U { a: string }
    type U = number
  `),
  snip('default interface', 'export default interface Foo { a: string }\n'),
  snip('interface extends forms', src`
    export interface A extends B, C<D>, e.F<G>, Array<string> {}
    export interface H extends I<{ a: string }> { h: number }
  `),
  snip('type aliases', src`
    export type Pair<A, B = A> = [A, B]
    declare type D = string
    type Local = { a: 1 }
    export type { Local }
    export type Fn = typeof fn
  `),
  snip('interface members without types', src`
    export interface I { a; b?; 'c' }
    export type T = { a; b? }
  `),
  snip('numeric member names', src`
    export interface I { 0x10: string; 1.50: number; 1e3: boolean; 1_000: null }
    export type T = { 0b11: string }
  `),
]

/** Enums. */
const enums: Snippet[] = [
  snip('enum forms', src`
    enum E { A = 1 << 2, B }
    const enum F { X = 'x', Y = X }
    declare enum G { P, Q = 5, R }
    export enum H { 'a-b', c = -1, d, e = (3), f }
    export const enum I { A, }
    export declare enum J { A = 'a' }
  `),
  snip('enum auto numbering', src`
    export enum E { A, B, C = 10, D, E = -5, F, G = 0x10, H, I = 1e3, J, K = 1.5, L }
  `),
  snip('enum members after non-numbers', src`
    export enum E { A = 'a', B, C = A, D, E = \`t\`, F, G = \`\${1}\`, H, I = 2, J }
  `),
  snip('enum computed members', src`
    enum E { ['a'] = 5, B, [\`c\`] = 1, D }
    enum F { A = 1, B = A * 2, C }
  `),
  snip('enum with string names', src`
    export enum E { 'quoted' = 1, "dq", \u0041 }
  `),
  snip('empty and repeated enums', src`
    enum E {}
    enum F { A }
    enum F { B }
  `),
  snip('enum numeric names', 'enum E { 1 = 2, A }\n'),
  snip('enum member initialisers with casts', src`
    export enum E { A = 1 as number, B = <number>2, C = (3)!, D }
  `),
]

/** Top-level `const` (and other variable) declarations. */
const consts: Snippet[] = [
  snip('numeric literal forms', src`
    export const a = 0x10, b = 1_000, c = 1.50, d = 1e3, e = .5, f = 10n, h = -0, i = 0b11, j = 0o17, k = 1.0e-7
    export const l = 5., m = 0B11, n = 0X1F, o = .5e1, p = 1_000.5, q = 5..toString(), r = 0.5e-3, s = - 1
  `),
  snip('legacy octal literal', 'export const g = 010\n', { errors: 'outside' }),
  snip('leading zero decimal', 'export const g = 08\n', { errors: 'outside' }),
  snip('as const, satisfies, non-null, casts', src`
    export const a = ['x', 'y'] as const
    export const b = { k: 1 } satisfies Record<string, number>
    export const c = value!
    export const d = <number>x
    export const e = 'x' as const satisfies string
    export const f = ((1))
    export const g = (x as any) as T
  `),
  snip('object literals', src`
    export const o = { a: 1, b: [1, 2], c: { d: null }, 'e-f': undefined, g, ...h, }
    export const p = { 0x10: 1, 1.50: 2, 1e3: 3, [\`t\`]: 4, ['s']: 5, [1]: 6, 'q': 7 }
    export const q = { [k]: 1 }
    export const r = { m() {}, a: 1 }
    export const s = { get g() { return 1 } }
    export const t = { async m() {}, *g() {} }
    export const u = { __proto__: null, constructor: 1 }
    export const v = { [-1]: 1 }
    export const w = { [('p')]: 1, [x as 'y']: 2 }
  `),
  snip('arrays and calls', src`
    export const a = [1, ...b]
    export const c = f(...d)
    export const e = [1,,2]
    export const g = [,]
    export const h = [1, 2,]
    export const i = new Map<string, number>()
    export const j = f<A, B>(x)
    export const k = a.b.c(1)(2)
    export const l = f?.()
    export const m = import('x')
    export const n = new Foo
  `),
  snip('operators and conditionals', src`
    export const a = 'a' + 'b'
    export const b = a < b > c
    export const c = a ? (b) : c
    export const d = a ? (b): c => d : e
    export const e = -(1)
    export const f = +1
    export const g = void 0
    export const h = a ?? b
    export const i = a || b && c
    export const j = (a, b)
    export const k = typeof a
    export const l = !a
    export const m = a instanceof B
    export const n = 'k' in o
    export const o2 = a ** 2
  `),
  snip('member access that is an error at the top level', src`
    export const k = a.b.c
    export const l = new.target
    export const m = super.x
    export const n = a.#b
  `),
  snip('references and member access without errors', src`
    export const a = undefined
    export const b = NaN
    export const c = this
    export const d = a[0]
    export const e = a[\`x\`].y
    export const f = a?.b
    export const g = a?.['x']
    export const h = a['x']['y']
    export const i = import.meta.env.X
    export const j = import.meta
    export const k = a.b.c
    export const m = a().b
    export const n = (a).b
    export const o = a!.b
  `),
  snip('arrow and function consts', src`
    export const a = (x: number): string => \`\${x}\`
    export const b = async (x) => x
    export const c = <T>(x: T) => x
    export const d = x => x / 2
    export const e = () => ({ a: 1 })
    export const f = function* () { yield /x/ }
    export const g = async function named() {}
    export const h = class { a = 1 }
    export const i = (a = 1, { b } = {}, [c] = []) => a
    export const j = (): void => {}
  `),
  snip('long unknown text is cut at 60 characters', src`
    export const long = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' + x
    export const multi = a +
      b /* comment */ +
      c
  `),
  snip('tagged templates and regexes', src`
    export const t = f\`x\`
    export const u = f\`a\${b}c\`
    export const r = /re/g
    export const s = a.b\`c\`
  `),
  snip('let, var, destructuring, declare', src`
    const { a, b } = o, [c] = arr, d = 1
    export const { e } = o
    export let f = 1
    export var g
    let h = 2
    var i = 3
    declare const j: number
    export declare const k: string
    declare const l = 1
    const m: number = 1, n: string = 'n'
  `),
  snip('using declarations', src`
    await using x = f()
    using y = g()
    export const z = 1
  `),
  snip('block-level consts are not top-level', src`
    { const inner = 1 }
    if (a) { const alsoInner = 2 } else { class X {} }
    export const outer = 3
  `),
  snip('multiple declarators over lines', src`
    export const a = 1,
      b = 'two',
      c = [3]
  `),
  snip('const after a comment ending in a regex-like text', src`
    // a / b /
    const a = 1
    /* / */ const b = 2
  `),
  snip('strings with unicode', src`
    export const a = 'é😀', b = 2
    export const ñ = 1, 𝑥 = 2
    export const c = '\u{1F600}'
  `),
  snip('special keys in records', src`
    export const __proto__ = 1
    class constructor {}
    enum toString { __proto__ = 1, valueOf }
    import { hasOwnProperty } from 'x'
    interface __defineGetter__ { a: string }
    export { constructor }
  `),
  snip('conditional expressions with parenthesized branches', src`
    export const a = cond ? (x) : (y)
    export const b = cond ? (x): string => x : y
    export const c = cond ? (x) => x : (y) => y
    export const d = cond ? (x) : y => y
  `),
  snip('consts with comparisons that look like type arguments', src`
    export const a = b < c, d = e > f
    export const g = h < i >> j
    export const k = l<m>(n)
    export const o = p < q && r > s
  `),
]

/** Imports and exports. */
const modules: Snippet[] = [
  snip('import forms', src`
    import def from 'a'
    import { b, c as d, type e, type f as g } from 'b'
    import type { h, i as j } from 'c'
    import * as ns from 'd'
    import type * as tns from 'e'
    import k, * as ns2 from 'f'
    import l, { m } from 'g'
    import type T from 'h'
    import {} from 'i'
    import 'side-effect'
    import { default as n } from 'j'
    import { 'a-b' as ab } from 'k'
    import { o, } from 'l'
  `),
  snip('import attributes', src`
    import json from './a.json' with { type: 'json' }
    import data from './b.json' assert { type: 'json' }
    import { c } from './c.js' with {}
  `),
  snip('import equals', src`
    import x = require('y')
    export import z = require('w')
    import A = N.B
    import type C = require('c')
  `),
  snip('import defer', "import defer * as ns from 'm'\n"),
  snip('import across lines with comments', src`
    import {
      a, // first
      /* second */ b as c,
      type D,
    } from 'mod' // trailing
    import
      e
      from 'e'
  `),
  snip('registry import', "import { registry } from 'koan-backup/registry'\n"),
  snip('modules named without a binding: side-effect imports, import() calls and import types', src`
    import './setup'
    import "./polyfill.js" with { type: 'x' }
    import './setup'
    export async function load(flag: boolean) {
      const a = await import('./lazy')
      const b = flag ? import(\`./tpl\`) : null
      const c = import('./with-options', { with: { type: 'json' } })
      const d = import('./not-' + flag)
      const e = loader.import('./method')
      const f = loader?.import('./optional')
      const g = 'import("./in-a-string")'
      // import('./in-a-comment')
      const h = import.meta.url
      return [a, b, c, d, e, f, g, h]
    }
    export type T = import('./types').Shape
    export type U = typeof import('./values')
    export class K {
      lazy = () => import('../up/one')
      m(): Promise<typeof import('./member-type')> { return import('./member-type') }
    }
    declare module 'ambient' {
      import './nested-side-effect'
      export const v: import('./nested-type').V
    }
  `),
  snip('registry import variants', src`
    import { registry, type Registry } from 'koan-backup/registry'
    import { registry as r2, other } from 'koan-backup/registry'
    import type { registry as r3 } from 'koan-backup/registry'
    import { registry as r4 } from "koan-backup/registry"
    import { 'registry' as r5 } from 'koan-backup/registry'
    import r6, { registry as r7 } from 'koan-backup/registry'
    import * as r8 from 'koan-backup/registry'
    import 'koan-backup/registry'
    import { registry as r9 } from 'koan-backup\/registry'
    import { registry as r10 } from 'koan-backup/registry' with { type: 'js' }
    import {} from 'koan-backup/registry'
    import { registry as r11 } from 'virtual:koan-backup'
    import { type X, type Y } from 'koan-backup/registry'
    import { default as r12 } from 'koan-backup/registry'
    export { registry } from 'koan-backup/registry'
  `),
  snip('registry import across lines', src`
    import {
      registry,
      type X,
    } from 'koan-backup/registry'
  `),
  snip('registry import after a BOM and CRLF', '\uFEFF// head\r\nimport { registry } from \'koan-backup/registry\'\r\nexport const a = registry\r\n'),
  snip('export forms', src`
    export { a, b as c }
    export { d as default, e as "str name" }
    export { default } from 'm'
    export { default as X, y } from 'n'
    export * from 'o'
    export * as ns from 'p'
    export * as default from 'q'
    export type { T } from 'r'
    export type * from 's'
    export type * as TT from 't'
    export { 'string name' as x } from 'u'
    export { type f, g }
    export {}
  `),
  snip('export default expressions', src`
    export default 42
  `),
  snip('export default object', "export default { a: 1, b: 'x' }\n"),
  snip('export default call', 'export default defineBackupScope({ mode: \'all\' })\n'),
  snip('export default reference', 'export default X\n'),
  snip('export default parenthesized reference', 'export default (X)\n'),
  snip('export default as expression', 'export default X as Y\n'),
  snip('export default arrow', 'export default () => {}\n'),
  snip('export default array', 'export default [1, 2]\n'),
  snip('export default functions', src`
    export default function f() {}
    export function g() {}
    export async function h() {}
    export function* i() {}
  `),
  snip('export default anonymous function', 'export default function () { return /x/ }\n'),
  snip('export default async function', 'export default async function load() { await 1 }\n'),
  snip('export equals and namespace export', src`
    export = X
  `),
  snip('export as namespace', src`
    export as namespace N
    export const a = 1
  `),
  snip('export declare forms', src`
    export declare const x: number
    export declare function f(): void
    export declare class X {}
    export declare namespace N { const y: number }
    export declare enum E { A }
    export declare type T = string
    export declare interface I {}
  `),
  snip('exported namespaces and modules', src`
    export namespace N { export const x = 1; export class Y {} }
    export module M { export interface Z {} }
    declare module 'ext' { export class Q {} }
    declare global { interface Window { a: string } }
    namespace A.B.C { const d = 1 }
  `),
  snip('classes without a declared name, and classes in namespaces (FileFacts.otherClasses)', src`
    import { Entity } from 'koan-backup'
    export const A = class extends Entity<unknown> { a = 1 }
    const B = class Named extends A {}
    let C = class {}
    export default class extends Entity<unknown> { d?: string }
    export namespace N.M { export class E extends Entity<E> { e = 0 } class F {} namespace O { export class G extends E {} } }
    declare namespace P { class H extends Entity<H> {} }
    namespace Q { declare class R extends Entity<R> {} export abstract class S extends Entity<S> {} }
  `),
  snip('declared classes (FileFacts.otherClasses, kind declared)', src`
    import { Entity } from 'koan-backup'
    export declare class T extends Entity<T> { t: number }
    declare abstract class U {}
    declare class V extends T { v?: string; private w: number }
    class W extends Entity<W> {}
  `),
  snip('local exports of imports', src`
    import { a } from 'm'
    import * as b from 'n'
    export { a, b as c }
  `),
  snip('export type modifiers on specifiers', src`
    export { type A, type B as C } from 'm'
    export type { D as E }
  `),
  snip('duplicate export names', src`
    export { a }
    export { b as a }
  `),
]

/** Statements other than declarations, and file-level oddities. */
const statements: Snippet[] = [
  // regressions found by fuzzing the reader with more seeds than the test runs
  snip('an escaped line break inside a regular expression', 'export const re = /a\\\nb/\nexport class A { x = 1 }\n', { errors: 'outside' }),
  snip('type parameter modifiers before a line break', src`
    export type D<in out
     W> = W
    export class G<const
     V> { v = 1 }
  `, { errors: 'outside' }),
  snip('an optional chain in a decorator across a line break', '@a?.\nb class B {}\n', { errors: 'outside' }),
  snip('a syntax error in a template substitution inside a function body', src`
    export function money(m: { value: number }): string {
      return \`\${(m.value  100).toFixed(2)} EUR\`
    }
    export class Clock { now = new Date() }
  `, { errors: 'outside' }),
  snip('a function body followed by =', src`
    export class A {
      x = function () {} = 1
    }
  `, { errors: 'outside' }),
  snip('a member name on the next line, before a word on its line', '@a\n.\nb class B {}\nexport const c = d.\ne\n', { errors: 'outside' }),
  snip('empty module names in exports', src`
    export { default } from ''
    export * from ''
    export * as n from ''
    export { x as y } from 'm'
  `),
  snip('an elision in an object pattern', src`
    const { , b } = o
    export class A { x = 1 }
  `, { errors: 'outside' }),
  snip('destructuring patterns', src`
    export const { a, b: [c, , d = 1, ...e], ...f } = o
    export const [g, { h = 2 }] = arr
    export function k({ l, m: { n } }: P, [o2, p2]: Q) {}
  `),
  snip('a function declaration without a name', src`
    function* () {}
    export class K { k = 1 }
  `, { errors: 'outside' }),
  snip('a class static block with a syntax error', src`
    export class I {
      static {
        init()    const x = { a: 1 }
      }
      y = 1
    }
  `, { errors: 'outside' }),
  snip('an optional tuple member marker on the next line', src`
    export type F = [string, number
    ?]
  `, { errors: 'outside' }),
  snip('try without catch or finally', src`
    try { a() }
    export class A { x = 1 }
  `, { errors: 'outside' }),
  snip('try with catch and finally, and calls to functions named like statements', src`
    try { a() } catch (e: unknown) { b(e) } finally { c() }
    label()
    using(1)
    export class A { x = 1 }
  `),
  snip('expression statements and control flow', src`
    console.log('x')
    if (a) { b() } else if (c) d()
    else { e() }
    for (let i = 0; i < 10; i++) {}
    for (const k in o) {}
    for (const v of xs) {}
    for await (const v of ys) {}
    while (x) break
    do { x-- } while (x > 0)
    label: for (;;) { break label }
    switch (a) { case 1: { break } default: }
    try { t() } catch { } finally { }
    try { t() } catch (e) { throw e }
    throw new Error('x')
    debugger
    ;[1, 2].forEach((x) => x)
    ;(() => {})()
    ;({ a } = b)
    await x
    export const after = 1
  `),
  snip('functions with overloads', src`
    export function f(x: string): string
    export function f(x: number): number
    export function f(x: any): any { return x }
    declare function g(): void
    function h<T>(this: Window, ...rest: T[]): asserts this is T {}
    async function i() {}
    function* j() {}
    export class K {}
  `),
  snip('functions holding class-like text', src`
    export function f() {
      class Inner { x = 1 }
      const o = { class: 1, interface: 2 }
      return \`class X {}\`
    }
    export class K { k = 1 }
  `),
  snip('directive and empty statements', src`
    'use strict'
    ;;;
    export const a = 1;
  `),
  snip('line breaks after export and default', src`
    export
    class A {}
    export
    const b = 1
    export
    default
    class C {}
  `),
  snip('line breaks after declaration keywords', src`
    declare
    const x = 1
    abstract
    class D {}
    type
    T = string
    enum
    E {}
  `),
  snip('line breaks after interface and namespace', src`
    interface
    I {}
    namespace
    N {}
  `, { errors: 'outside' }),
  snip('line breaks inside export modifiers', src`
    export declare
    class E {}
    export abstract
    class F {}
  `, { errors: 'outside' }),
  snip('line break after export type', src`
    export type
    T = string
  `, { errors: 'outside' }),
  snip('line breaks after import type', src`
    import type
    X from "x"
    import type
    { Y } from "y"
    export type
    { Z }
  `),
  snip('a label that looks like a property', src`
    x: 1
    export const a = 1
  `),
  snip('object at statement start in a body', src`
    export function f() {
      ({ a: 1 })
      return { b: 2 }
    }
    export class C { c = 1 }
  `),
  snip('empty file', ''),
  snip('only a line break', '\n'),
  snip('only whitespace', '  \t\n\n   \n'),
  snip('only comments', src`
    // a comment
    /* another
       one */
    /** docs */
  `),
  snip('comment without a final line break', '// a comment'),
  snip('declaration without a final line break', 'export const a = 1'),
  snip('shebang line', '#!/usr/bin/env node\nexport const a = 1\nexport class B { b = 2 }\n'),
  snip('byte order mark', '\uFEFFexport const a = 1\n@dec export class B { b = 2 }\n'),
  snip('byte order mark and shebang', '\uFEFF#!/usr/bin/env node\nexport const a = 1\n', { errors: 'outside' }),
  snip('CRLF line endings', crlf(src`
    import { Entity, EntityBackup } from 'koan-backup'
    /** Docs */
    @EntityBackup({ encrypt: true })
    export class A extends Entity<A> {
      id: string = ''
      name = \`a
    b\`
      m() {
        return /x/
      }
    }
    export const c = { a: 1,
      b: 2 }
  `)),
  snip('lone CR line endings', 'export const a = 1\rexport const b = 2\r@dec\rexport class C {\r  c = 3\r}\r'),
  snip('mixed line endings', 'export const a = 1\r\nexport const b = 2\rexport const c = 3\nexport class D { d = 4 }\r\n'),
  snip('line separators in strings and comments', "export const s = 'x\u2028y'\nexport const b = 2\n// c \u2028 export const q = 1\n/* \u2029 */ export const d = 3\nexport class E { e = '\u2029'; f = 1 }\n"),
  snip('line separators in templates and regexes', "export const t = `a\u2028b${c}\u2029`\nexport class T { t = `\u2028`; u = 1 }\nexport const r = 1\n"),
  snip('line separator ending a regex', 'export const r = /a\u2028b/\nexport const s = 1\n', { errors: 'outside' }),
  snip('line separator between declarations', 'export const a = 1\u2028export const b = 2\u2029export class C { c = 3 }\n'),
  snip('unicode whitespace', 'export const a\u00A0= 1\u3000\nexport class\u2003B { b\u205F= 2 }\n'),
  snip('non-ASCII identifiers and strings', src`
    export class Café {
      naïve = 'crème brûlée'
      日本 = '語'
      emoji = '😀 👍'
    }
    export const Ω = 1
    export const s = '😀', after = 2
  `),
  snip('astral characters before positions', "export const a = '😀😀😀'; export const b = 1\nexport class 𝒳 { 𝓎 = 2 }\n"),
  snip('tab indentation', 'export class A {\n\tx = 1\n\ty: string\n}\n'),
  snip('vertical tab and form feed', 'export const a = 1\u000B\u000C\nexport class B { b = 2 }\n'),
]

/** Syntax errors, inside bodies and elsewhere. */
const errors: Snippet[] = [
  snip('unclosed class brace', 'export class A {\n  x = 1\n', { errors: 'outside' }),
  snip('unclosed method body', 'export class A {\n  m() {\n    return 1\n}\n', { errors: 'outside' }),
  snip('unclosed function body', 'export function f() {\n  return 1\nexport const a = 1\n', { errors: 'outside' }),
  snip('unclosed object in a const', 'export const o = { a: 1\nexport const b = 2\n', { errors: 'outside' }),
  snip('unclosed string at top level', "export const s = 'abc\nexport const b = 2\n", { errors: 'outside' }),
  snip('unclosed string in a body', "export function f() {\n  return 'abc\n}\nexport const b = 2\n", { errors: 'bodies' }),
  snip('unclosed template at top level', 'export const t = `abc\nexport const b = 2\n', { errors: 'outside' }),
  snip('unclosed template in a body', 'export function f() {\n  return `abc\n}\nexport const b = 2\n', { errors: 'outside' }),
  snip('unclosed template substitution', 'export const t = `a${b\nexport const c = 2\n', { errors: 'outside' }),
  snip('unclosed comment', 'export const a = 1\n/* never closed\nexport const b = 2\n', { errors: 'outside' }),
  snip('unclosed regex', 'export const r = /abc\nexport const b = 2\n', { errors: 'outside' }),
  snip('stray parenthesis at top level', 'export const a = 1)\nexport const b = 2\n', { errors: 'outside' }),
  snip('stray parenthesis in a body', 'export function f() {\n  g())\n}\nexport const b = 2\n', { errors: 'bodies' }),
  snip('stray closing brace at top level', 'export class A {}\n}\nexport const b = 2\n', { errors: 'outside' }),
  snip('stray brace inside a method closes the class', 'export class A {\n  m() { } }\n  x = 1\n}\n', { errors: 'outside' }),
  snip('missing initializer', 'export const a =\nexport const b = 2\n', { errors: 'outside' }),
  snip('missing initializer at the end', 'export const a = ', { errors: 'outside' }),
  snip('missing type', 'export interface I { a: }\ntype T = \n', { errors: 'outside' }),
  snip('missing enum value', 'export enum E { A = }\n', { errors: 'outside' }),
  snip('broken import', "import { a from 'x'\nimport b from\nexport const c = 1\n", { errors: 'outside' }),
  snip('class without a name', 'export class {}\n'),
  snip('decorator on a const', '@dec const x = 1\n'),
  snip('broken constructor parameters', 'export class A { constructor( }\n', { errors: 'outside' }),
  snip('error in a method body', 'export class A {\n  m() { if ( }\n  x = 1\n}\n', { errors: 'bodies' }),
  snip('error in a function body', 'export function f() { return 1 + }\nexport const a = 1\n', { errors: 'bodies' }),
  snip('error in an arrow body', 'export const f = () => { foo( }\nexport const a = 1\n', { errors: 'bodies' }),
  snip('error in a getter body', 'export class A {\n  get g() { return @ }\n  x = 1\n}\n', { errors: 'bodies' }),
  snip('error in a constructor body', 'export class A {\n  constructor() { let = ; }\n  x = 1\n}\n', { errors: 'bodies' }),
  snip('error at the end of an expression arrow', 'export const f = () => a +\nexport class X {}\n', { errors: 'outside' }),
  snip('a semicolon after a decorator', src`
    import { Entity, EntityBackup } from 'koan-backup';

    @EntityBackup({ encrypt: false });
    export class Invoice extends Entity<Invoice> {
      public id: string = '';
    }
  `, { errors: 'outside' }),
  snip('error in a decorator argument', '@dec({ a: }) export class A {}\n', { errors: 'outside' }),
  snip('error in a field initializer', 'export class A {\n  x = 1 +\n  y = 2\n}\n', { errors: 'outside' }),
  snip('error in a field type', 'export class A {\n  x: Map<string,\n  y = 2\n}\n', { errors: 'outside' }),
  snip('error in a static block', 'export class A {\n  static { if ( }\n  x = 1\n}\n', { errors: 'outside' }),
  snip('error in a namespace body', 'export namespace N {\n  export const x = \n}\nexport const a = 1\n', { errors: 'outside' }),
  snip('error in a declare module body', "declare module 'm' {\n  nterface Extra { a: string }\n}\nexport const a = 1\n", { errors: 'outside' }),
  snip('error in a declare global body', 'declare global {\n  interface Window { a: }\n}\nexport const a = 1\n', { errors: 'outside' }),
  snip('a NUL character', 'export const a = 1\u0000\nexport const b = 2\n', { errors: 'outside' }),
  snip('an invalid character', 'export const a = 1 # 2\n', { errors: 'outside' }),
  snip('an unterminated unicode escape', "export const a = '\\u{110000}'\n", { errors: 'outside' }),
  snip('a bad escape in an identifier', 'export const \\u00 = 1\n', { errors: 'outside' }),
  snip('a bad escape in a body string', "export function f() { return '\\u{zz}' }\nexport const a = 1\n", { errors: 'bodies' }),
]

/** Other file kinds (the reader may give up on any file that is not `.ts`, `.mts` or `.cts`). */
const fileKinds: Snippet[] = [
  snip('tsx with JSX in a body', src`
    export class A { a = 1; b = <div>{this.a}</div> }
    export function C() { return <p className="x">{\`\${1}\`} / {'}'}</p> }
    export const g = <T,>(x: T) => x
  `, { file: '/proj/src/x.tsx' }),
  snip('tsx type assertion is JSX', 'export const x = <T>y\n', { file: '/proj/src/x.tsx', errors: 'outside' }),
  snip('mts module', src`
    import { a } from './a.mjs'
    export class M { m = a }
    export default M
  `, { file: '/proj/src/x.mts' }),
  snip('cts module', src`
    import fs = require('node:fs')
    export class C { c = 1 }
    export = C
  `, { file: '/proj/src/x.cts' }),
  snip('js file with class fields', src`
    import { EntityBackup } from 'koan-backup'
    @EntityBackup({ encrypt: true })
    export class A { id = ''; count = 0 }
    export const b = 1 as number
  `, { file: '/proj/src/x.js' }),
  snip('mjs file', 'export const a = 1\nexport class B {}\n', { file: '/proj/src/x.mjs' }),
  snip('jsx file', 'export const a = <div />\nexport class B {}\n', { file: '/proj/src/x.jsx' }),
  snip('d.ts file', 'export declare class A { a: string }\nexport interface I { i: number }\n', { file: '/proj/src/x.d.ts' }),
]

/** The tricky snippet corpus, by theme. */
export const SNIPPET_GROUPS: Record<string, Snippet[]> = {
  lexical, asi, members, heritage, types, interfaces, enums, consts, modules, statements, errors, fileKinds,
}

/** All tricky snippets. */
export const SNIPPETS: Snippet[] = Object.values(SNIPPET_GROUPS).flat()

// -------------------------------------------------------------------------------------------------
// Ordinary declaration files: the reader must answer for these
// -------------------------------------------------------------------------------------------------

/** Plain files of the kinds a project is made of; TypeScript reports no syntax error in any of them. */
export const ORDINARY: Snippet[] = [
  snip('plain entity', src`
    import { Entity, EntityBackup } from 'koan-backup'

    @EntityBackup()
    export class User extends Entity<User> {
      id: string = ''
      email: string = ''
      age: number = 0
      active: boolean = true
      createdAt: Date = new Date()
    }
  `),
  snip('entity with options', src`
    import { Entity, EntityBackup } from 'koan-backup'
    import { Mode } from './mode'

    @EntityBackup({ encrypt: true, reason: 'Contains personal data', includeSchema: false })
    export class Customer extends Entity<Customer> {
      id = ''
      name = ''
      mode: Mode = Mode.Live
      tags: string[] = []
      notes?: string
    }
  `),
  snip('entity with embedding options', src`
    import { EntityBackup } from 'koan-backup'

    @EntityBackup({ embedding: { fields: ['title', 'description'], model: 'text-embedding-3-small' } })
    export class Article {
      title = ''
      description = ''
      published: Date | null = null
    }
  `),
  snip('entity without semicolons and with a method', src`
    import { Entity } from 'koan-backup'

    export class Order extends Entity<Order> {
      id: string = ''
      total: number = 0
      lines: Array<{ sku: string; qty: number }> = []

      label(): string {
        return \`\${this.id}: \${this.total.toFixed(2)}\`
      }
    }
  `),
  snip('entity with semicolons', src`
    import { Entity, EntityBackup } from 'koan-backup';

    @EntityBackup({ encrypt: false })
    export class Invoice extends Entity<Invoice> {
      public id: string = '';
      public amount: number = 0;
      public readonly currency: 'EUR' | 'USD' = 'EUR';
    }
  `),
  snip('entity with private state and parameter properties', src`
    export class Session {
      private token = ''
      #secret = 1
      constructor(public readonly id: string, public user?: string) {}
      expires: number = Date.now()
    }
  `),
  snip('abstract base', src`
    import { Entity } from 'koan-backup'

    /** Intermediate abstract base: its concrete subclasses are entities. */
    export abstract class Auditable<T> extends Entity<T> {
      createdAt: Date = new Date()
      createdBy: string = 'system'
      version: number = 1
    }
  `),
  snip('service class with methods', src`
    import { Clock } from './clock'

    export class Service {
      private clock = new Clock()

      stamp(): string {
        return this.clock.now().toISOString()
      }

      async load(id: string): Promise<string | null> {
        const res = await fetch(\`/api/\${id}\`)
        if (!res.ok) return null
        return res.text()
      }
    }
  `),
  snip('imports and exports', src`
    import def, { a, b as c, type D } from './a'
    import * as ns from './ns'
    import type { E } from './e'
    export { a, c as renamed }
    export { x, y as z } from './x'
    export * from './all'
    export * as all from './all'
    export type { E }
  `),
  snip('barrel file', src`
    export * from './auditable'
    export * from './utils'
    export type * from './types'
    export { default as Main } from './main'
  `),
  snip('interfaces', src`
    export interface Money {
      value: number
      currency: 'EUR' | 'USD' | 'GBP'
    }

    export interface Page<T> extends Base {
      items: T[]
      total: number
      next?: string | null
    }
  `),
  snip('type aliases with unions, literals and generics', src`
    export type Status = 'active' | 'archived' | 'deleted'
    export type Id = string | number
    export type Maybe<T> = T | null | undefined
    export type Pair<A, B = A> = [A, B]
    export type Handler = (event: Event) => void
    export type Dict = Record<string, unknown>
  `),
  snip('object type alias', src`
    export type Options = {
      name: string
      retries?: number
      mode: 'fast' | 'safe'
      nested: { deep: boolean }
    }
  `),
  snip('enums', src`
    export enum Color { Red, Green, Blue }
    export enum Level { Low = 1, Mid, High = 10 }
    export enum Kind { A = 'a', B = 'b' }
    export const enum Flag { None = 0, One = 1, Two = 2 }
  `),
  snip('consts with objects, arrays and calls', src`
    export const VERSION = '1.2.3'
    export const LIMIT = 100
    export const RATIO = -0.5
    export const FLAGS = { debug: false, level: 'info', nested: { a: [1, 2, 3] } }
    export const NAMES = ['a', 'b', 'c'] as const
    export const scope = defineBackupScope({ mode: 'all' })
    export const LOOKUP = new Map<string, number>()
  `),
  snip('consts referencing enums and other consts', src`
    import { Color } from './color'
    const BASE = { color: Color.Red }
    export const THEME = { ...BASE, accent: Color.Blue, size: LIMIT }
    export const LIMIT = 10
  `),
  snip('functions with regexes and templates in bodies', src`
    export function slug(s: string): string {
      return s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
    }

    export function describe(n: number, unit = 'px'): string {
      const half = n / 2
      return \`\${half}\${unit} / \${n / 4}\${unit} { }\`
    }

    export const isEmail = (s: string): boolean => /^[^@\s]+@[^@\s]+$/.test(s)
  `),
  snip('functions with nested braces and strings', src`
    export function render(items: string[]): string {
      const out = items.map((item) => {
        if (item === '}') return '{'
        return \`<li>\${item.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))}</li>\`
      })
      return ['<ul>', ...out, '</ul>'].join('\n')
    }
  `),
  snip('scope file', src`
    import { defineBackupScope } from 'koan-backup'

    export default defineBackupScope({ mode: 'all', encryptByDefault: true })
  `),
  snip('default export of a class', src`
    import { Entity } from 'koan-backup'

    export default class Note extends Entity<Note> {
      text = ''
    }
  `),
  snip('default export of an identifier', src`
    class Thing {
      a = 1
    }
    export default Thing
  `),
  snip('main file with the registry import', src`
    import { registry } from 'koan-backup/registry'
    import { User } from './user'

    export const entityClasses = [
      User,
    ]

    export const summary = {
      declared: entityClasses.length,
      registered: registry.entities.length,
    }
  `),
  snip('CRLF entity', crlf(src`
    import { Entity, EntityBackup } from 'koan-backup'

    @EntityBackup({ encrypt: true })
    export class Payment extends Entity<Payment> {
      id: string = ''
      amount: number = 0

      label(): string {
        return \`\${this.id}\`
      }
    }
  `)),
  snip('CRLF types and consts', crlf(src`
    export type Status = 'on' | 'off'
    export interface Box { status: Status; size: number }
    export const DEFAULT: Box = { status: 'on', size: 1 }
  `)),
  snip('comments everywhere', src`
    /**
     * File docs with { braces } and 'quotes'.
     */
    import { Entity } from 'koan-backup' // the base

    /* block */ export class Tagged extends Entity<Tagged> {
      /** The tags. */
      tags: string[] = [] // none yet
      // a comment line
      count = 0 /* trailing */
    }
  `),
  snip('class with getters, static members and methods', src`
    export class Counter {
      static instances = 0
      value = 0
      get doubled(): number {
        return this.value * 2
      }
      set doubled(v: number) {
        this.value = v / 2
      }
      static create(): Counter {
        Counter.instances++
        return new Counter()
      }
    }
  `),
  snip('class with generic field types', src`
    export class Cache<T> {
      entries: Map<string, T> = new Map()
      order: string[] = []
      limit: number = 100
      onEvict?: (key: string, value: T) => void
    }
  `),
  snip('declare and overloads', src`
    export function parse(s: string): number
    export function parse(s: number): number
    export function parse(s: string | number): number {
      return typeof s === 'number' ? s : Number(s)
    }
    declare const process: { env: Record<string, string | undefined> }
  `),
  snip('class implementing interfaces', src`
    import type { Repo, Item } from './types'

    export class MemoryRepo implements Repo<Item> {
      items: Item[] = []
      find(id: string): Item | undefined {
        return this.items.find((i) => i.id === id)
      }
    }
  `),
  snip('nullable and optional fields', src`
    export class Profile {
      bio: string | null = null
      avatar?: string
      website: string | undefined = undefined
      birthday!: Date
    }
  `),
  snip('arrow function consts', src`
    export const add = (a: number, b: number): number => a + b
    export const noop = () => {}
    export const toUpper = (s: string) => s.toUpperCase()
    export const wrap = <T>(x: T): T[] => [x]
  `),
  snip('top-level statements', src`
    import { setup } from './setup'

    setup()
    if (process.env.DEBUG) console.log('debug')
    export const ready = true
  `),
  snip('namespaces and declare module', src`
    export namespace Utils {
      export const x = 1
    }
    declare module 'koan-backup' {
      interface Extra { a: string }
    }
    export class After { a = 1 }
  `),
  snip('types file with tuples and readonly arrays', src`
    export type Point = [number, number]
    export type Names = readonly string[]
    export type Matrix = number[][]
    export interface Shape {
      points: Point[]
      name: string
    }
  `),
  snip('entity with decorated members', src`
    import { Entity, EntityBackup, Field } from 'koan-backup'

    @EntityBackup()
    export class Product extends Entity<Product> {
      @Field() sku: string = ''
      @Field({ min: 0 }) price: number = 0
    }
  `),
  snip('file with only imports and a side-effect import', src`
    import './polyfills'
    import { a } from './a'
    import type { B } from './b'
  `),
  snip('a file ending without a line break', 'export const a = 1\nexport class B { b = 2 }'),
  snip('byte order mark entity', '\uFEFFimport { Entity } from \'koan-backup\'\nexport class Bom extends Entity<Bom> {\n  id = \'\'\n}\n'),
  snip('string literal member names and values', src`
    export interface Headers {
      'content-type': string
      'x-request-id'?: string
    }
    export const HEADERS = { 'content-type': 'application/json', accept: '*/*' }
  `),
  snip('class with a constructor body', src`
    export class Point {
      x: number
      y: number
      constructor(x = 0, y = 0) {
        this.x = x
        this.y = y
      }
    }
  `),
]

// -------------------------------------------------------------------------------------------------
// The benchmark's generated files
// -------------------------------------------------------------------------------------------------

/**
 * The source files of a generated benchmark project (`bench/projects.mjs`, the files `npm run bench:scan`
 * measures): 300 entity files cover every entity variant (decorators, bases, helper classes), both kinds of
 * scope file, the shared modules and the main module.
 */
export function benchFiles(): Snippet[] {
  return projectFiles(300)
    .filter((f) => f.rel.endsWith('.ts'))
    .map((f) => ({ name: `bench ${f.rel}`, file: `/bench/p/${f.rel}`, text: f.text, errors: 'none' as const }))
}

// -------------------------------------------------------------------------------------------------
// Mutations
// -------------------------------------------------------------------------------------------------

/** A small edit of a source text. */
export interface Mutant {
  kind: 'space' | 'newline' | 'delete' | 'duplicate-line' | 'semicolon-to-newline'
  text: string
}

const WORD = /[\p{ID_Continue}$\u200c\u200d]/u

/** Offsets between two characters that are not both part of one word (where a token may end). */
function boundaries(text: string): number[] {
  const out: number[] = []
  for (let i = 1; i < text.length; i++) if (!(WORD.test(text[i - 1]!) && WORD.test(text[i]!))) out.push(i)
  return out
}

/** One random small edit of `text` (deterministic for a seeded `random`). */
export function mutate(text: string, random: () => number): Mutant {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
  const kinds: Array<Mutant['kind']> = ['space', 'newline', 'newline', 'delete', 'duplicate-line', 'semicolon-to-newline']
  let kind = pick(kinds)
  if (kind === 'semicolon-to-newline' && !text.includes(';')) kind = 'newline'
  if (text.length < 2) kind = 'newline'
  switch (kind) {
    case 'space':
    case 'newline': {
      const at = text.length < 2 ? 0 : pick(boundaries(text).concat([0]))
      return { kind, text: text.slice(0, at) + (kind === 'space' ? ' ' : '\n') + text.slice(at) }
    }
    case 'delete': {
      const at = Math.floor(random() * text.length)
      return { kind, text: text.slice(0, at) + text.slice(at + 1) }
    }
    case 'duplicate-line': {
      const lines = text.split('\n')
      const at = Math.floor(random() * lines.length)
      lines.splice(at, 0, lines[at]!)
      return { kind, text: lines.join('\n') }
    }
    case 'semicolon-to-newline': {
      const offsets = [...text.matchAll(/;/g)].map((m) => m.index)
      const at = pick(offsets)
      return { kind, text: text.slice(0, at) + '\n' + text.slice(at + 1) }
    }
  }
}

// -------------------------------------------------------------------------------------------------
// Where TypeScript reports syntax errors
// -------------------------------------------------------------------------------------------------

/**
 * TypeScript's syntax errors (all of them, not only the five the facts keep) that are not inside a function,
 * method, accessor, constructor or arrow body. A block body spans from after its `{` to its `}` included (an
 * unclosed body ends at the end of the file, where its error is: outside); an expression body (`=> a + b`)
 * spans its expression.
 */
export function errorsOutsideBodies(file: string, text: string): SyntaxError[] {
  loadTypeScript()
  const sf = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, scriptKind(file))
  const diags = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? []
  if (diags.length === 0) return []
  const bodies: Array<[number, number]> = []
  const visit = (node: ts.Node): void => {
    const body = ts.isFunctionLike(node) ? (node as { body?: ts.Node }).body : undefined
    if (body) {
      const start = body.getStart(sf)
      bodies.push(text[start] === '{' && body.kind === ts.SyntaxKind.Block ? [start + 1, body.end] : [start, body.end])
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return diags
    .filter((d) => !bodies.some(([from, to]) => d.start >= from && d.start < to))
    .map((d) => {
      const lc = sf.getLineAndCharacterOfPosition(d.start)
      return { message: ts.flattenDiagnosticMessageText(d.messageText, ' '), pos: { line: lc.line + 1, column: lc.character + 1 } }
    })
}
