import { bytes } from '../util/format';
import { escapeHtml } from './escape';
import type { StreamWindows } from './scores';

/**
 * One stream's forecast against what landed, as inline SVG (no script, no external resource):
 * the model's 90% interval as a band, its point forecast as a line, the naive "last window"
 * forecast dashed, and each window's real bytes as a dot (red when outside the interval).
 * Windows more than one apart in time break the band and lines instead of bridging the gap.
 */
export interface ChartOptions {
  width: number;
  height: number;
  windowMs: number;
}

export const DEFAULT_CHART: Omit<ChartOptions, 'windowMs'> = { width: 700, height: 260 };

const M = { left: 62, right: 12, top: 10, bottom: 30 };

/** A round y-axis step for bytes: 1, 2, 2.5 or 5 times a power of ten of the unit (B, KiB, MiB...). */
export function niceStep(max: number, ticks = 4): number {
  if (!(max > 0)) return 1;
  let unit = 1;
  while (max / unit >= 1024) unit *= 1024;
  const raw = max / unit / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return Math.max(1, m * p * unit);
  return 10 * p * unit;
}

const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

function clockUtc(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export function forecastChart(windows: StreamWindows, o: ChartOptions, label: string): string {
  const w = o.width;
  const h = o.height;
  const pw = w - M.left - M.right;
  const ph = h - M.top - M.bottom;
  const t0 = windows[0].startUnixMs;
  const t1 = windows[windows.length - 1].startUnixMs + o.windowMs;
  const span = Math.max(1, t1 - t0);
  let top = 0;
  for (const x of windows) top = Math.max(top, x.actualBytes, x.model.q95, x.model.point, x.naiveLast.point);
  const step = niceStep(top || 1);
  const yMax = Math.max(step, Math.ceil((top || 1) / step) * step);
  const X = (t: number) => M.left + ((t - t0) / span) * pw;
  const Y = (v: number) => M.top + ph - (Math.max(0, v) / yMax) * ph;
  const cx = (i: number) => X(windows[i].startUnixMs + o.windowMs / 2);

  // Runs of consecutive windows: a gap (the stream was dormant) is not drawn across.
  const runs: Array<[number, number]> = [];
  let start = 0;
  for (let i = 1; i <= windows.length; i++) {
    if (i === windows.length || windows[i].startUnixMs - windows[i - 1].startUnixMs > 1.5 * o.windowMs) {
      runs.push([start, i - 1]);
      start = i;
    }
  }
  const line = (value: (i: number) => number) => runs
    .map(([a, b]) => {
      const pts: string[] = [];
      for (let i = a; i <= b; i++) pts.push(`${f1(cx(i))},${f1(Y(value(i)))}`);
      return `M${pts.join('L')}`;
    })
    .join('');
  const band = runs
    .map(([a, b]) => {
      const upper: string[] = [];
      const lower: string[] = [];
      for (let i = a; i <= b; i++) upper.push(`${f1(cx(i))},${f1(Y(windows[i].model.q95))}`);
      for (let i = b; i >= a; i--) lower.push(`${f1(cx(i))},${f1(Y(windows[i].model.q05))}`);
      return `M${upper.join('L')}L${lower.join('L')}Z`;
    })
    .join('');

  const parts: string[] = [];
  parts.push(`<svg class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeHtml(label)}">`);
  parts.push(`<title>${escapeHtml(label)}</title>`);
  parts.push(`<rect class="plot" x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/>`);
  for (let v = 0; v <= yMax + step / 2; v += step) {
    const y = f1(Y(v));
    parts.push(`<line class="grid" x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="ylab" x="${M.left - 6}" y="${y}" dy="0.32em" text-anchor="end">${escapeHtml(bytes(v))}</text>`);
  }
  const xTicks = Math.min(6, windows.length);
  for (let k = 0; k <= xTicks; k++) {
    const t = t0 + (span * k) / Math.max(1, xTicks);
    parts.push(`<text class="xlab" x="${f1(X(t))}" y="${h - M.bottom + 16}" text-anchor="${k === 0 ? 'start' : k === xTicks ? 'end' : 'middle'}">${clockUtc(t)}</text>`);
  }
  parts.push(`<path class="band" d="${band}"/>`);
  parts.push(`<path class="naive" d="${line((i) => windows[i].naiveLast.point)}"/>`);
  parts.push(`<path class="forecast" d="${line((i) => windows[i].model.point)}"/>`);
  parts.push('<g class="actual">');
  windows.forEach((x, i) => {
    const outside = x.actualBytes < x.model.q05 || x.actualBytes > x.model.q95;
    const tip = `${clockUtc(x.startUnixMs)} UTC: landed ${bytes(x.actualBytes)}, forecast ${bytes(x.model.point)} [${bytes(x.model.q05)}-${bytes(x.model.q95)}]`;
    parts.push(`<circle${outside ? ' class="miss"' : ''} cx="${f1(cx(i))}" cy="${f1(Y(x.actualBytes))}" r="2.6"><title>${escapeHtml(tip)}</title></circle>`);
  });
  parts.push('</g>');
  parts.push('</svg>');
  return parts.join('\n');
}
