/** Small text helpers for human output that fits an 80-column terminal. */

export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v.toFixed(v < 10 ? 2 : 1)}${units[u]}`;
}

/** Bytes in at most 5 characters (table cells): 950B, 9.5K, 151K, 2.4M, 1.1G. */
export function bytesShort(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let u = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 || v >= 10 ? Math.round(v) : v.toFixed(1)}${units[u]}`;
}

export function count(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

export function num(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

export function pct(n: number): string {
  return Number.isFinite(n) ? `${Math.round(n * 100)}%` : '-';
}

export function duration(sec: number): string {
  if (!Number.isFinite(sec)) return '-';
  if (sec < 60) return `${Math.round(sec)}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m${String(Math.round(sec % 60)).padStart(2, '0')}s`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(sec / 86400)}d${Math.floor((sec % 86400) / 3600)}h`;
}

/**
 * A header line: `subject` (a path, its end kept and its start cut to "…" when needed) then
 * `rest`, within `width` columns.
 */
export function headed(subject: string, rest: string, width = 80): string {
  return fit(subject, Math.max(16, width - rest.length)).trimEnd() + rest;
}

/** Cuts a path or name to `width`, keeping its end (the file name matters most). */
export function fit(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : '…' + text.slice(text.length - width + 1);
}

/**
 * A table within `total` columns: the first column (a name) left-aligned, the rest right-aligned.
 * `widths` are minimums: a column is as wide as its widest value, so a value is never cut; the
 * first column gives way instead (its start cut to "…", as `fit` does).
 */
export function table(header: string[], rows: string[][], widths: number[], total = 80): string {
  const w = widths.map((min, i) => (i === 0 ? min : Math.max(min, ...[header, ...rows].map((r) => (r[i] ?? '').length))));
  const others = w.slice(1).reduce((s, x) => s + x + 1, 0);
  w[0] = Math.max(NAME_MIN, Math.min(w[0], total - others));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? fit(c, w[i]) : c.padStart(w[i]))).join(' ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Segments joined with "; ", a new line wherever the next one would not fit. */
export function joinWrapped(segments: string[], width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const seg of segments) {
    if (line && line.length + 2 + seg.length > width) {
      out.push(line + ';');
      line = seg;
    } else line = line ? `${line}; ${seg}` : seg;
  }
  if (line) out.push(line);
  return out;
}

/** The narrowest a name column gets before the table grows past its width instead. */
const NAME_MIN = 12;

/** "1 file", "3 files", "12.3k lines": a count (as `show` writes it, `count` by default) and its noun. */
export function counted(n: number, noun: string, plural = `${noun}s`, show: (n: number) => string = count): string {
  return `${show(n)} ${n === 1 ? noun : plural}`;
}
