import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';

/**
 * What the profiler costs beside the data path: the drain tick with 1,000 active streams, and
 * the daemon's memory after 10,000 files were each written once.
 *   node build-bench/bench/profiler-cost.js [--engine native|fuse-native]
 */
const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');

interface Stats {
  daemon: { rssBytes: number; heapUsedBytes: number; tick: { count: number; meanMs: number; p99Ms: number; maxMs: number; activeStreams: number } };
  totals: { writes: number; files: number };
  droppedRecords: number;
  tables: { fileStreams: number; models: number; inodes: number; evictedStreams: number; evictedModels: number };
}

function stats(dir: string, runDir: string): Stats {
  const r = spawnSync(process.execPath, [CLI, 'stats', dir, '--json', '--run-dir', runDir], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`stats failed (${r.status ?? r.error?.message}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Stats;
}

/** Writers that keep `files` files open and write one line to each, round robin, `rate` lines/s per file. */
const MANY_FILES_WRITER = `
const fs = require('fs');
const [dir, from, to, rate, seconds] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const fds = [];
for (let i = from; i < to; i++) fds.push(fs.openSync(dir + '/s' + i + '.log', 'a'));
const end = Date.now() + seconds * 1000;
const perTick = fds.length * rate / 10;
let k = 0;
const t = setInterval(() => {
  for (let j = 0; j < perTick; j++, k++) fs.writeSync(fds[k % fds.length], 'INFO stream line ' + k + ' ' + 'x'.repeat(60) + '\\n');
  if (Date.now() > end) { clearInterval(t); for (const fd of fds) fs.closeSync(fd); }
}, 100);
`;

function runNode(code: string, args: string[]): Promise<number | null> {
  return new Promise((r) => spawn(process.execPath, ['-e', code, ...args], { stdio: 'inherit' }).on('exit', r));
}

async function main(): Promise<void> {
  const engine = process.argv.includes('--engine') ? process.argv[process.argv.indexOf('--engine') + 1] : 'native';
  const scratch = mkdtempSync('/tmp/logshadow-bench-profiler-');
  const dir = join(scratch, 'logs');
  const runDir = join(scratch, 'run');
  mkdirSync(dir);
  const machine = describeMachine();
  const mount = spawnSync(process.execPath, [CLI, 'mount', dir, '--engine', engine, '--run-dir', runDir, '--background', '--size', '1G', '--log-level', 'warn', '--no-persist'], { encoding: 'utf8' });
  if (mount.status !== 0) throw new Error(mount.stderr);
  let out = `Machine: ${machineLine(machine)}\nEngine: ${engine}, refresh 250 ms.\n\n`;
  try {
    const idle = stats(dir, runDir);
    // 1,000 streams written at once: 4 writer processes, 250 open files each, 2 lines/s per file.
    process.stderr.write('1,000 active streams for 30 s...\n');
    const before = idle.daemon.tick.count;
    await Promise.all([0, 1, 2, 3].map((w) => runNode(MANY_FILES_WRITER, [dir, String(w * 250), String(w * 250 + 250), '2', '30'])));
    const busy = stats(dir, runDir);
    out += '| load | ticks | tick mean ms | tick p99 ms | tick max ms | streams modelled | RSS MiB | dropped records |\n|---|---:|---:|---:|---:|---:|---:|---:|\n';
    const row = (label: string, s: Stats, ticks: number) =>
      `| ${label} | ${ticks} | ${s.daemon.tick.meanMs.toFixed(2)} | ${s.daemon.tick.p99Ms.toFixed(2)} | ${s.daemon.tick.maxMs.toFixed(2)} | ${s.daemon.tick.activeStreams} | ${(s.daemon.rssBytes / 2 ** 20).toFixed(1)} | ${s.droppedRecords} |\n`;
    out += row('idle (just mounted)', idle, idle.daemon.tick.count);
    out += row('1,000 files written at 2 lines/s each (2,000 writes/s)', busy, busy.daemon.tick.count - before);

    // 10,000 files, each written once.
    process.stderr.write('10,000 files written once...\n');
    await runNode(`const fs=require('fs');const d=process.argv[1];for(let i=0;i<10000;i++)fs.appendFileSync(d+'/once'+i+'.log','INFO written once '+i+'\\n');`, [dir]);
    const after = stats(dir, runDir);
    await new Promise((r) => setTimeout(r, 15_000));
    const settled = stats(dir, runDir);
    out += `\n| after 10,000 files written once | RSS MiB | heap MiB | file streams (cap) | models | inodes | streams evicted |\n|---|---:|---:|---:|---:|---:|---:|\n`;
    const mem = (label: string, s: Stats) =>
      `| ${label} | ${(s.daemon.rssBytes / 2 ** 20).toFixed(1)} | ${(s.daemon.heapUsedBytes / 2 ** 20).toFixed(1)} | ${s.tables.fileStreams} | ${s.tables.models} | ${s.tables.inodes} | ${s.tables.evictedStreams} |\n`;
    out += mem('right after', after) + mem('15 s later', settled);
    process.stdout.write(out);
    const resultsDir = join(ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `profiler-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ machine, engine, idle, busy, after, settled }, null, 2));
  } finally {
    spawnSync(process.execPath, [CLI, 'unmount', dir, '--discard', '--run-dir', runDir]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
