/** `1,234,567` */
export function count(n: number): string {
  return n.toLocaleString('en-US')
}

/** `512 B`, `1.5 KiB`, `3.2 MiB`, `1.1 GiB` */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(1)} ${units[u]}`
}

/** `0.4s`, `12s`, `3m05s`, `1h02m` */
export function duration(ms: number): string {
  const s = ms / 1000
  if (s < 10) return `${s.toFixed(1)}s`
  if (s < 60) return `${Math.round(s)}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

/** The class name of a full entity name (`src.models.media.Media` → `Media`). */
export function shortName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1)
}

/** A plain text table: a header row, columns padded, numbers (cells starting with a digit) right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.,]+(?: [KMGT]?i?B)?$|^-$/.test(r[i] ?? '')))
  const render = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...rows.map(render)].join('\n')
}
