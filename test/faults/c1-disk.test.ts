/**
 * C1-4 disk full at a random byte, C1-5 an error at each fs step of each artefact, C1-6 rename
 * EPERM/EBUSY retried within a bounded budget. All through the BackupFs seam, in-process.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BackupFs } from '../../runtime/engine/fs.js'
import { realFs } from '../../runtime/engine/fs.js'
import { rowsHash } from './c1-support.js'
import { figure, MODES, modeEngine, removeDir, scaled, tempDir, withSeed, type Mode } from './harness.js'

const roots: string[] = []
afterAll(() => { for (const r of roots) removeDir(r) })
const fault = (code: string, what: string) => Object.assign(new Error(`${code}: ${what} (injected)`), { code })

/** Every file and folder under `dir` (relative), for leftover checks. */
function walk(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split('\\').join('/'))
}

/** A root holding one good backup of `mode` (the acknowledged state) and an engine factory over it. */
async function withGoodBackup(mode: Mode, rows = 200) {
  const root = tempDir('c1-disk')
  roots.push(root)
  const good = await modeEngine(mode, { path: root })
  await good.seed(rows)
  const first = await good.create()
  const pointer = readFileSync(join(root, mode.fullName, 'latest'))
  return { root, good, first, pointer, hash: rowsHash(await good.rows()) }
}

/** What must hold after a failed backup: nothing visible changed, `latest` restores the good backup. */
async function unchanged(mode: Mode, g: Awaited<ReturnType<typeof withGoodBackup>>, label: string, allowLeftovers = false): Promise<string[]> {
  const out: string[] = []
  if (!readFileSync(join(g.root, mode.fullName, 'latest')).equals(g.pointer)) out.push(`${label}: latest changed`)
  const e = await modeEngine(mode, { path: g.root })
  const list = await e.api.list()
  const completed = list.filter((b) => b.status === 'Completed').map((b) => b.timestamp)
  if (JSON.stringify(completed) !== JSON.stringify([g.first.timestamp])) out.push(`${label}: Completed backups are ${JSON.stringify(completed)}`)
  if (list.some((b) => b.status === 'Unregistered' || b.status === 'Unreadable')) out.push(`${label}: a partial backup is visible: ${JSON.stringify(list.map((b) => b.status))}`)
  if (!list.some((b) => b.timestamp === g.first.timestamp)) out.push(`${label}: the good backup is gone (retention ran?)`)
  const leftovers = walk(g.root).filter((p) => /(^|\/)\.staging-|\.tmp$/.test(p) && !/\.staging-[^/]*\//.test(p))
  if (leftovers.length && !allowLeftovers) out.push(`${label}: leftovers ${leftovers.join(', ')}`)
  const r = await e.api.restore()
  if (r.timestamp !== g.first.timestamp || rowsHash(await e.rows()) !== g.hash) out.push(`${label}: latest restored ${r.timestamp}, not the good backup`)
  return out
}

// ---------------------------------------------------------------- C1-4

/** Fails the write that crosses byte `k` (counted over every file the run writes) with ENOSPC, once. */
function enospcAt(k: number, state: { written: number; fired: boolean }): BackupFs {
  const cross = (n: number) => !state.fired && state.written + n > k
  return {
    ...realFs,
    async open(path, flags, mode) {
      const handle = await realFs.open(path, flags, mode)
      const writeFile = handle.writeFile.bind(handle)
      handle.writeFile = async (data, options) => {
        const bytes = Buffer.from(data as string | Uint8Array)
        if (cross(bytes.length)) {
          state.fired = true
          await writeFile(bytes.subarray(0, k - state.written), options)
          throw fault('ENOSPC', 'no space left on device')
        }
        state.written += bytes.length
        return writeFile(bytes, options)
      }
      const createWriteStream = handle.createWriteStream.bind(handle)
      handle.createWriteStream = (options) => {
        const stream = createWriteStream(options)
        const write = stream._write.bind(stream)
        stream._write = (chunk: Buffer, enc, cb) => {
          if (cross(chunk.length)) {
            state.fired = true
            return write(chunk.subarray(0, k - state.written), enc, () => cb(fault('ENOSPC', 'no space left on device')))
          }
          state.written += chunk.length
          return write(chunk, enc, cb)
        }
        return stream
      }
      return handle
    },
  }
}

describe('C1-4 ENOSPC at a random byte offset', () => {
  const TRIALS = scaled(100)
  it(`${TRIALS} injections over the four modes`, () => withSeed('C1-4', async (r) => {
    const violations: string[] = []
    let completed = 0
    let failedWithErrno = 0
    let latestKept = 0
    for (const mode of MODES) {
      const g = await withGoodBackup(mode, 800)
      // how many bytes a whole backup writes (all files, locks included)
      const probe = { written: 0, fired: true }
      const measure = await modeEngine(mode, { path: tempDir('c1-4-probe'), store: g.good.store, fs: enospcAt(Infinity, probe) })
      roots.push(measure.path)
      await measure.create()
      const total = probe.written
      for (let t = 0; t < TRIALS / MODES.length; t++) {
        const k = r.int(total)
        const label = `${mode.name} ENOSPC at byte ${k}/${total}`
        const state = { written: 0, fired: false }
        const e = await modeEngine(mode, { path: g.root, store: g.good.store, fs: enospcAt(k, state) })
        const before = (await e.api.list()).length
        const error = await e.create().then(() => null, (x: Error) => x)
        if (!error) {
          completed++
          violations.push(`${label}: the backup completed`)
          continue
        }
        if (!error.message.includes('ENOSPC')) violations.push(`${label}: the error does not name ENOSPC: ${error.message}`)
        const list = await e.api.list()
        const added = list.slice(before)
        if (added.some((b) => b.status === 'Failed' && b.errorMessage?.includes('ENOSPC'))) failedWithErrno++
        const found = await unchanged(mode, g, label)
        if (!found.some((f) => f.includes('latest changed'))) latestKept++
        violations.push(...found)
      }
    }
    const leftover = walk(roots.at(-1)!).filter((p) => /\.tmp$/.test(p)).length
    figure('C1-4', `${TRIALS} injections: ${completed} Completed, ${leftover} leftover temp files, latest unchanged ${latestKept}/${TRIALS}, ` +
      `Failed with the errno recorded ${failedWithErrno}/${TRIALS}${failedWithErrno < TRIALS ? ' (the others failed where no record can be written: lock or manifest)' : ''}, no retry, retention not run`)
    expect(violations).toEqual([])
  }), 240_000)
})

// ---------------------------------------------------------------- C1-5

const STEPS = ['open', 'write', 'fsync', 'close', 'rename', 'fsync-dir', 'unlink'] as const
const ARTEFACTS = {
  data: { file: /\/\.staging-[^/]+\/data\.json(\.gz)?$/, renamed: /\/\.staging-[^/]+$/ },
  metadata: { file: /\/\.staging-[^/]+\/metadata\.json\.[^/]+\.tmp$/, renamed: /\/\.staging-[^/]+\/metadata\.json\.[^/]+\.tmp$/ },
  manifest: { file: /\/manifest\.json\.[^/]+\.tmp$/, renamed: /\/manifest\.json\.[^/]+\.tmp$/ },
  pointer: { file: /\/latest\.[^/]+\.tmp$/, renamed: /\/latest\.[^/]+\.tmp$/ },
} as const
type Artefact = keyof typeof ARTEFACTS

/**
 * Fails `step` of `artefact` once with `code`. `unlink` fails the clean-up: the artefact's write
 * fails first (EIO), then removing its temp file or staging folder fails with `code`.
 */
function failingStep(step: (typeof STEPS)[number], artefact: Artefact, code: string): BackupFs {
  const a = ARTEFACTS[artefact]
  let fired = false
  let armedDir = false
  const once = (what: string) => {
    fired = true
    return fault(code, `${step} of ${artefact} (${what})`)
  }
  const writeStep = step === 'write' || step === 'unlink'
  const writeCode = step === 'unlink' ? 'EIO' : code
  return {
    ...realFs,
    // EACCES/EPERM renames are retried (C1-6): keep that short here, and fail them every time
    renameRetryMs: 200,
    async open(path, flags, mode) {
      const p = String(path)
      if (step === 'open' && !fired && a.file.test(p)) throw once(p)
      const handle = await realFs.open(path, flags, mode)
      if (!a.file.test(p)) return handle
      if (writeStep) {
        const writeFile = handle.writeFile.bind(handle)
        handle.writeFile = async (data, options) => {
          if (!fired) { fired = step !== 'unlink'; throw fault(writeCode, `write of ${artefact}`) }
          return writeFile(data, options)
        }
        const createWriteStream = handle.createWriteStream.bind(handle)
        handle.createWriteStream = (options) => {
          const stream = createWriteStream(options)
          const write = stream._write.bind(stream)
          stream._write = (chunk, enc, cb) => (!fired ? (fired = step !== 'unlink', cb(fault(writeCode, `write of ${artefact}`))) : write(chunk, enc, cb))
          return stream
        }
      }
      if (step === 'fsync') {
        const sync = handle.sync.bind(handle)
        handle.sync = async () => { if (!fired) throw once(p); return sync() }
      }
      if (step === 'close') {
        const close = handle.close.bind(handle)
        handle.close = async () => { await close(); if (!fired) throw once(p) }
      }
      return handle
    },
    async rename(from, to) {
      if (step === 'rename' && a.renamed.test(String(from))) throw once(String(from))
      await realFs.rename(from, to)
      if (step === 'fsync-dir' && a.renamed.test(String(from))) armedDir = true
    },
    async fsyncDir(dir) {
      if (step === 'fsync-dir' && armedDir && !fired) throw once(dir)
      return realFs.fsyncDir(dir)
    },
    async rm(path, options) {
      const p = String(path)
      if (step === 'unlink' && !fired && (a.file.test(p) || (artefact === 'data' && a.renamed.test(p)))) throw once(p)
      return realFs.rm(path, options)
    },
  }
}

describe('C1-5 an error at each fs step × artefact', () => {
  it(`${STEPS.length} steps × ${Object.keys(ARTEFACTS).length} artefacts`, () => withSeed('C1-5', async (r) => {
    const violations: string[] = []
    const table: string[] = []
    let surfaced = 0
    let silent = 0
    let visible = 0
    for (const step of STEPS) {
      for (const artefact of Object.keys(ARTEFACTS) as Artefact[]) {
        const code = r.pick(['EIO', 'EACCES', 'EMFILE'])
        const mode = MODES[r.int(MODES.length)]!
        const label = `${step} × ${artefact} (${code}, ${mode.name})`
        const g = await withGoodBackup(mode)
        const e = await modeEngine(mode, { path: g.root, store: g.good.store, fs: failingStep(step, artefact, code) })
        const error = await e.create().then(() => null, (x: Error) => x)
        const expectCode = step === 'unlink' ? 'EIO' : code
        if (!error) { silent++; violations.push(`${label}: silent success`); table.push(`${label}: silent success`); continue }
        if (error.message.includes(expectCode)) surfaced++
        else violations.push(`${label}: the error does not carry ${expectCode}: ${error.message}`)
        // a failed clean-up leaves an invisible staging folder or temp file, swept by the next backup
        const found = await unchanged(mode, g, label, step === 'unlink')
        if (found.some((f) => /partial|Completed backups/.test(f))) visible++
        violations.push(...found)
        if (step === 'unlink') {
          await g.good.create()
          const left = walk(g.root).filter((p) => /(^|\/)\.staging-/.test(p) && !/\.staging-[^/]*\//.test(p))
          if (left.length) violations.push(`${label}: staging not swept by the next backup: ${left.join(', ')}`)
        }
        table.push(`${label}: ${error.message.includes(expectCode) ? 'surfaced' : 'NOT surfaced'}`)
      }
    }
    process.stdout.write(`[faults] C1-5 cases:\n  ${table.join('\n  ')}\n`)
    const n = STEPS.length * Object.keys(ARTEFACTS).length
    figure('C1-5', `${surfaced}/${n} cases: error surfaced, ${silent} silent successes, ${visible} visible partials`)
    expect(violations).toEqual([])
  }), 240_000)
})

// ---------------------------------------------------------------- C1-6

/** `rename` of the target fails `k` times with `code`, then works; `renameRetryMs` as given. */
function flakyRename(target: RegExp, code: string, k: number, budgetMs: number, calls: { n: number }): BackupFs {
  return {
    ...realFs,
    renameRetryMs: budgetMs,
    async rename(from, to) {
      if (target.test(String(from)) && calls.n++ < k) throw fault(code, `rename ${from}`)
      return realFs.rename(from, to)
    },
  }
}

describe('C1-6 rename EPERM/EBUSY: bounded retry', () => {
  it('retry succeeds within the budget; a rename that keeps failing fails cleanly once it is spent', () => withSeed('C1-6', async () => {
    const budget = 800
    const violations: string[] = []
    let succeeded = 0
    let clean = 0
    let cases = 0
    const targets = { staging: /\/\.staging-[^/]+$/, manifest: /manifest\.json\.[^/]+\.tmp$/, pointer: /\/latest\.[^/]+\.tmp$/ }
    for (const [name, target] of Object.entries(targets)) {
      for (const code of ['EPERM', 'EBUSY']) {
        for (const k of [1, 3, Infinity]) {
          cases++
          const mode = MODES[0]!
          const label = `${name} ${code} ×${k}`
          const g = await withGoodBackup(mode)
          const calls = { n: 0 }
          const e = await modeEngine(mode, { path: g.root, store: g.good.store, fs: flakyRename(target, code, k, budget, calls) })
          const started = Date.now()
          const result = await e.create().then((x) => x, (x: Error) => x)
          const took = Date.now() - started
          if (k !== Infinity) {
            if (result instanceof Error) violations.push(`${label}: failed although the rename worked on try ${k + 1}: ${result.message}`)
            else {
              succeeded++
              await e.api.verify(result.timestamp, { readData: true })
            }
          } else {
            if (!(result instanceof Error)) { violations.push(`${label}: succeeded`); continue }
            if (!result.message.includes(code)) violations.push(`${label}: error without ${code}: ${result.message}`)
            // the backup's rename, then the clean-up writes: each retried at most `budget`
            if (took > budget * 4 + 2000) violations.push(`${label}: took ${took} ms (budget ${budget} ms a rename)`)
            const found = await unchanged(mode, g, label)
            if (found.length === 0) clean++
            violations.push(...found)
          }
        }
      }
    }
    figure('C1-6', `${cases} cases (staging, manifest, pointer × EPERM, EBUSY × 1, 3, ∞ failures; budget ${budget} ms here, 5 s by default): ` +
      `retry succeeded ${succeeded}/${(cases / 3) * 2} when k < budget; clean failure ${clean}/${cases / 3} otherwise`)
    expect(violations).toEqual([])
  }), 120_000)
})
