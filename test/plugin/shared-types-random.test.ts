import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../plugin/core/options.js'
import { Analyzer } from '../../plugin/core/scan/analyze.js'
import { contentHash, parseFacts } from '../../plugin/core/scan/parse.js'
import { loadProject, ModuleResolver } from '../../plugin/core/scan/project.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'
import { isScopeFile } from '../../plugin/core/scan/scopes.js'
import { canonicalModel, fingerprintOf } from '../../runtime/schema/canonical.js'
import { codecClassIds, generateCodecProgram } from '../../runtime/schema/program.js'

/**
 * Random small projects whose entities share named types (interfaces, aliases, classes, interfaces
 * extending interfaces, aliases over arrays and objects, types referring to entities and to each
 * other): linking them with shared resolutions must give what resolving every type in every file
 * gives, and after a random edit of a types file, an incremental update must give a fresh scan.
 */

type Rand = () => number

const PRIMITIVES = ['string', 'number', 'boolean', 'Date', "'x' | 'y'", 'string[]', '() => void']

function typeText(r: Rand, names: string[]): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!
  const x = r()
  if (x < 0.35 || names.length === 0) return pick(PRIMITIVES)
  const name = pick(names)
  return x < 0.6 ? name : x < 0.75 ? `${name}[]` : x < 0.9 ? `${name} | null` : `{ inner: ${name} }`
}

/** Files of one random project: type declarations in t0–t2, entities in e0–e3 (each file imports every name it may use). */
function project(r: Rand): Record<string, string> {
  const types = Array.from({ length: 6 }, (_, i) => ({ name: `T${i}`, file: `t${i % 3}`, kind: Math.floor(r() * 6) }))
  const entities = Array.from({ length: 4 }, (_, i) => `E${i}`)
  const files: Record<string, string[]> = {}
  const body = (file: string) => (files[file] ??= [])
  const typeNames = types.map((t) => t.name)
  for (const t of types) {
    const others = [...typeNames.filter((n) => n !== t.name), ...entities]
    const fields = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, k) => `  f${k}: ${typeText(r, others)}`)
    const interfaces = types.filter((o) => o.kind === 0 && o.name !== t.name).map((o) => o.name)
    if (t.kind === 0) body(t.file).push(`export interface ${t.name}${interfaces.length && r() < 0.4 ? ` extends ${interfaces[Math.floor(r() * interfaces.length)]}` : ''} {\n${fields.join('\n')}\n}`)
    else if (t.kind === 1) body(t.file).push(`export type ${t.name} = ${r() < 0.5 ? `{ ${fields.map((f) => f.trim()).join('; ')} }` : typeText(r, others)}`)
    else if (t.kind === 2) body(t.file).push(`export class ${t.name} {\n${fields.map((f) => `${f.replace(':', '!:')}`).join('\n')}\n}`)
    else if (t.kind === 3) body(t.file).push(`class Local${t.name} { v = 1 }\nexport interface ${t.name} {\n  local: Local${t.name}\n${fields.join('\n')}\n}`)
    else if (t.kind === 4) {
      // a class extending another project class (fields inherited across files), or an entity
      const classes = types.filter((o) => o.kind === 2 && o.name !== t.name).map((o) => o.name)
      const base = classes.length && r() < 0.7 ? classes[Math.floor(r() * classes.length)]! : `Entity<${t.name}>`
      body(t.file).push(`export class ${t.name} extends ${base} {\n${fields.map((f) => `${f.replace(':', '!:')}`).join('\n')}\n}`)
    } else body(t.file).push(`export enum ${t.name} { A = 'a', B = 'b'${r() < 0.5 ? ', C = 3' : ''} }`)
  }
  const out: Record<string, string> = {}
  const header = (self: string) => {
    const imports = [...new Set(types.filter((t) => t.file !== self).map((t) => t.file))].map((f) => `import { ${types.filter((t) => t.file === f).map((t) => t.name).join(', ')} } from './${f}'`)
    const entityImports = entities.filter((e) => `e${e.slice(1)}` !== self).map((e) => `import type { ${e} } from './e${e.slice(1)}'`)
    return [...imports, ...entityImports].join('\n')
  }
  for (const [file, decls] of Object.entries(files)) out[`src/${file}.ts`] = `import { Entity } from 'koan-backup'\n${header(file)}\n\n${decls.join('\n\n')}\n`
  for (let i = 0; i < entities.length; i++) {
    const fields = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, k) => `  g${k}!: ${typeText(r, [...typeNames, ...entities.filter((e) => e !== entities[i])])}`)
    out[`src/e${i}.ts`] = `import { Entity } from 'koan-backup'\n${header(`e${i}`)}\n\nexport class ${entities[i]} extends Entity<${entities[i]}> {\n  id = ''\n${fields.join('\n')}\n}\n`
  }
  out['src/backup.scope.ts'] = "import { defineBackupScope } from 'koan-backup'\n\nexport default defineBackupScope({ mode: 'all' })\n"
  out['tsconfig.json'] = JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true }, include: ['src'] })
  return out
}

function link(root: string, share: boolean) {
  const options = resolveOptions({ root, cache: false, dts: false })
  const listing = loadProject(options.root, options.tsconfig)
  const fileSet = new Set(listing.files)
  const facts = new Map(listing.files.map((f) => { const text = readFileSync(f, 'utf8'); return [f, parseFacts(f, text, contentHash(text))] }))
  return new Analyzer({ share }).analyze({
    options, files: listing.files.filter((f) => !isScopeFile(f)), scopeFiles: listing.files.filter(isScopeFile),
    facts: (f) => facts.get(f), resolver: new ModuleResolver(listing.compilerOptions, (f) => fileSet.has(f)),
  }, 'all')
}

describe('shared named types on random projects', () => {
  it('60 projects: shared equals separate; after random edits of type files, update() equals a fresh scan', () => {
    let seed = 17
    const r: Rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let round = 0; round < 60; round++) {
      const root = mkdtempSync(join(tmpdir(), 'kb-shared-rand-'))
      try {
        const files = project(r)
        for (const [rel, text] of Object.entries(files)) {
          mkdirSync(join(root, rel, '..'), { recursive: true })
          writeFileSync(join(root, rel), text)
        }
        const shared = link(root, true)
        expect({ round, registry: shared }).toEqual({ round, registry: link(root, false) })
        // every fingerprint is its entity's own canonical model's (as a backup records it)
        for (const e of shared.entities) expect({ round, e: e.name, f: e.fingerprint }).toEqual({ round, e: e.name, f: fingerprintOf(canonicalModel(e.shape!, shared.shapes)) })
        // the generated module imports exactly the classes the codec program takes
        expect({ round, classes: codecClassIds(shared) }).toEqual({ round, classes: generateCodecProgram(shared).classIds })
        const scanner = new Scanner(resolveOptions({ root, cache: false, dts: false }))
        scanner.scan()
        for (let edit = 0; edit < 3; edit++) {
          // replace one type file by the same file of another random project (same names, other shapes)
          const rel = `src/t${Math.floor(r() * 3)}.ts`
          const other = project(r)[rel]
          if (other === undefined) continue
          writeFileSync(join(root, rel), other)
          const updated = scanner.update(join(root, rel))
          expect({ round, edit, rel, registry: updated }).toEqual({ round, edit, rel, registry: new Scanner(resolveOptions({ root, cache: false, dts: false })).scan() })
        }
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    }
  })
})
