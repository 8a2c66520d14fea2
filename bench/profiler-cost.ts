import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { numberArg } from './lib/mounts';
import { request } from '../src/control/client';
import { pidFilePath, socketPath } from '../src/control/paths';
import { daemonNodeArgs } from '../src/daemon/node-flags';

/**
 * What the profiler costs beside the data path, each case on a fresh mount:
 *   - the refresh tick with 100, 1,000 and 10,000 active streams (files kept open and written
 *     round robin at the same total rate), measured once the writers have opened their files
 *     and run for a while (the ticks of the start-up, where every file opens at once, are
 *     reported apart);
 *   - the daemon's and the engine's CPU time per write under fio (256 B sync writes, 1 job and 4 jobs, 10 s:
 *     the data path and the profiler side by side, without the noise of a throughput A/B);
 *   - the daemon's memory after 10,000 files were each written once;
 *   - with --long-minutes M: its memory while 1,000 files are written for M minutes.
 *
 *   node build-bench/bench/profiler-cost.js [--engine native|fuse-native] [--streams 100,1000,10000]
 *     [--rate 2000] [--seconds 30] [--long-minutes 10] [--root <another checkout>]
 * `--streams ''` skips the stream cases; BENCH_DAEMON_NODE_ARGS: see Mount.start; BENCH_MOUNT_ARGS:
 * more mount options for every mount (`--max-models 1`: the daemon without models).
 */
const ROOT = resolve(__dirname, '../..');
/** `--root <checkout>`: the build measured (another checkout's: a before and after). */
const CLI = join(resolve(option('--root', ROOT)), 'dist/cli/main.js');

interface TickSummary { count: number; sumMs: number; meanMs: number; p99Ms: number; maxMs: number; activeStreams: number; ticks: number }
interface Stats {
  pid: number;
  daemon: { rssBytes: number; heapUsedBytes: number; tick: TickSummary };
  totals: { writes: number; files: number };
  droppedRecords: number;
  tables: { fileStreams: number; models: number; inodes: number; evictedStreams: number; evictedModels: number };
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/**
 * Writers of files [from, to), one line at a time round robin, `rate` lines/s over all of their
 * files (fractions carried over), for `seconds`. `reopen` 0: each file is kept open; 1: each line
 * is appended by an open, write and close (a shell's `>>`).
 */
const MANY_FILES_WRITER = `
const fs = require('fs');
const [dir, from, to, rate, seconds, reopen] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const paths = [];
for (let i = from; i < to; i++) paths.push(dir + '/s' + i + '.log');
const fds = reopen ? [] : paths.map((p) => fs.openSync(p, 'a'));
const end = Date.now() + seconds * 1000;
let owed = 0;
let k = 0;
const t = setInterval(() => {
  owed += rate / 10;
  for (; owed >= 1; owed--, k++) {
    const line = 'INFO stream line ' + k + ' ' + 'x'.repeat(60) + '\\n';
    if (reopen) fs.appendFileSync(paths[k % paths.length], line);
    else fs.writeSync(fds[k % fds.length], line);
  }
  if (Date.now() > end) { clearInterval(t); for (const fd of fds) fs.closeSync(fd); }
}, 100);
`;

/**
 * Streams above this are written by open-append-close: the native engine holds two descriptors
 * per file kept open (its node's and the open's), and this machine's limit is 20,000.
 */
const MOST_KEPT_OPEN = 5000;

function runNode(code: string, args: string[]): Promise<number | null> {
  return new Promise((r) => spawn(process.execPath, ['-e', code, ...args], { stdio: 'inherit' }).on('exit', r));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (b: number) => (b / 2 ** 20).toFixed(1);

class Mount {
  readonly scratch = mkdtempSync('/tmp/logshadow-bench-profiler-');
  readonly dir = join(this.scratch, 'logs');
  readonly runDir = join(this.scratch, 'run');

  /**
   * Mounted as `mount --background` mounts, or, with BENCH_DAEMON_NODE_ARGS set, in the foreground
   * under node with those options (and the daemon's own where they name none of the same:
   * BENCH_DAEMON_NODE_ARGS=--max-semi-space-size=16 measures V8's default young generation).
   */
  static async start(engine: string): Promise<Mount> {
    const m = new Mount();
    mkdirSync(m.dir);
    const args = [CLI, 'mount', m.dir, '--engine', engine, '--run-dir', m.runDir, '--size', '2G', '--log-level', 'warn', '--no-persist',
      ...(process.env.BENCH_MOUNT_ARGS ?? '').split(' ').filter(Boolean)];
    const nodeArgs = (process.env.BENCH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);
    if (nodeArgs.length === 0) {
      const r = spawnSync(process.execPath, [...args, '--background'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return m;
    }
    spawn(process.execPath, [...daemonNodeArgs(nodeArgs), ...args], { stdio: 'ignore', detached: true }).unref();
    for (const until = Date.now() + 30_000; ; await sleep(200)) {
      if (spawnSync(process.execPath, [CLI, 'stats', m.dir, '--top', '0', '--run-dir', m.runDir]).status === 0) return m;
      if (Date.now() > until) throw new Error('the daemon did not start');
    }
  }

  stats(ticksSince = 0): Promise<Stats> {
    return request<Stats>(socketPath(this.runDir, this.dir), 'stats', { top: 0, ticksSince }, 60_000);
  }

  close(): void {
    spawnSync(process.execPath, [CLI, 'unmount', this.dir, '--discard', '--run-dir', this.runDir]);
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** Four writer processes over `streams` files; the tick measured after `warmupS` seconds. */
async function activeStreams(engine: string, streams: number, rate: number, seconds: number): Promise<{ startup: Stats; steady: Stats }> {
  const m = await Mount.start(engine);
  try {
    const warmupS = 10;
    process.stderr.write(`${streams} active streams, ${rate} writes/s, ${warmupS} s warm-up then ${seconds} s...\n`);
    const per = Math.ceil(streams / 4);
    const reopen = streams > MOST_KEPT_OPEN ? '1' : '0';
    const writers = [0, 1, 2, 3].map((w) => runNode(MANY_FILES_WRITER,
      [m.dir, String(w * per), String(Math.min(streams, w * per + per)), String(rate / 4), String(warmupS + seconds), reopen]));
    await sleep(warmupS * 1000);
    const startup = await m.stats();
    await Promise.all(writers);
    const steady = await m.stats(startup.daemon.tick.count);
    return { startup, steady };
  } finally {
    m.close();
  }
}

/** CPU time (user + system) a process has used, ms. */
function cpuMs(pid: number): number {
  // fields 14 and 15 of /proc/PID/stat, counted after the command name (which may hold spaces)
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

async function cpuPerWrite(engine: string, jobs: number): Promise<{ writes: number; daemonUs: number; engineUs: number | null }> {
  const m = await Mount.start(engine);
  try {
    process.stderr.write(`fio 256 B sync writes, ${jobs} job(s), 10 s...\n`);
    const daemon = (await m.stats()).pid;
    // the native engine's process holds the mount and writes the pid file; fuse-native's daemon serves itself
    const holder = engine === 'native' ? Number(readFileSync(pidFilePath(m.runDir, m.dir), 'utf8').trim()) : daemon;
    const enginePid = holder !== daemon ? holder : null;
    const before = [cpuMs(daemon), enginePid ? cpuMs(enginePid) : 0];
    // one file per job, the totals of all in jobs[0]
    const fio = spawnSync('fio', ['--name=w', `--directory=${m.dir}`, `--numjobs=${jobs}`, '--group_reporting', '--rw=write', '--bs=256', '--size=256M',
      '--time_based', '--runtime=10', '--ioengine=sync', '--fallocate=none', '--output-format=json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (fio.status !== 0) throw new Error(`fio failed: ${fio.stderr}`);
    await m.stats(); // the daemon has taken in every write
    const writes = (JSON.parse(fio.stdout) as { jobs: Array<{ write: { total_ios: number } }> }).jobs[0].write.total_ios;
    return {
      writes,
      daemonUs: ((cpuMs(daemon) - before[0]) * 1000) / writes,
      engineUs: enginePid ? ((cpuMs(enginePid) - before[1]) * 1000) / writes : null,
    };
  } finally {
    m.close();
  }
}

async function filesWrittenOnce(engine: string, files: number): Promise<{ idle: Stats; after: Stats; settled: Stats }> {
  const m = await Mount.start(engine);
  try {
    const idle = await m.stats();
    process.stderr.write(`${files} files written once...\n`);
    await runNode(`const fs=require('fs');const d=process.argv[1];for(let i=0;i<${files};i++)fs.appendFileSync(d+'/once'+i+'.log','INFO written once '+i+'\\n');`, [m.dir]);
    const after = await m.stats();
    await sleep(15_000);
    return { idle, after, settled: await m.stats() };
  } finally {
    m.close();
  }
}

async function longRun(engine: string, minutes: number): Promise<Stats[]> {
  const m = await Mount.start(engine);
  try {
    process.stderr.write(`1,000 streams written for ${minutes} min...\n`);
    const writers = [0, 1, 2, 3].map((w) => runNode(MANY_FILES_WRITER, [m.dir, String(w * 250), String(w * 250 + 250), '500', String(minutes * 60), '0']));
    const samples: Stats[] = [];
    for (let i = 0; i < minutes; i++) {
      await sleep(60_000);
      samples.push(await m.stats());
    }
    await Promise.all(writers);
    return samples;
  } finally {
    m.close();
  }
}

async function main(): Promise<void> {
  const engine = option('--engine', 'native');
  const streamCounts = option('--streams', '100,1000,10000').split(',').filter(Boolean).map(Number);
  const rate = numberArg('--rate', 2000);
  const seconds = numberArg('--seconds', 30);
  const longMinutes = numberArg('--long-minutes', 0);
  const machine = describeMachine();
  let out = `Machine: ${machineLine(machine)}\nEngine: ${engine}, refresh 250 ms; ${rate} writes/s of 80 B lines over all streams. ` +
    'A tick is a slice of the refresh; the work is the sum of the slices per second (of one CPU).\n\n';
  if (streamCounts.length > 0) {
    out += '| active streams | writes/s per stream | writers | refresh work ms/s | slices | mean ms | p99 ms | max ms | start-up p99 ms | start-up max ms | file streams kept | evicted | models | RSS MiB | dropped records |\n';
    out += '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
  }
  const results: Record<string, unknown> = {};
  for (const n of streamCounts) {
    const { startup, steady } = await activeStreams(engine, n, rate, seconds);
    results[`streams-${n}`] = { startup, steady };
    const t = steady.daemon.tick;
    const s = startup.daemon.tick;
    const tb = steady.tables;
    const workMsPerS = (t.sumMs - s.sumMs) / seconds;
    // mean, p99 and max cover the last `t.ticks` slices: all of the window unless it held more than the daemon keeps (1,024)
    const slices = t.count - s.count;
    out += `| ${n} | ${(rate / n).toFixed(1)} | ${n > MOST_KEPT_OPEN ? 'open-append-close' : 'kept open'} | ${workMsPerS.toFixed(1)} | ${slices}${t.ticks < slices ? ` (last ${t.ticks})` : ''} | ${t.meanMs.toFixed(2)} | ${t.p99Ms.toFixed(2)} | ${t.maxMs.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.maxMs.toFixed(2)} | ${tb.fileStreams} | ${tb.evictedStreams} | ${tb.models} | ${mib(steady.daemon.rssBytes)} | ${steady.droppedRecords} |\n`;
  }

  for (const jobs of [1, 4]) {
    const perWrite = await cpuPerWrite(engine, jobs);
    results[jobs === 1 ? 'cpuPerWrite' : `cpuPerWrite${jobs}Jobs`] = perWrite;
    out += `\nUnder fio (256 B sync writes, ${jobs} job${jobs > 1 ? 's' : ''}, 10 s, ${perWrite.writes} writes): the daemon used ${perWrite.daemonUs.toFixed(2)} µs of CPU per write` +
      (perWrite.engineUs === null ? '.\n' : `, the engine process ${perWrite.engineUs.toFixed(2)} µs (the data path).\n`);
  }

  const once = await filesWrittenOnce(engine, 10_000);
  results.writtenOnce = once;
  out += `\n| after 10,000 files written once | RSS MiB | heap MiB | file streams (cap) | models | inodes | streams evicted |\n|---|---:|---:|---:|---:|---:|---:|\n`;
  const mem = (label: string, s: Stats) =>
    `| ${label} | ${mib(s.daemon.rssBytes)} | ${mib(s.daemon.heapUsedBytes)} | ${s.tables.fileStreams} | ${s.tables.models} | ${s.tables.inodes} | ${s.tables.evictedStreams} |\n`;
  out += mem('just mounted', once.idle) + mem('right after', once.after) + mem('15 s later', once.settled);

  if (longMinutes > 0) {
    const samples = await longRun(engine, longMinutes);
    results.long = samples;
    out += `\n| 1,000 files written for ${longMinutes} min (2 writes/s each) | RSS MiB | heap MiB | tick mean ms | tick p99 ms |\n|---|---:|---:|---:|---:|\n`;
    samples.forEach((s, i) => {
      if (i === 0 || i === samples.length - 1 || i === Math.floor(samples.length / 2)) {
        out += `| after ${i + 1} min | ${mib(s.daemon.rssBytes)} | ${mib(s.daemon.heapUsedBytes)} | ${s.daemon.tick.meanMs.toFixed(2)} | ${s.daemon.tick.p99Ms.toFixed(2)} |\n`;
      }
    });
  }
  process.stdout.write(out);
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `profiler-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ machine, engine, rate, seconds, results }, null, 2));
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
