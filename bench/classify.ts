/**
 * Micro-benchmark of the content profiler: how many lines per second the line splitter, the
 * classifier and the whole ContentProfile take, on the shared Loghub traces (read in place, never
 * copied) and on the labelled level corpus (test/fixtures/levels/corpus, every file its own
 * stream, as a mount sees it). Each input is repeated to about 32 MB, fed in 64 KiB chunks as the
 * profiler reads them back, and timed after a warm-up; the best of several runs is reported.
 * `classify` is classifyLine alone with no learned format (every candidate detector in turn);
 * `profile` is the real path: splitting, per-stream format learning, classification, counting.
 *
 * Reported, never a timed test. Build and run from the repository root:
 *   npx tsc -p tsconfig.bench.json && node build-bench/bench/classify.js [traces-dir]
 * The corpus directory defaults to test/fixtures/levels/corpus (relative to the current
 * directory), or $LOGSHADOW_LEVEL_CORPUS.
 * (or: npx tsc -p tsconfig.test.json --noEmit false --outDir /tmp/lsbench && node /tmp/lsbench/bench/classify.js)
 * The traces directory defaults to ../shared/traces/loghub beside the checkout (relative to the
 * current directory), or $LOGSHADOW_TRACES.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** The trace repeated to about `target` bytes, with a newline after each copy's unterminated last line. */
function corpus(file: string, target = TARGET_BYTES): Buffer {
  const one = Buffer.concat([readFileSync(file), Buffer.from('\r\n')]);
  const copies = Math.max(1, Math.round(target / one.length));
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

/** Every input its own stream (its own ContentProfile), fed in turn, chunk by chunk. */
function profile(...inputs: Buffer[]): number {
  let lines = 0;
  for (const data of inputs) {
    const p = new ContentProfile();
    for (let at = 0; at < data.length; at += CHUNK) p.push(data, at, Math.min(data.length, at + CHUNK));
    p.flush();
    lines += p.lines;
  }
  return lines;
}

function levelCorpus(): Buffer[] {
  const dir = process.env['LOGSHADOW_LEVEL_CORPUS'] ?? path.resolve(process.cwd(), 'test/fixtures/levels/corpus');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  return files.map((f) => corpus(path.join(dir, f), TARGET_BYTES / files.length));
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
  const rows: string[][] = [['input', 'lines', 'split Mlines/s', 'classify Mlines/s', 'profile Mlines/s', 'profile MB/s', 'profile ns/line']];
  const inputs: Array<[string, Buffer[]]> = TRACES.filter((name) => existsSync(path.join(dir, name)))
    .map((name) => [name.replace('_2k.log', ''), [corpus(path.join(dir, name))]]);
  const levels = levelCorpus();
  if (levels.length) inputs.push([`level corpus (${levels.length} streams)`, levels]);
  for (const [name, streams] of inputs) {
    const bounds = streams.map(lineBounds);
    const split = best(() => streams.reduce((n, data) => n + splitOnly(data), 0));
    const classify = best(() => streams.reduce((n, data, k) => n + classifyOnly(data, bounds[k]!), 0));
    const whole = best(() => profile(...streams));
    const bytes = streams.reduce((n, data) => n + data.length, 0);
    const mlps = (r: { ns: number; lines: number }): string => ((r.lines / r.ns) * 1e3).toFixed(2);
    rows.push([name, String(whole.lines), mlps(split), mlps(classify), mlps(whole), ((bytes / whole.ns) * 1e3).toFixed(0), (whole.ns / whole.lines).toFixed(0)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}

main();
