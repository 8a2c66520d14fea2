/**
 * Offline evaluation of the stream models on the shared Loghub traces, in virtual time (no mount).
 *
 *   npx tsc -p tsconfig.bench.json && node build-bench/bench/forecast-eval.js
 *
 * Options: --traces DIR (default ../shared/traces/loghub beside the checkout), --cap SECONDS (idle
 * gap cap, default 60; 0 = none), --window MS (10000), --tick MS (250), --forecaster NAME
 * (ensemble), --ma K (moving-average windows, 6), --only NAME, --json FILE; ensemble settings
 * (defaults in src/model/forecaster.ts): --select-by split|quantile, --half-life WINDOWS,
 * --margin FRACTION, --members a,b,c, --shift-slots N, --calibration-step GAMMA.
 *
 * Replay rules, the same for every trace:
 * - each line is one write of (line length + 1) bytes (the newline; CRs stripped), one line, with
 *   its severity where the format has one (Android's level letter, Apache's [level]);
 * - a run of consecutive lines with the same time stamp is spread evenly over the stamp's
 *   resolution (the second for Apache and OpenSSH, the millisecond for Android and HealthApp);
 *   a stamp earlier than the previous line's (Apache's interleaved writers) is clamped to it;
 * - gaps longer than the cap are shortened to the cap;
 * - ticks every 250 ms of virtual time: the writes stamped before the tick are fed, then endTick.
 *
 * Scoring: the StreamModel's own scoring windows (aligned to multiples of the window), each scored
 * with the forecasts issued at its start, so no forecast has seen any of its window. The same
 * windows are scored for the naive forecasters. A second, "rolling" evaluation asks the model at
 * every slot boundary (1 s) for the next window, as the shadow log does, and compares with the
 * bytes that then arrived (overlapping windows: more samples, strongly correlated).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mean, median } from 'mathjs';
import { createForecast, SERIES_BYTES, SERIES_LINES } from '../src/model/forecast';
import { TRACK_MODEL, TRACK_MOVING_AVERAGE, TRACK_NAIVE_LAST, type WindowRecord } from '../src/model/issued-forecasts';
import { StreamModel } from '../src/model/stream-model';
import type { ForecasterOptions } from '../src/model/forecaster';
import { SEV_UNKNOWN } from '../src/model/severity';
import { classifyLine, severityOf } from '../src/profile/classify-line';
import { planReplay } from '../src/replay/replayer';
import { coverage, jensenShannon, mae, mase, meanPinball } from '../src/model/scoring';

interface Options {
  traces: string;
  capSec: number;
  windowMs: number;
  tickMs: number;
  forecaster: string;
  ma: number;
  only: string;
  json: string;
  /** Forecaster options given on the command line (the rest are the defaults). */
  forecasterOptions: Partial<ForecasterOptions>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    traces: path.resolve(__dirname, '..', '..', '..', 'shared', 'traces', 'loghub'),
    capSec: 60, windowMs: 10_000, tickMs: 250, forecaster: 'ensemble', ma: 6, only: '', json: '', forecasterOptions: {},
  };
  // compiled to /tmp/lseval/bench: fall back to the checkout-relative default
  if (!fs.existsSync(o.traces)) o.traces = path.resolve(process.cwd(), '..', 'shared', 'traces', 'loghub');
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--traces': o.traces = v; i++; break;
      case '--cap': o.capSec = Number(v); i++; break;
      case '--window': o.windowMs = Number(v); i++; break;
      case '--tick': o.tickMs = Number(v); i++; break;
      case '--forecaster': o.forecaster = v; i++; break;
      case '--ma': o.ma = Number(v); i++; break;
      case '--only': o.only = v; i++; break;
      case '--json': o.json = v; i++; break;
      case '--select-by': o.forecasterOptions.ensembleSelectBy = v === 'quantile' ? 'quantile' : 'split'; i++; break;
      case '--half-life': o.forecasterOptions.ensembleScoreHalfLife = Number(v); i++; break;
      case '--margin': o.forecasterOptions.ensembleSwitchMargin = Number(v); i++; break;
      case '--members': o.forecasterOptions.ensembleMembers = v.split(','); i++; break;
      case '--shift-slots': o.forecasterOptions.ensembleShiftSlots = Number(v); i++; break;
      case '--calibration-step': o.forecasterOptions.calibrationStep = Number(v); i++; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return o;
}

interface Trace {
  name: string;
  times: Float64Array;
  bytes: Float64Array;
  levels: Uint8Array;
  hasLevels: boolean;
  clamped: number;
  spanSec: number;
}

/** A shared trace. Levels come from the profiler's own classifier, time stamps from src/replay. */
interface Format {
  name: string;
  file: string;
}

const FORMATS: Format[] = [
  { name: 'Android', file: 'Android_2k.log' },
  { name: 'Apache', file: 'Apache_2k.log' },
  { name: 'HealthApp', file: 'HealthApp_2k.log' },
  { name: 'OpenSSH', file: 'OpenSSH_2k.log' },
];

function levelOf(line: string): number {
  const b = Buffer.from(line, 'utf8');
  return severityOf(classifyLine(b, 0, b.length));
}

/** The trace's write times by the replayer's own rules (src/replay), so both bench and CLI agree. */
function loadTrace(dir: string, f: Format, capMs: number): Trace {
  const plan = planReplay(path.join(dir, f.file), { scale: 1, maxGapMs: capMs, format: null });
  const lines = plan.lines;
  const n = lines.length;
  const origin = plan.format.parse(lines[0]);
  const times = new Float64Array(n);
  const bytes = new Float64Array(n);
  const levels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    // Absolute times: windows and slots align on the log's own clock, as they would live.
    times[k] = origin + plan.schedule.offsetsMs[k];
    bytes[k] = Buffer.byteLength(lines[k], 'utf8') + 1;
    levels[k] = levelOf(lines[k]);
  }
  const hasLevels = levels.some((l) => l !== SEV_UNKNOWN);
  return { name: f.name, times, bytes, levels, hasLevels, clamped: plan.schedule.clamped, spanSec: (times[n - 1] - times[0]) / 1000 };
}

interface Scored {
  actual: number[];
  point: number[][]; // [track][window]
  q05: number[][];
  q25: number[][];
  q75: number[][];
  q95: number[][];
  linesActual: number[];
  linesPoint: number[][];
  js: number[];
  /** JS divergence of "the same mix as the last window with lines" (a naive severity forecast). */
  jsNaive: number[];
  members: Map<string, number>;
}

interface Rolling {
  actual: number[];
  model: number[];
  q05: number[];
  q95: number[];
  last: number[];
  ma: number[];
}

function replay(tr: Trace, o: Options): { scored: Scored; rolling: Rolling; model: StreamModel; ms: number } {
  const TRACKS = 3;
  const scored: Scored = {
    actual: [], point: [[], [], []], q05: [[], [], []], q25: [[], [], []], q75: [[], [], []], q95: [[], [], []],
    linesActual: [], linesPoint: [[], [], []], js: [], jsNaive: [], members: new Map(),
  };
  const lastMix = new Float64Array(8);
  const onWindow = (r: WindowRecord): void => {
    scored.actual.push(r.actual[SERIES_BYTES]);
    scored.linesActual.push(r.actual[SERIES_LINES]);
    for (let t = 0; t < TRACKS; t++) {
      const b = (SERIES_BYTES * TRACKS + t) * 6;
      scored.point[t].push(r.issued[b]);
      scored.q05[t].push(r.issued[b + 1]);
      scored.q25[t].push(r.issued[b + 2]);
      scored.q75[t].push(r.issued[b + 4]);
      scored.q95[t].push(r.issued[b + 5]);
      scored.linesPoint[t].push(r.issued[(SERIES_LINES * TRACKS + t) * 6]);
    }
    const js = jensenShannon(r.predictedMix, r.actualLevels);
    if (!Number.isNaN(js)) {
      scored.js.push(js);
      const naive = jensenShannon(lastMix, r.actualLevels);
      if (!Number.isNaN(naive)) scored.jsNaive.push(naive);
      lastMix.set(r.actualLevels);
    }
  };
  const model = new StreamModel({
    windowMs: o.windowMs, forecaster: o.forecaster, forecasterOptions: { ...o.forecasterOptions, movingAverageWindows: o.ma },
    onWindow,
  });
  // the member that issued each window's forecast, sampled at issue time below
  const rolling: Rolling = { actual: [], model: [], q05: [], q95: [], last: [], ma: [] };
  const slotMs = o.windowMs / model.options.slotsPerWindow;
  const f = createForecast();
  const n = tr.times.length;
  const t0 = Math.floor(tr.times[0] / o.tickMs) * o.tickMs;
  const end = tr.times[n - 1];
  // prefix sums of bytes by event index, for the rolling actuals
  const cum = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) cum[k + 1] = cum[k] + tr.bytes[k];
  const bytesIn = (from: number, to: number): number => cum[lowerBound(tr.times, to)] - cum[lowerBound(tr.times, from)];
  const start = performance.now();
  let k = 0;
  for (let tick = t0 + o.tickMs; tick <= end + o.tickMs; tick += o.tickMs) {
    while (k < n && tr.times[k] < tick) {
      model.observeWrite(tr.times[k], tr.bytes[k]);
      model.observeLine(tr.bytes[k], tr.levels[k]);
      k++;
    }
    model.endTick(tick);
    if (tick % o.windowMs === 0) {
      const name = model.forecastInto(f, tick).model;
      scored.members.set(name, (scored.members.get(name) ?? 0) + 1);
    }
    if (tick % slotMs === 0 && tick + o.windowMs <= end && tick - o.windowMs * o.ma >= t0) {
      model.forecastInto(f, tick);
      rolling.actual.push(bytesIn(tick, tick + o.windowMs));
      rolling.model.push(f.bytes.point);
      rolling.q05.push(f.bytes.q05);
      rolling.q95.push(f.bytes.q95);
      rolling.last.push(bytesIn(tick - o.windowMs, tick));
      let s = 0;
      for (let j = 1; j <= o.ma; j++) s += bytesIn(tick - j * o.windowMs, tick - (j - 1) * o.windowMs);
      rolling.ma.push(s / o.ma);
    }
  }
  return { scored, rolling, model, ms: performance.now() - start };
}

function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Moving average of the previous k actuals (fewer at the start), for the hindsight-best k. */
function movingAverageOf(actual: number[], k: number, firstLast: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    const from = Math.max(0, i - k);
    if (i === 0) {
      out.push(firstLast);
      continue;
    }
    let s = 0;
    for (let j = from; j < i; j++) s += actual[j];
    out.push(s / (i - from));
  }
  return out;
}

function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : 'n/a';
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const capMs = o.capSec > 0 ? o.capSec * 1000 : 0;
  console.log(`logshadow forecast evaluation: window ${o.windowMs} ms, tick ${o.tickMs} ms, idle cap ${o.capSec || 'none'} s, ` +
    `model "${o.forecaster}", moving average of ${o.ma} windows; node ${process.version}`);
  const rows: Record<string, unknown>[] = [];
  const table: string[][] = [[
    'trace', 'windows', 'empty', 'MAE model', 'MAE last', `MAE ma${o.ma}`, 'ratio', 'MAE zero', 'MASE m/l/ma', 'cov90 m/l/ma',
    'cov50 m/l/ma', 'pin95 m/l/ma', 'lines MAE m/l/ma', 'JS mix m/last', 'ratio vs best MA(k)',
  ]];
  const rollingTable: string[][] = [['trace', 'origins', 'MAE model', 'MAE last', `MAE ma${o.ma}`, 'ratio', 'cov90 model']];
  for (const fmtDef of FORMATS) {
    if (o.only && fmtDef.name !== o.only) continue;
    const tr = loadTrace(o.traces, fmtDef, capMs);
    const { scored: s, rolling: r, model, ms } = replay(tr, o);
    const maeT = [0, 1, 2].map((t) => mae(s.actual, s.point[t]));
    const maseT = [0, 1, 2].map((t) => mase(s.actual, s.point[t]));
    const cov90 = [0, 1, 2].map((t) => coverage(s.actual, s.q05[t], s.q95[t]));
    const cov50 = [0, 1, 2].map((t) => coverage(s.actual, s.q25[t], s.q75[t]));
    const pin95 = [0, 1, 2].map((t) => meanPinball(s.actual, s.q95[t], 0.95));
    const linesMae = [0, 1, 2].map((t) => mae(s.linesActual, s.linesPoint[t]));
    const bestNaive = Math.min(maeT[TRACK_NAIVE_LAST], maeT[TRACK_MOVING_AVERAGE]);
    const ratio = maeT[TRACK_MODEL] / bestNaive;
    let bestK = 1;
    let bestKMae = Number.POSITIVE_INFINITY;
    for (let kk = 1; kk <= 12; kk++) {
      const e = mae(s.actual, movingAverageOf(s.actual, kk, s.point[TRACK_NAIVE_LAST][0]));
      if (e < bestKMae) {
        bestKMae = e;
        bestK = kk;
      }
    }
    const empty = s.actual.filter((x) => x === 0).length;
    const js = s.js.length > 0 ? Number(mean(s.js)) : Number.NaN;
    const jsNaive = s.jsNaive.length > 0 ? Number(mean(s.jsNaive)) : Number.NaN;
    table.push([
      tr.name, String(s.actual.length), pct(empty / s.actual.length),
      fmt(maeT[0]), fmt(maeT[1]), fmt(maeT[2]), fmt(ratio, 2), fmt(Number(mean(s.actual))),
      maseT.map((x) => fmt(x, 2)).join('/'), cov90.map(pct).join('/'), cov50.map(pct).join('/'),
      pin95.map((x) => fmt(x)).join('/'), linesMae.map((x) => fmt(x, 1)).join('/'),
      tr.hasLevels ? `${fmt(js, 3)}/${fmt(jsNaive, 3)}` : 'no levels', `${fmt(maeT[0] / Math.min(bestNaive, bestKMae), 2)} (k=${bestK})`,
    ]);
    const rm = mae(r.actual, r.model);
    const rl = mae(r.actual, r.last);
    const ra = mae(r.actual, r.ma);
    rollingTable.push([tr.name, String(r.actual.length), fmt(rm), fmt(rl), fmt(ra), fmt(rm / Math.min(rl, ra), 2),
      pct(coverage(r.actual, r.q05, r.q95))]);
    const members = [...s.members.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`${tr.name}: ${tr.times.length} writes over ${fmt(tr.spanSec / 60, 1)} min (capped), ` +
      `${tr.clamped} stamps clamped, replay ${fmt(ms)} ms, model state ${model.stateBytes} B; ` +
      `median window ${fmt(Number(median(s.actual)))} B; model used: ${members}`);
    rows.push({
      trace: tr.name, windows: s.actual.length, empty, mae: maeT, maeZero: Number(mean(s.actual)), mase: maseT, coverage90: cov90, coverage50: cov50,
      pinball95: pin95, linesMae, ratio, js, jsNaive, bestMovingAverage: { k: bestK, mae: bestKMae },
      rolling: { origins: r.actual.length, maeModel: rm, maeLast: rl, maeMovingAverage: ra, coverage90: coverage(r.actual, r.q05, r.q95) },
      members: Object.fromEntries(s.members),
    });
  }
  console.log('\nScoring windows (forecast issued at each window start; bytes per window unless noted; m/l/ma = model/naive last/moving average):');
  printTable(table);
  console.log('(MAE zero: the trivial forecast "nothing will arrive", for reference: on sparse streams the MAE-optimal point, the median, is often 0.)');
  console.log('\nGoal: model MAE >= 25% below the better naive (ratio <= 0.75), 90% intervals covering 85-95%:');
  for (const r of rows) {
    const ratio = r.ratio as number;
    const cov = (r.coverage90 as number[])[TRACK_MODEL];
    console.log(`  ${String(r.trace).padEnd(9)} MAE ${ratio <= 0.75 ? 'met' : 'NOT met'} (ratio ${fmt(ratio, 2)}), ` +
      `coverage ${cov >= 0.85 && cov <= 0.95 ? 'met' : 'NOT met'} (${pct(cov)})` +
      (Number(r.windows) < 100 ? `, only ${r.windows} windows: not conclusive` : ''));
  }
  console.log('\nRolling origins (a forecast for the next window at every 1 s slot boundary, as the shadow log refreshes):');
  printTable(rollingTable);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ options: o, rows }, null, 2));
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((x, c) => x.padStart(widths[c])).join('  '));
}

main();
