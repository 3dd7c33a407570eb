/**
 * Global setup of `npm run test:faults`: picks the run's seed (or takes `KOAN_FAULT_SEED`) and
 * shares it with every worker, opens the figures file, and prints every group's figure at the end.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  if (!process.env.KOAN_FAULT_SEED) process.env.KOAN_FAULT_SEED = String((Date.now() ^ (process.pid << 16)) >>> 0)
  const dir = mkdtempSync(join(tmpdir(), 'kb-figures-'))
  process.env.KOAN_FAULT_FIGURES = join(dir, 'figures.jsonl')
  const started = Date.now()
  process.stdout.write(`[faults] seed ${process.env.KOAN_FAULT_SEED} (replay with KOAN_FAULT_SEED=${process.env.KOAN_FAULT_SEED})\n`)
  return () => {
    let lines: Array<{ group: string; line: string }> = []
    try {
      lines = readFileSync(process.env.KOAN_FAULT_FIGURES!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    } catch {
      // no figure was recorded
    }
    const order = (g: string) => g.replace(/\d+/g, (d) => d.padStart(3, '0'))
    lines.sort((a, b) => order(a.group).localeCompare(order(b.group)))
    const out = [`\n[faults] figures (seed ${process.env.KOAN_FAULT_SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s)`]
    for (const f of lines) out.push(`  ${f.group.padEnd(8)} ${f.line}`)
    process.stdout.write(`${out.join('\n')}\n`)
    rmSync(dir, { recursive: true, force: true })
  }
}
