import { bytes, counted, duration, pct } from '../util/format';
import type { DurabilityStats } from '../engine/tiers';
import type { HistoryView } from '../shadow/window-history';
import { DEFAULT_CHART, forecastChart } from './chart';
import { escapeHtml } from './escape';
import { scoreWindows, skillOverNaive, type WindowScores } from './scores';

/**
 * `logshadow report`: one self-contained HTML page (inline CSS and SVG; no script, no font, no
 * image, no link to anything), so it can be mailed, archived or opened on a machine with no
 * network. A pure function of the `history` reply and a few fields of `stats`.
 */
export interface ReportInput {
  history: HistoryView & { mountpoint: string };
  mount: { engine: string; cache: string; uptimeSec: number; durability?: DurabilityStats };
  generatedAt: Date;
}

/** One paragraph: where the history is kept and what a power cut would lose when the report was made. */
function durabilityText(d: DurabilityStats | undefined): string {
  if (!d) return '';
  if (d.mode === 'ram-only') return '<p class="meta">RAM only: a reboot or a power cut loses every log.</p>';
  const last = d.lastSync ? `, last synced ${escapeHtml(d.lastSync.at.replace('T', ' ').slice(0, 19))} UTC` : '';
  const failing = d.healthy ? '' : ` <strong>Syncs are failing (${escapeHtml(d.lastError ?? 'error')}): the logs stay in RAM.</strong>`;
  return `<p class="meta">Tiered: history on disk in ${escapeHtml(d.diskDir)}; a power cut at report time would lose ${bytes(d.unsyncedBytes)} (oldest ${duration(d.oldestUnsyncedSec)})${last}; ${bytes(d.bytesSynced)} synced, disk writes ${d.writeAmplification === null ? '-' : d.writeAmplification.toFixed(2)}x the bytes logged.${failing}</p>`;
}

const FORECASTER_LABELS = { model: 'model', naiveLast: 'naive: last window', movingAverage: 'naive: moving average' } as const;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; color: #1d2330; background: #fff; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 0 0 6px; word-break: break-all; }
.meta { color: #5a6270; margin: 0 0 16px; }
table { border-collapse: collapse; } th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #e3e6ea; }
th:first-child, td:first-child { text-align: left; } th { font-weight: 600; background: #f4f6f8; }
td.best { font-weight: 700; color: #0b6b2c; }
section.stream { border-top: 1px solid #d5d9df; padding: 16px 0; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
svg.chart { background: #fff; }
svg .plot { fill: #fbfcfd; stroke: #c9ced6; }
svg .grid { stroke: #e6e9ed; stroke-width: 1; }
svg text { font: 11px system-ui, sans-serif; fill: #5a6270; }
svg .band { fill: #9cc3ee; fill-opacity: 0.55; stroke: none; }
svg .forecast { fill: none; stroke: #1f5fb4; stroke-width: 2; }
svg .naive { fill: none; stroke: #8a8f98; stroke-width: 1.2; stroke-dasharray: 4 3; }
svg .actual circle { fill: #1d2330; }
svg .actual circle.miss { fill: #d0362f; }
.legend span { display: inline-block; margin-right: 14px; color: #5a6270; }
.key { display: inline-block; width: 18px; height: 10px; vertical-align: middle; margin-right: 5px; }
.k-band { background: #9cc3ee; } .k-line { height: 3px; background: #1f5fb4; }
.k-naive { height: 0; border-top: 2px dashed #8a8f98; } .k-dot { width: 8px; height: 8px; border-radius: 50%; background: #1d2330; }
.k-miss { width: 8px; height: 8px; border-radius: 50%; background: #d0362f; }
`;

const num = (n: number, f: (x: number) => string) => (Number.isFinite(n) ? f(n) : '-');

function scoreTable(s: Record<keyof typeof FORECASTER_LABELS, WindowScores>): string {
  const best = Math.min(s.model.mae, s.naiveLast.mae, s.movingAverage.mae);
  const rows = (Object.keys(FORECASTER_LABELS) as Array<keyof typeof FORECASTER_LABELS>).map((k) => {
    const x = s[k];
    const cls = Number.isFinite(x.mae) && x.mae === best ? ' class="best"' : '';
    return `<tr><td>${FORECASTER_LABELS[k]}</td><td${cls}>${num(x.mae, bytes)}</td><td>${num(x.coverage90, pct)}</td><td>${num(x.bias, (b) => (b < 0 ? '-' : '+') + bytes(Math.abs(b)))}</td></tr>`;
  });
  return `<table class="scores"><thead><tr><th>forecaster</th><th>MAE</th><th>90% coverage</th><th>bias</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function skillText(skill: number): string {
  if (!Number.isFinite(skill)) return skill === Number.NEGATIVE_INFINITY ? 'the naive forecasts were exact; the model was not' : 'not enough windows to compare';
  if (Math.abs(skill) < 0.005) return 'the model ties the better naive forecaster';
  return skill > 0 ? `the model's error is ${pct(skill)} below the better naive forecaster's` : `the model's error is ${pct(-skill)} above the better naive forecaster's`;
}

export function renderReport(input: ReportInput): string {
  const h = input.history;
  const win = h.windowMs / 1000;
  const streams = h.streams.filter((s) => s.windows.length > 0);
  const scored = streams.map((s) => ({ s, scores: scoreWindows(s.windows) }));
  const summaryRows = scored.map(({ s, scores }, i) =>
    `<tr><td><a href="#s${i}">${escapeHtml(s.key)}</a></td><td>${bytes(s.bytes)}</td><td>${s.windows.length}</td>` +
    `<td>${num(scores.model.mae, bytes)}</td><td>${num(scores.naiveLast.mae, bytes)}</td><td>${num(scores.movingAverage.mae, bytes)}</td>` +
    `<td>${num(scores.model.coverage90, pct)}</td></tr>`).join('');
  const sections = scored.map(({ s, scores }, i) => {
    const label = `${s.key}: bytes per ${win} s window, forecast and 90% interval against what landed`;
    const first = s.windows[0].startUnixMs;
    const last = s.windows[s.windows.length - 1].startUnixMs + h.windowMs;
    return `<section class="stream" id="s${i}">
<h2>${escapeHtml(s.key)}</h2>
<p class="meta">${bytes(s.bytes)} written in ${counted(s.lines, 'line', 'lines', String)}; the last ${s.windows.length} of ${counted(s.windowsSeen, 'scored window', 'scored windows', String)}
(${new Date(first).toISOString().slice(11, 19)} to ${new Date(last).toISOString().slice(11, 19)} UTC); model now: ${escapeHtml(s.forecaster || '-')}.
Over these windows ${skillText(skillOverNaive(scores))}.</p>
<div class="row">
${forecastChart(s.windows, { ...DEFAULT_CHART, windowMs: h.windowMs }, label)}
${scoreTable(scores)}
</div>
</section>`;
  });
  const title = `logshadow report: ${h.mountpoint}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(input.mount.engine)} engine, ${escapeHtml(input.mount.cache)}; up ${duration(input.mount.uptimeSec)};
generated ${escapeHtml(input.generatedAt.toISOString().replace('T', ' ').slice(0, 19))} UTC. Each window is ${win} s, the forecast horizon;
every forecast was issued at its window's start, before any of its bytes landed.
${counted(streams.length, 'busiest file', 'busiest files', String)} shown of ${h.streamsKept} with a model; the daemon keeps the last ${h.capacity} windows of each.</p>
${durabilityText(input.mount.durability)}
<p class="legend"><span><i class="key k-band"></i>model: 90% interval</span><span><i class="key k-line"></i>model: forecast</span>
<span><i class="key k-naive"></i>naive: last window</span><span><i class="key k-dot"></i>landed</span><span><i class="key k-miss"></i>landed outside the interval</span></p>
${streams.length ? `<table class="summary"><thead><tr><th>file</th><th>written</th><th>windows</th><th>MAE model</th><th>MAE naive last</th><th>MAE moving avg</th><th>90% coverage</th></tr></thead><tbody>${summaryRows}</tbody></table>` : '<p>No file has a scored window yet: a stream needs a model (it is writing) and at least one whole window after its first write.</p>'}
${sections.join('\n')}
</body>
</html>
`;
}
