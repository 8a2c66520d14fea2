import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from '../src/control/client';
import { socketPath } from '../src/control/paths';
import { describeMachine, machineLine } from './lib/machine';

/**
 * The loss window of a tiered mount under real logs: the four shared Loghub traces replayed at
 * once into one mount (time-scaled, as in shadow-replay), and at random instants the unsynced
 * bytes ("what a power cut now would lose") and the age of the oldest, against --max-unsynced and
 * --sync-interval.
 *   node build-bench/bench/loss-window.js [--max-unsynced 64K] [--interval 10s]
 */
const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const TRACES = [process.env.LOGSHADOW_TRACES, resolve(ROOT, '../shared/traces/loghub'), '/work/shared/traces/loghub']
  .filter((d): d is string => Boolean(d))
  .find((d) => existsSync(join(d, 'Android_2k.log'))) ?? resolve(ROOT, '../shared/traces/loghub');
const CASES = [
  { file: 'Android_2k.log', scale: 1 },
  { file: 'OpenSSH_2k.log', scale: 20 },
  { file: 'HealthApp_2k.log', scale: 40 },
  { file: 'Apache_2k.log', scale: 80 },
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface Durability { unsyncedBytes: number; oldestUnsyncedSec: number; syncs: Record<string, number>; bytesSynced: number; maxUnsyncedBytes: number; syncIntervalMs: number }

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function main(): Promise<void> {
  const maxUnsynced = arg('max-unsynced', '64K');
  const interval = arg('interval', '10s');
  const scratch = mkdtempSync('/tmp/logshadow-bench-loss-');
  const dir = join(scratch, 'logs');
  const runDir = join(scratch, 'run');
  mkdirSync(dir);
  const up = spawnSync(process.execPath, [CLI, 'mount', dir, '--background', '--run-dir', runDir, '--max-unsynced', maxUnsynced, '--sync-interval', interval, '--log-level', 'warn'], { encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`mount: ${up.stderr}`);
  const samples: Durability[] = [];
  let done = false;
  try {
    const replays = CASES.map((c) => new Promise((r) =>
      spawn(process.execPath, [CLI, 'replay', join(TRACES, c.file), join(dir, c.file), '--scale', String(c.scale), '--max-gap', '60s', '--quiet'], { stdio: 'ignore' }).on('exit', r)));
    const sampler = (async () => {
      while (!done) {
        const s = await request<{ durability: Durability }>(socketPath(runDir, dir), 'stats', {}, 10_000);
        samples.push(s.durability);
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
      }
    })();
    await Promise.all(replays);
    done = true;
    await sampler;
    const last = samples[samples.length - 1];
    const bytes = samples.map((s) => s.unsyncedBytes);
    const ages = samples.map((s) => s.oldestUnsyncedSec);
    let out = `Machine: ${machineLine(describeMachine())}\nThe four Loghub traces replayed at once into one tiered mount (scales ${CASES.map((c) => c.scale).join(', ')}), --max-unsynced ${maxUnsynced}, --sync-interval ${interval}, --sync-on error; ${samples.length} samples at random instants.\n\n`;
    out += '| | p50 | p99 | max | bound |\n|---|---:|---:|---:|---:|\n';
    out += `| unsynced bytes (a power cut would lose) | ${quantile(bytes, 0.5)} | ${quantile(bytes, 0.99)} | ${Math.max(...bytes)} | ${last.maxUnsyncedBytes} |\n`;
    out += `| age of the oldest unsynced byte, s | ${quantile(ages, 0.5).toFixed(2)} | ${quantile(ages, 0.99).toFixed(2)} | ${Math.max(...ages).toFixed(2)} | ${last.syncIntervalMs / 1000} |\n`;
    out += `\nsyncs by trigger: ${Object.entries(last.syncs).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ')}; ${last.bytesSynced} bytes synced.\n`;
    process.stdout.write(out);
  } finally {
    spawnSync(process.execPath, [CLI, 'unmount', dir, '--run-dir', runDir]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
