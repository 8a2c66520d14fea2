/**
 * Micro-benchmark of the content profiler: how many lines per second the line splitter, the
 * classifier and the whole ContentProfile take, on the shared Loghub traces (read in place, never
 * copied). Each trace is repeated to about 32 MB, fed in 64 KiB chunks as the profiler reads them
 * back, and timed after a warm-up; the best of several runs is reported.
 *
 * Reported, never a timed test. Build and run from the repository root:
 *   npx tsc -p tsconfig.bench.json && node build-bench/bench/classify.js [traces-dir]
 * (or: npx tsc -p tsconfig.test.json --noEmit false --outDir /tmp/lsbench && node /tmp/lsbench/bench/classify.js)
 * The traces directory defaults to ../shared/traces/loghub beside the checkout (relative to the
 * current directory), or $LOGSHADOW_TRACES.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyLine } from '../src/profile/classify-line';
import { ContentProfile } from '../src/profile/content-profile';
import { LineSplitter } from '../src/profile/line-splitter';
import { describeMachine, machineLine } from './lib/machine';

const TRACES = ['Android_2k.log', 'Apache_2k.log', 'OpenSSH_2k.log', 'HealthApp_2k.log'];
const TARGET_BYTES = 32 * 1024 * 1024;
const CHUNK = 64 * 1024;
const RUNS = 7;

function tracesDir(): string {
  const dir = process.argv[2] ?? process.env['LOGSHADOW_TRACES'] ?? path.resolve(process.cwd(), '../shared/traces/loghub');
  if (!existsSync(dir)) {
    console.error(`traces not found at ${dir}; pass the directory as the first argument`);
    process.exit(2);
  }
  return dir;
}

/** The trace repeated to about TARGET_BYTES, with a newline after each copy's unterminated last line. */
function corpus(file: string): Buffer {
  const one = Buffer.concat([readFileSync(file), Buffer.from('\r\n')]);
  const copies = Math.max(1, Math.round(TARGET_BYTES / one.length));
  return Buffer.concat(Array.from({ length: copies }, () => one));
}

/** Best wall time of RUNS runs, after one warm-up run, in nanoseconds; fn returns a line count. */
function best(fn: () => number): { ns: number; lines: number } {
  let lines = fn();
  let ns = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    lines = fn();
    ns = Math.min(ns, Number(process.hrtime.bigint() - t0));
  }
  return { ns, lines };
}

function splitOnly(data: Buffer): number {
  let lines = 0;
  const splitter = new LineSplitter(() => {
    lines++;
  });
  for (let at = 0; at < data.length; at += CHUNK) splitter.push(data, at, Math.min(data.length, at + CHUNK));
  splitter.flush();
  return lines;
}

function classifyOnly(data: Buffer, bounds: Int32Array): number {
  let sink = 0;
  for (let i = 0; i < bounds.length; i += 2) sink ^= classifyLine(data, bounds[i]!, bounds[i + 1]!);
  if (sink === -1) console.log('unreachable'); // keeps the result alive
  return bounds.length / 2;
}

function profile(data: Buffer): number {
  const p = new ContentProfile();
  for (let at = 0; at < data.length; at += CHUNK) p.push(data, at, Math.min(data.length, at + CHUNK));
  p.flush();
  return p.lines;
}

function lineBounds(data: Buffer): Int32Array {
  const bounds: number[] = [];
  const splitter = new LineSplitter((buf, start, end) => {
    if (buf === data) bounds.push(start, end);
  });
  splitter.push(data);
  splitter.flush();
  return Int32Array.from(bounds);
}

function main(): void {
  const dir = tracesDir();
  console.log(`machine: ${machineLine(describeMachine())}`);
  console.log(`traces: ${dir}; corpus ~${TARGET_BYTES >> 20} MB per trace, ${CHUNK >> 10} KiB chunks, best of ${RUNS}`);
  console.log('');
  const rows: string[][] = [['trace', 'lines', 'split Mlines/s', 'classify Mlines/s', 'profile Mlines/s', 'profile MB/s', 'profile ns/line']];
  for (const name of TRACES) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const data = corpus(file);
    const bounds = lineBounds(data);
    const split = best(() => splitOnly(data));
    const classify = best(() => classifyOnly(data, bounds));
    const whole = best(() => profile(data));
    const mlps = (r: { ns: number; lines: number }): string => ((r.lines / r.ns) * 1e3).toFixed(2);
    rows.push([
      name.replace('_2k.log', ''),
      String(whole.lines),
      mlps(split),
      mlps(classify),
      mlps(whole),
      ((data.length / whole.ns) * 1e3).toFixed(0),
      (whole.ns / whole.lines).toFixed(0),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}

main();
