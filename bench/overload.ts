import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { request } from '../src/control/client';
import { socketPath } from '../src/control/paths';

/**
 * Writers that outpace the profiler on purpose: fio jobs of 256 B writes and shell loops of WARN
 * lines into one native mount with a small write ring, so records are dropped. It reports whether
 * the WARN lines and bytes still come out exact, and how long `stats` takes to answer meanwhile.
 *   node build-bench/bench/overload.js [--ring 1024] [--fio-jobs 8] [--loops 4] [--lines 20000] [--seconds 20]
 * --profile DIR runs the daemon in the foreground under `node --cpu-prof`: its CPU profile is
 * written to DIR as it exits.
 */
const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

interface FileRow { key: string; bytes: number; lines: number; unreadBytes: number; levels: Record<string, number> }
interface Stats {
  daemon: { rssBytes: number; tick: { count: number; meanMs: number; p99Ms: number; maxMs: number } };
  totals: { writes: number; bytes: number; lines: number; unrecordedBytes?: number; estimated?: string[] };
  droppedRecords: number;
  files: FileRow[];
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function timedStats(dir: string, runDir: string): Promise<{ ms: number; ok: boolean }> {
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'stats', dir, '--json', '--top', '0', '--run-dir', runDir], { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('exit', (code) => done({ ms: performance.now() - t0, ok: code === 0 }));
  });
}

async function main(): Promise<void> {
  const ring = arg('ring', 1024);
  const fioJobs = arg('fio-jobs', 8);
  const loops = arg('loops', 4);
  const lines = arg('lines', 20_000);
  const seconds = arg('seconds', 20);
  const scratch = mkdtempSync('/tmp/logshadow-bench-overload-');
  const dir = join(scratch, 'logs');
  const runDir = join(scratch, 'run');
  mkdirSync(dir);
  const machine = describeMachine();
  const mountArgs = [CLI, 'mount', dir, '--engine', 'native', '--run-dir', runDir, '--size', '4G', '--log-level', 'warn', '--no-persist',
    '--ring-capacity', String(ring)];
  const profileAt = process.argv.indexOf('--profile');
  if (profileAt > 0) {
    const daemon = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${resolve(process.argv[profileAt + 1])}`, ...mountArgs], { stdio: 'ignore', detached: true });
    daemon.unref();
    const until = Date.now() + 30_000;
    while (spawnSync(process.execPath, [CLI, 'stats', dir, '--top', '0', '--run-dir', runDir]).status !== 0) {
      if (Date.now() > until) throw new Error('the profiled daemon did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  } else {
    const mount = spawnSync(process.execPath, [...mountArgs, '--background'], { encoding: 'utf8' });
    if (mount.status !== 0) throw new Error(mount.stderr);
  }
  const children: Array<ReturnType<typeof spawn>> = [];
  try {
    const fio = spawn('fio', ['--name=overload', `--directory=${dir}`, '--rw=write', '--bs=256', '--ioengine=sync', '--size=150m',
      '--time_based', `--runtime=${seconds}`, `--numjobs=${fioJobs}`, '--output=/dev/null'], { stdio: 'ignore', detached: true });
    children.push(fio);
    const loopScript = 'for i in $(seq 1 "$2"); do echo "2026-12-03 10:00:00 WARN loop $1 line $i" >> "$3/warn$1.log"; done';
    const shells = Array.from({ length: loops }, (_, k) => {
      const sh = spawn('bash', ['-c', loopScript, 'loop', String(k), String(lines), dir], { stdio: 'ignore', detached: true });
      children.push(sh);
      return new Promise<void>((r) => sh.on('exit', () => r()));
    });
    const fioDone = new Promise<void>((r) => fio.on('exit', () => r()));
    let writing = true;
    void Promise.all([fioDone, ...shells]).then(() => (writing = false));
    // The daemon's answer (a request on its socket), and the CLI's (a new process, started
    // while the writers hold both cores).
    const latencies: number[] = [];
    const daemonMs: number[] = [];
    let failed = 0;
    const t0 = Date.now();
    while (writing) {
      const d0 = performance.now();
      try {
        await request(socketPath(runDir, dir), 'stats', { top: 0 }, 30_000);
        daemonMs.push(performance.now() - d0);
      } catch {
        failed++;
      }
      const s = await timedStats(dir, runDir);
      latencies.push(s.ms);
      if (!s.ok) failed++;
      await new Promise((r) => setTimeout(r, 500));
    }
    const wallSec = (Date.now() - t0) / 1000;
    // Lines and levels trail the bytes until the profiler has read everything: wait for it.
    const c0 = Date.now();
    for (;;) {
      const b = (await request<{ backlog?: { records: number; bytes: number } }>(socketPath(runDir, dir), 'stats', { top: 0 }, 30_000)).backlog;
      if (!b || (b.records === 0 && b.bytes === 0) || Date.now() - c0 > 300_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const catchUpSec = (Date.now() - c0) / 1000;
    const r = spawnSync(process.execPath, [CLI, 'stats', dir, '--json', '--all', '--run-dir', runDir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`stats failed: ${r.stderr}`);
    const st = JSON.parse(r.stdout) as Stats;
    let onDisk = 0;
    for (const name of readdirSync(dir, { recursive: true }) as string[]) {
      const s = statSync(join(dir, name));
      if (s.isFile()) onDisk += s.size;
    }
    let warnWritten = 0;
    let warnCounted = 0;
    let warnBad = 0;
    let warnBytes = 0;
    let warnBytesCounted = 0;
    const perFile: string[] = [];
    for (let k = 0; k < loops; k++) {
      const path = join(dir, `warn${k}.log`);
      const text = readFileSync(path, 'utf8');
      const got = text.split('\n').filter((l) => l.length > 0);
      warnBad += got.filter((l, i) => l !== `2026-12-03 10:00:00 WARN loop ${k} line ${i + 1}`).length;
      warnWritten += got.length;
      const row = st.files.find((f) => f.key === `/warn${k}.log`);
      const counted = row?.levels.warn ?? 0;
      warnCounted += counted;
      warnBytes += Buffer.byteLength(text);
      warnBytesCounted += row?.bytes ?? 0;
      perFile.push(`warn${k}.log ${counted}/${got.length} WARN lines (${row?.lines ?? 0} lines, ${row?.unreadBytes ?? 0} bytes unread), ${row?.bytes ?? 0}/${Buffer.byteLength(text)} bytes`);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const daemonSorted = [...daemonMs].sort((a, b) => a - b);
    const out = [
      `Machine: ${machineLine(machine)}`,
      `Load: ${fioJobs} fio jobs (256 B sync writes, ${seconds} s) + ${loops} shell loops of ${lines} WARN lines; native engine, ${ring}-slot ring; ${wallSec.toFixed(1)} s`,
      '',
      '| figure | value |', '|---|---:|',
      `| records dropped | ${st.droppedRecords} |`,
      `| caught up after the writers ended, s | ${catchUpSec.toFixed(1)} |`,
      `| WARN lines counted / written | ${warnCounted} / ${warnWritten} (${warnBad} corrupt) |`,
      `| WARN files: bytes counted / their sizes | ${warnBytesCounted} / ${warnBytes} |`,
      // fio lays its files out (fallocate) before it writes: their sizes are not bytes written.
      `| all bytes counted (fio's files laid out: ${onDisk} bytes) | ${st.totals.bytes} |`,
      `| bytes credited to no application | ${st.totals.unrecordedBytes ?? 0} |`,
      `| stats marks as estimates | ${(st.totals.estimated ?? []).join(', ') || '(none)'} |`,
      `| stats asked, each way (failed) | ${latencies.length} (${failed}) |`,
      `| daemon's answer ms: p50 / p90 / max | ${quantile(daemonSorted, 0.5).toFixed(0)} / ${quantile(daemonSorted, 0.9).toFixed(0)} / ${(daemonSorted.at(-1) ?? NaN).toFixed(0)} |`,
      `| \`logshadow stats\` ms (a new process): p50 / p90 / max | ${quantile(sorted, 0.5).toFixed(0)} / ${quantile(sorted, 0.9).toFixed(0)} / ${(sorted.at(-1) ?? NaN).toFixed(0)} |`,
      `| tick ms: mean / p99 / max (${st.daemon.tick.count} ticks) | ${st.daemon.tick.meanMs.toFixed(1)} / ${st.daemon.tick.p99Ms.toFixed(1)} / ${st.daemon.tick.maxMs.toFixed(1)} |`,
      `| daemon RSS MiB | ${(st.daemon.rssBytes / 2 ** 20).toFixed(1)} |`,
      '', ...perFile, '',
    ].join('\n');
    process.stdout.write(out);
    const resultsDir = join(ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `overload-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      JSON.stringify({ machine, ring, fioJobs, loops, lines, seconds, latencies, daemonMs, warnCounted, warnWritten, warnBad, onDisk, totals: st.totals, droppedRecords: st.droppedRecords, tick: st.daemon.tick }, null, 2));
  } finally {
    // Each writer leads a process group of its own (fio forks its jobs): the group goes.
    for (const c of children) if (c.exitCode === null && c.pid) process.kill(-c.pid, 'SIGKILL');
    spawnSync(process.execPath, [CLI, 'unmount', dir, '--discard', '--run-dir', runDir]);
    // The tmpfs `--size` mounted stays (it holds the logs): this run's goes too.
    spawnSync('umount', [dir]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
