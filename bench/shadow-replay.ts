import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ShadowView } from '../src/shadow/shadow-log';
import { describeMachine, machineLine } from './lib/machine';

/**
 * The shadow log scored live: each shared trace replayed through a real mount, time-scaled so
 * the run takes minutes, with the horizon and the refresh scaled by the same factor (a 10 s
 * window of the original log stays one window). All four run at once, one mount each.
 *   node build-bench/bench/shadow-replay.js [--engine native|fuse-native]
 */
const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const TRACES = [process.env.LOGSHADOW_TRACES, resolve(ROOT, '../shared/traces/loghub'), '/work/shared/traces/loghub']
  .filter((d): d is string => Boolean(d))
  .find((d) => existsSync(join(d, 'Android_2k.log'))) ?? resolve(ROOT, '../shared/traces/loghub');

interface Case { name: string; file: string; scale: number }
const CASES: Case[] = [
  { name: 'Android', file: 'Android_2k.log', scale: 1 },
  { name: 'OpenSSH', file: 'OpenSSH_2k.log', scale: 20 },
  { name: 'HealthApp', file: 'HealthApp_2k.log', scale: 40 },
  { name: 'Apache', file: 'Apache_2k.log', scale: 80 },
];
const HORIZON_MS = 10_000;
const REFRESH_MS = 250;

function run(args: string[]): Promise<number | null> {
  return new Promise((r) => spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', r));
}

interface PreallocJson { reservedBytes: number; hitBytes: number; watchedBytes: number; confidentHitBytes: number; confidentWatchedBytes: number; releasedUnusedBytes: number }
interface Outcome { shadow: ShadowView['streams'][number] | null; prealloc: PreallocJson | null; bytes: number }

async function one(c: Case, engine: string, scratch: string): Promise<Outcome> {
  const dir = join(scratch, c.name);
  const runDir = join(scratch, `${c.name}-run`);
  mkdirSync(dir);
  const horizon = `${HORIZON_MS / c.scale}ms`;
  const refresh = `${Math.max(5, REFRESH_MS / c.scale)}ms`;
  const lifetime = `${Math.max(50, 60_000 / c.scale)}ms`;
  const mount = spawnSync(process.execPath, [CLI, 'mount', dir, '--engine', engine, '--horizon', horizon, '--refresh', refresh, '--prealloc-lifetime', lifetime, '--run-dir', runDir, '--background', '--size', '64M', '--no-persist'], { encoding: 'utf8' });
  if (mount.status !== 0) throw new Error(`mount ${c.name}: ${mount.stderr}`);
  try {
    await run(['replay', join(TRACES, c.file), join(dir, 'trace.log'), '--scale', String(c.scale), '--max-gap', '60s', '--quiet']);
    const r = spawnSync(process.execPath, [CLI, 'shadow', dir, '--json', '--entries', '0', '--run-dir', runDir], { encoding: 'utf8' });
    const v = JSON.parse(r.stdout) as ShadowView;
    // Wait out a lifetime so that what was reserved and never used has been released and counted.
    await new Promise((res) => setTimeout(res, Math.max(50, 60_000 / c.scale) * 2 + 500));
    const st = JSON.parse(spawnSync(process.execPath, [CLI, 'stats', dir, '--json', '--run-dir', runDir], { encoding: 'utf8' }).stdout) as { files: Array<{ key: string; bytes: number; prealloc: PreallocJson | null }> };
    const f = st.files.find((x) => x.key === '/trace.log');
    return { shadow: v.streams.find((s) => s.key === '/trace.log') ?? null, prealloc: f?.prealloc ?? null, bytes: f?.bytes ?? 0 };
  } finally {
    spawnSync(process.execPath, [CLI, 'unmount', dir, '--discard', '--run-dir', runDir]);
  }
}

async function main(): Promise<void> {
  const engine = process.argv.includes('--engine') ? process.argv[process.argv.indexOf('--engine') + 1] : 'native';
  if (!existsSync(TRACES)) throw new Error(`${TRACES} missing`);
  const scratch = mkdtempSync('/tmp/logshadow-bench-shadow-');
  const machine = describeMachine();
  process.stderr.write(`machine: ${machineLine(machine)}\nreplaying ${CASES.map((c) => `${c.name} x${c.scale}`).join(', ')} on the ${engine} engine...\n`);
  try {
    const results = await Promise.all(CASES.map((c) => one(c, engine, scratch)));
    const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
    let out = `Machine: ${machineLine(machine)}\nLive replay through the ${engine} engine; horizon = 10 s of original time; gaps capped at 60 s.\n\n`;
    out += '| trace | scale | windows | bytes MAE model / last / mov. avg | model / better naive | 90% coverage model / last / mov. avg | severity JS |\n|---|---:|---:|---|---:|---|---:|\n';
    CASES.forEach((c, i) => {
      const s = results[i].shadow;
      if (!s) return void (out += `| ${c.name} | ${c.scale} | - | no stream | | | |\n`);
      const b = s.scores.bytes.sinceStart;
      const better = Math.min(b.naiveLast.mae, b.movingAverage.mae);
      out += `| ${c.name} | ${c.scale} | ${b.model.windows} | ${f(b.model.mae)} / ${f(b.naiveLast.mae)} / ${f(b.movingAverage.mae)} | ${f(b.model.mae / better, 2)} | ` +
        `${f(b.model.coverage90 * 100)}% / ${f(b.naiveLast.coverage90 * 100)}% / ${f(b.movingAverage.coverage90 * 100)}% | ${f(s.scores.severityDivergenceSinceStart, 3)} |\n`;
    });
    out += '\n| trace | bytes written | reserved | landed in reservations (all / while confident) | released unused (of bytes written) |\n|---|---:|---:|---|---:|\n';
    CASES.forEach((c, i) => {
      const { prealloc: p, bytes } = results[i];
      if (!p) return void (out += `| ${c.name} | ${bytes} | - | no reservation | - |\n`);
      const pc = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '-');
      out += `| ${c.name} | ${bytes} | ${p.reservedBytes} | ${pc(p.hitBytes, bytes)} / ${pc(p.confidentHitBytes, p.confidentWatchedBytes)} | ${pc(p.releasedUnusedBytes, bytes)} |\n`;
    });
    process.stdout.write(out);
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `shadow-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ machine, engine, cases: CASES, results }, null, 2));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
