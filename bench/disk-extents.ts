import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { LoopExt4, run } from './lib/loop-ext4';

/**
 * Disk-side pre-allocation: 50 logs growing at once on an ext4 disk, synced often in small
 * pieces, interleave their blocks and fragment (why XFS pre-allocates speculatively). A tiered
 * mount reserves extents ahead of each disk copy's synced end; with --prealloc none it does not.
 * Extents per file (filefrag) once unmounted, and the syncs' throughput, for both.
 *   node build-bench/bench/disk-extents.js [--writers 50] [--seconds 20] [--interval 200ms]
 */
const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const WRITER = join(ROOT, 'test/fixtures/steady-writer.js');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface Outcome { extentsMean: number; extentsMax: number; bytes: number; syncSec: number; rounds: number }

async function once(prealloc: string, writers: number, seconds: number, interval: string): Promise<Outcome> {
  const scratch = mkdtempSync('/tmp/logshadow-bench-extents-');
  const disk = new LoopExt4(scratch, 4096).create();
  const dir = join(disk.mnt, 'logs');
  const runDir = join(scratch, 'run');
  mkdirSync(dir);
  try {
    run(process.execPath, [CLI, 'mount', dir, '--background', '--run-dir', runDir, '--size', '512M', '--sync-interval', interval, '--prealloc', prealloc, '--log-level', 'warn']);
    // Each writer: 10 lines of 120 bytes every 10 ms (120 KB/s), one file each.
    await Promise.all(Array.from({ length: writers }, (_, i) => new Promise((r) =>
      spawn(process.execPath, [WRITER, join(dir, `app-${i}.log`), String(seconds), '10', '10', '120'], { stdio: 'ignore' }).on('exit', r))));
    const stats = JSON.parse(run(process.execPath, [CLI, 'stats', dir, '--json', '--run-dir', runDir])) as { durability: { bytesSynced: number; syncSec: number; syncRounds: number } };
    run(process.execPath, [CLI, 'unmount', dir, '--run-dir', runDir]);
    const extents = readdirSync(dir).map((f) => Number(/(\d+) extents? found/.exec(run('filefrag', [join(dir, f)]))![1]));
    return {
      extentsMean: extents.reduce((a, b) => a + b, 0) / extents.length,
      extentsMax: Math.max(...extents),
      bytes: stats.durability.bytesSynced,
      syncSec: stats.durability.syncSec,
      rounds: stats.durability.syncRounds,
    };
  } finally {
    spawnSync(process.execPath, [CLI, 'unmount', dir, '--run-dir', runDir]);
    disk.destroy();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const writers = Number(arg('writers', '50'));
  const seconds = Number(arg('seconds', '20'));
  const interval = arg('interval', '200ms');
  let out = `Machine: ${machineLine(describeMachine())}\n${writers} writers, one file each, 120 KB/s each for ${seconds} s, syncs every ${interval}, ext4 on a loop device.\n\n`;
  out += '| disk pre-allocation | extents per file, mean | max | synced | sync rounds | time in syncs | sync throughput |\n|---|---:|---:|---:|---:|---:|---:|\n';
  for (const [label, prealloc] of [['on (--prealloc forecast)', 'forecast'], ['off (--prealloc none)', 'none']]) {
    const o = await once(prealloc, writers, seconds, interval);
    out += `| ${label} | ${o.extentsMean.toFixed(1)} | ${o.extentsMax} | ${(o.bytes / 1e6).toFixed(1)} MB | ${o.rounds} | ${o.syncSec.toFixed(2)} s | ${(o.bytes / 1e6 / o.syncSec).toFixed(1)} MB/s |\n`;
  }
  process.stdout.write(out);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
