/**
 * C5 — concurrency and locks (RELIABILITY-MATRIX rows 33, 34, 35, 37): concurrent creates from
 * several engines and processes on one root, deletes racing restores, locks left by killed processes,
 * and a flood of backups against the retention policy.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { acquireLock } from '../../runtime/engine/lock.js'
import { realFs } from '../../runtime/engine/fs.js'
import { engine } from '../engine/setup.js'
import { figure, fixtureBundle, MODES, modeEngine, removeDir, scaled, tempDir, withSeed } from './harness.js'

const CHILD = fileURLToPath(new URL('./c5-child.mts', import.meta.url))
const REPO = fileURLToPath(new URL('../..', import.meta.url))
const MEDIA = MODES[0]!
const dirs: string[] = []
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const d of dirs.splice(0)) removeDir(d)
})

/** Starts the C5 child (from source through tsx); resolves `ready` when it prints `ready`, `done` when it exits. */
function child(args: string[]) {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(p)
  let stdout = ''
  let stderr = ''
  let onReady: () => void = () => {}
  const ready = new Promise<void>((r) => { onReady = r })
  p.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (stdout.includes('ready\n')) onReady()
  })
  p.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.on('close', (code, signal) => r({ code, signal })))
  const hard = setTimeout(() => p.kill('SIGKILL'), 120_000)
  void done.then(() => clearTimeout(hard))
  return { process: p, ready, done, out: () => stdout, err: () => stderr }
}

const codeOf = (e: unknown) => (e as { code?: string }).code ?? String(e)

describe('C5 concurrency, locks, eviction', () => {
  it('C5-33 50 concurrent creates of one entity per wave (2 engines + 3 processes): unique dirs, manifest == Completed', () => withSeed('C5-33', async () => {
    const waves = scaled(6)
    const root = tempDir('c5-33')
    dirs.push(root)
    const registry = await fixtureBundle()
    const start = Date.now() + 4000
    const plan = { waves: Array.from({ length: waves }, (_, k) => start + k * 700), perWave: 10 }
    const planFile = join(root, '..', `${root.split('/').pop()}-plan.json`)
    writeFileSync(planFile, JSON.stringify(plan))
    dirs.push(planFile)
    const procs = [0, 1, 2].map(() => child(['creates', registry, root, planFile]))
    const engines = await Promise.all([0, 1].map(async () => {
      const e = await modeEngine(MEDIA, { path: root })
      await e.seed(200)
      return e
    }))
    await Promise.all(procs.map((p) => p.ready))
    // a reader parsing manifest.json as fast as it can the whole time
    let reads = 0
    let parseErrors = 0
    let reading = true
    const reader = (async () => {
      while (reading) {
        try {
          const text = readFileSync(join(root, 'manifest.json'), 'utf8')
          reads++
          JSON.parse(text)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') parseErrors++
        }
        await new Promise((r) => setTimeout(r, 1))
      }
    })()
    const results: Array<{ ok?: string; code?: string }> = []
    for (const at of plan.waves) {
      await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())))
      const settled = await Promise.allSettled(engines.flatMap((e) => Array.from({ length: plan.perWave }, () => e.api.create({ compress: false }))))
      for (const s of settled) results.push(s.status === 'fulfilled' ? { ok: s.value.timestamp } : { code: codeOf(s.reason) })
    }
    const exits = await Promise.all(procs.map((p) => p.done))
    reading = false
    await reader
    for (const [i, p] of procs.entries()) {
      expect(exits[i]!.code, p.err()).toBe(0)
      for (const line of p.out().split('\n')) if (line.startsWith('{')) results.push(JSON.parse(line))
    }
    expect(results).toHaveLength(waves * 50)
    const ok = results.filter((x) => x.ok).map((x) => x.ok!)
    const codes = new Map<string, number>()
    for (const x of results) if (x.code) codes.set(x.code, (codes.get(x.code) ?? 0) + 1)
    const folders = readdirSync(join(root, MEDIA.fullName)).filter((n) => /^\d{4}-/.test(n))
    const completed = folders.filter((n) => JSON.parse(readFileSync(join(root, MEDIA.fullName, n, 'metadata.json'), 'utf8')).status === 'Completed')
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { backups: Array<{ entity: string; timestamp: string; status: string }> }
    const listed = manifest.backups.filter((b) => b.status === 'Completed').map((b) => b.timestamp).sort()
    expect(new Set(ok).size).toBe(ok.length)
    expect([...codes.keys()].filter((c) => c !== 'BUSY')).toEqual([])
    expect(listed).toEqual([...ok].sort())
    expect(completed.sort()).toEqual([...ok].sort())
    expect(folders.filter((n) => !completed.includes(n))).toEqual([])
    expect(parseErrors).toBe(0)
    expect(ok.length).toBeGreaterThanOrEqual(waves)
    const suffixed = ok.filter((t) => /Z-\d+$/.test(t)).length
    figure('C5-33', `${waves} waves × 50 concurrent creates (20 from 2 engines in the test process, 30 from 3 child processes): ${ok.length} Completed, ${codes.get('BUSY') ?? 0} BUSY (the lock's 409), 0 other errors; manifest entries == Completed (${listed.length}/${ok.length}); 0 manifest parse errors in ${reads} concurrent reads; 0 dir collisions (${ok.length} distinct timestamps, ${suffixed} with a same-second suffix)`)
  }))

  it('C5-34 delete and prune racing a restore of the same backup: 0 restores reading a deleted file', () => withSeed('C5-34', async (r) => {
    const trials = scaled(16)
    const outcomes = new Map<string, number>()
    let bad = 0
    const root = tempDir('c5-34')
    dirs.push(root)
    const source = await modeEngine(MEDIA, { path: root })
    await source.seed(8000)
    for (let t = 0; t < trials; t++) {
      const { timestamp } = await source.create()
      const reader = await modeEngine(MEDIA, { path: root })
      const deleter = await modeEngine(MEDIA, { path: root })
      const prune = t % 4 === 3
      // either side may start first, by up to a few ms, or the removal later by up to 40 ms
      const removeFirst = t % 2 === 1
      const startRemoval = () => (prune ? deleter.backup.prune({ maxBackupsPerEntity: 1, retentionDays: 0 }) : deleter.api.delete(timestamp)).then(() => 'removed', (e) => codeOf(e))
      let removal: Promise<string> | undefined
      if (removeFirst) {
        removal = startRemoval()
        await new Promise((res) => setTimeout(res, r.int(4)))
      }
      const restore = reader.api.restore({ timestamp }).then(() => 'restored', (e) => codeOf(e))
      if (!removeFirst) {
        await new Promise((res) => setTimeout(res, r.int(40)))
        removal = startRemoval()
      }
      const [restored, removed] = await Promise.all([restore, removal!])
      const key = `${prune ? 'prune' : 'delete'}: restore ${restored}, ${prune ? 'prune' : 'delete'} ${removed}`
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
      // a restore either completes with every row, or never found the backup; anything else read a vanishing file
      if (restored === 'restored') expect((await reader.rows()).length).toBe(8000)
      else if (restored !== 'NOT_FOUND' && restored !== 'BUSY') bad++
      if (removed !== 'removed' && removed !== 'BUSY') bad++
    }
    expect(bad).toBe(0)
    figure('C5-34', `0 restores reading a deleted file in ${trials} races (delete or prune 0–4 ms before or 0–40 ms after the restore starts, separate engine instances on one root): ${[...outcomes].map(([k, n]) => `${n}× ${k}`).join('; ')}; the restore holds the entity lock (exclusive, not shared), delete/prune get BUSY (409) rather than waiting`)
  }))

  it('C5-35 a lock left by kill -9 is cleared and logged; racing breakers never make two holders', () => withSeed('C5-35', async () => {
    const root = tempDir('c5-35')
    dirs.push(root)
    const e = await modeEngine(MEDIA, { path: root })
    await e.seed(100)
    const lockFile = join(root, MEDIA.fullName, '.lock')
    await realFs.mkdir(join(root, MEDIA.fullName), { recursive: true })
    // a live holder in another process: BUSY, no double holder
    const holder = child(['hold-lock', lockFile])
    await holder.ready
    const busy = codeOf(await e.create().catch((x) => x))
    expect(busy).toBe('BUSY')
    holder.process.kill('SIGKILL')
    await holder.done
    const deadPid = holder.process.pid!
    const killedAt = performance.now()
    const result = await e.create()
    const clearedMs = performance.now() - killedAt
    expect(result.status).toBe('Completed')
    expect(e.warnings.some((w) => w.includes(`removed a stale lock of pid ${deadPid}`))).toBe(true)
    // killed in the middle of a real backup
    const registry = await fixtureBundle()
    const killedBackups = scaled(3)
    let recovered = 0
    for (let k = 0; k < killedBackups; k++) {
      const c = child(['backup', registry, root, '60000'])
      await c.ready
      await new Promise((res) => setTimeout(res, 150 + 100 * k))
      c.process.kill('SIGKILL')
      const exit = await c.done
      expect(exit.signal).toBe('SIGKILL')
      const x = await modeEngine(MEDIA, { path: root })
      await x.seed(10)
      if ((await x.create()).status === 'Completed' && x.warnings.some((w) => w.includes(`stale lock of pid ${c.process.pid}`) || !existsSync(lockFile))) recovered++
    }
    // other kinds of stale and fresh locks
    const kinds: Array<[string, () => void, string]> = [
      ['torn (empty) lock, 2 s old', () => { writeFileSync(lockFile, ''); const t = new Date(Date.now() - 2000); utimesSync(lockFile, t, t) }, 'Completed'],
      ['torn (empty) lock, just written', () => writeFileSync(lockFile, ''), 'BUSY'],
      ['another host, not refreshed for 2 min', () => { writeFileSync(lockFile, JSON.stringify({ pid: 1, host: 'other-host', purpose: 'backup', since: '' })); const t = new Date(Date.now() - 120_000); utimesSync(lockFile, t, t) }, 'Completed'],
      ['another host, refreshed now', () => writeFileSync(lockFile, JSON.stringify({ pid: 1, host: 'other-host', purpose: 'backup', since: '' })), 'BUSY'],
    ]
    const kindResults: string[] = []
    for (const [name, plant, expected] of kinds) {
      plant()
      const got = await e.create().then((x) => x.status as string, codeOf)
      expect(got, name).toBe(expected)
      kindResults.push(`${name}: ${got}`)
      await realFs.rm(lockFile, { force: true })
    }
    // racing breakers: in-process (8 acquirers) and across 4 processes, on locks of a dead pid
    const trials = scaled(8)
    let holds = 0
    let doubles = 0
    for (let t = 0; t < trials; t++) {
      const dir = tempDir('c5-35-race')
      dirs.push(dir)
      const file = join(dir, '.lock')
      writeFileSync(file, JSON.stringify({ pid: deadPid, host: hostname(), purpose: 'backup', since: '' }))
      await Promise.all(Array.from({ length: 8 }, async () => {
        const lock = await acquireLock(realFs, file, 'race', { waitMs: 10_000 })
        holds++
        try {
          writeFileSync(join(dir, 'holder'), '', { flag: 'wx' })
        } catch {
          doubles++
          await lock.release()
          return
        }
        await new Promise((res) => setTimeout(res, 2))
        await realFs.rm(join(dir, 'holder'))
        await lock.release()
      }))
    }
    const processTrials = scaled(10)
    const plan = { trials: [] as Array<{ lock: string; holder: string; at: number }> }
    const at0 = Date.now() + 3000
    for (let t = 0; t < processTrials; t++) {
      const dir = tempDir('c5-35-procs')
      dirs.push(dir)
      writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: deadPid, host: hostname(), purpose: 'backup', since: '' }))
      plan.trials.push({ lock: join(dir, '.lock'), holder: join(dir, 'holder'), at: at0 + t * 400 })
    }
    const planFile = join(dirs.at(-1)!, 'plan.json')
    writeFileSync(planFile, JSON.stringify(plan))
    const racers = [0, 1, 2, 3].map(() => child(['race', planFile]))
    await Promise.all(racers.map((p) => p.done))
    const out = racers.map((p) => p.out()).join('')
    const processHolds = out.split('\n').filter((l) => l === 'HELD').length
    const processDoubles = out.split('\n').filter((l) => l === 'DOUBLE').length
    expect(out.split('\n').filter((l) => l.startsWith('ERROR'))).toEqual([])
    expect(doubles + processDoubles).toBe(0)
    expect(processHolds).toBe(4 * processTrials)
    figure('C5-35', `stale lock of a SIGKILLed holder cleared in ${clearedMs.toFixed(0)} ms (pid liveness, same host) and logged ("removed a stale lock of pid …"); while the holder lived: BUSY, no double holder; ${recovered}/${killedBackups} backups killed mid-run recovered by the next create; ${kindResults.join('; ')}; racing breakers: 0 double holders in ${holds} in-process and ${processHolds} cross-process acquisitions of dead-pid locks (${trials} × 8 in-process, ${processTrials} × 4 processes)`)
  }))

  it('C5-37 eviction flood: 3 × maxBackupsPerEntity backups in a burst, then prune', () => withSeed('C5-37', async () => {
    const root = tempDir('c5-37')
    dirs.push(root)
    const max = 10
    let clock = Date.now() - 8 * 86_400_000
    // an engine with a settable clock: pre-flood backups one per day, then the flood at "now"
    const clocked = await engine({ path: root, now: () => new Date(clock), config: { retention: { retentionDays: 30, maxBackupsPerEntity: max } } })
    await (await modeEngine(MEDIA, { path: root, store: clocked.store })).seed(50)
    const api = clocked.backup.entity('Media')
    const pre: string[] = []
    for (let d = 0; d < 5; d++) {
      pre.push((await api.create({ compress: false })).timestamp)
      clock += 86_400_000
    }
    clock = Date.now()
    const started = performance.now()
    let accepted = 0
    for (let i = 0; i < 3 * max; i++) {
      await api.create({ compress: false })
      accepted++
    }
    const floodMs = performance.now() - started
    const beforePrune = (await api.list()).map((b) => b.timestamp)
    const kept = pre.filter((t) => beforePrune.includes(t)).length
    const plan = await clocked.backup.prune({ dryRun: true })
    await clocked.backup.prune()
    const after = (await api.list()).map((b) => b.timestamp)
    const survived = pre.filter((t) => after.includes(t)).length
    expect(kept).toBe(5)
    expect(accepted).toBe(3 * max)
    // time-aware: the newest of each of the last 7 days (the default keepDaily) outlives the count rule
    expect(survived).toBe(5)
    expect(plan.removed.filter((p) => pre.includes(p.timestamp))).toEqual([])
    expect(after).toHaveLength(max + 5)
    // and with the daily rule turned off, the count rule alone would evict them (what the rule prevents)
    const countOnly = await clocked.backup.prune({ dryRun: true, keepDaily: 0 })
    expect(countOnly.removed.filter((p) => pre.includes(p.timestamp))).toHaveLength(5)
    figure('C5-37', `pre-flood backups retained: ${kept}/5 after the flood alone (create never prunes), ${survived}/5 after prune with { retentionDays: 30, maxBackupsPerEntity: ${max}, keepDaily: 7 } (time-aware: the newest backup of each of the last 7 days is kept whatever the count; with keepDaily: 0 the dry run would evict ${countOnly.removed.filter((p) => pre.includes(p.timestamp)).length}/5); ${accepted}/${3 * max} flood creates accepted in ${(floodMs / 1000).toFixed(1)} s (creates are not rate-limited; the REST API needs the admin token)`)
  }))

  it('C5-37: a flood followed by prune keeps the backups taken on earlier days', () => withSeed('C5-37b', async () => {
    const root = tempDir('c5-37b')
    dirs.push(root)
    let clock = Date.now() - 8 * 86_400_000
    const e = await engine({ path: root, now: () => new Date(clock), config: { retention: { retentionDays: 30, maxBackupsPerEntity: 3 } } })
    const m = await modeEngine(MEDIA, { path: root, store: e.store })
    await m.seed(5)
    const pre: string[] = []
    for (let d = 0; d < 3; d++) {
      pre.push((await e.backup.entity('Media').create()).timestamp)
      clock += 86_400_000
    }
    clock = Date.now()
    for (let i = 0; i < 9; i++) await e.backup.entity('Media').create()
    await e.backup.prune()
    const after = (await e.backup.entity('Media').list()).map((b) => b.timestamp)
    expect(pre.filter((t) => after.includes(t))).toEqual(pre)
  }))
})
