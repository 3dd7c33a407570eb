import { describe, expect, it } from 'vitest'
import { jsonLiteral } from '../../plugin/core/generate/registry.js'

/** What a JavaScript engine reads a literal as. */
const valueOf = (literal: string): unknown => new Function(`return ${literal}`)()

describe('string literals of the generated module', () => {
  const awkward = ['', "it's", 'back\\slash', 'quote " and \' both', 'line\nbreak\r\nand\rreturn', '\u2028\u2029', '`tick` ${x} $ {y} $${z}', 'é 😀 \u0000 \ud800']

  it('jsonLiteral reads back as the same JSON text, in single quotes', () => {
    for (const s of awkward) {
      const json = JSON.stringify({ s, [s]: [s] })
      const literal = jsonLiteral(json)
      expect(literal.startsWith("'")).toBe(true)
      expect(valueOf(literal)).toBe(json)
    }
    // JSON's own quotes need no escape
    expect(jsonLiteral('{"a":"b"}')).toBe(`'{"a":"b"}'`)
  })
})
