import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { fmt, median } from './lib/figures';
import { findTarget, makeScratch, removeScratch, type Target, type TargetSpec } from './lib/targets';
import { startNginx, wrkArgs } from './scenarios/nginx';

/**
 * What the daemon's work costs the writers, measured inside one fio run. Separate runs of the same
 * target differ by up to 40% on a shared machine (ab.js: the profiling-off runs of one session
 * spread from 35,000 to 62,000 IOPS), which drowns a few percent. Here the daemon is stopped
 * (SIGSTOP) and let go on (SIGCONT) every `--period` ms while the load writes, and the load's own
 * log of its throughput, in `--bin` ms bins stamped in Unix time, is split by the daemon's state:
 * neighbouring periods share the machine, the mount, the files and the page cache, so the drifts
 * cancel. Loads: fio (its IOPS log) and, with --nginx, nginx under wrk (its access log, a time
 * stamp per request).
 *
 * While stopped, the daemon does nothing and the engine keeps recording into the ring; let go on,
 * it works off that backlog and keeps up with the new writes. So over a pair of periods it does the
 * same work as when it runs all along, provided the ring held the backlog (the dropped records are
 * reported: a shorter period, or BENCH_MOUNT_ARGS='--ring-capacity 262144', keeps them at 0), but
 * all of it in the running period. What is reported:
 *   - IOPS while stopped (the writers alone with the engine) and while running;
 *   - the mean over whole stopped-running pairs against the stopped periods': if what the writers
 *     lose grows with the work the daemon does, that is what running all along costs them (the
 *     same work, spread evenly);
 *   - the same for `--control` (default native-noprofile, whose daemon never has work): the noise of
 *     the method, which should be near 0.
 *
 *   node build-bench/bench/profiling-toggle.js [--target native] [--control native-noprofile]
 *     [--jobs 1,4 (or '' for none)] [--nginx] [--runtime 60] [--period 400] [--bin 50]
 *     [--root <another checkout>]
 */
interface Options {
  target: string;
  control: string;
  jobs: number[];
  runtime: number;
  period: number;
  bin: number;
  nginx: boolean;
  root: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { target: 'native', control: 'native-noprofile', jobs: [1, 4], runtime: 60, period: 400, bin: 50, nginx: false, root: null };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    if (argv[i] === '--target') o.target = v();
    else if (argv[i] === '--control') o.control = v();
    else if (argv[i] === '--jobs') o.jobs = v().split(',').filter(Boolean).map(Number);
    else if (argv[i] === '--runtime') o.runtime = Number(v());
    else if (argv[i] === '--period') o.period = Number(v());
    else if (argv[i] === '--bin') o.bin = Number(v());
    else if (argv[i] === '--nginx') o.nginx = true;
    else if (argv[i] === '--root') o.root = resolve(v());
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!(o.bin > 0 && o.period >= 4 * o.bin)) throw new Error('--period must hold at least four bins');
  return o;
}

/** [from, to] Unix ms, the daemon stopped or running. */
interface Period { from: number; to: number; stopped: boolean }

/** One fio job's averaged IOPS log: [end of the bin (Unix ms), IOPS]. */
function readIopsLogs(dir: string, prefix: string): Array<Array<[number, number]>> {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_iops.`) && f.endsWith('.log'))
    .map((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean)
      .map((l) => l.split(',').map((x) => Number(x.trim())))
      .map(([t, v]) => [t, v] as [number, number]));
}

interface Split {
  /** IOPS (the jobs' summed) in the stopped periods, in the running ones, and over whole pairs. */
  stopped: number;
  running: number;
  all: number;
  /** Stopped-running pairs of periods, and the median of their own losses. */
  pairs: number;
  medianPairLoss: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** The jobs' IOPS summed: each job's mean over its bins wholly inside [from, to], summed over the jobs. */
function summed(logs: Array<Array<[number, number]>>, from: number, to: number, binMs: number): number {
  let total = 0;
  for (const log of logs) {
    const xs = log.filter(([end]) => end - binMs >= from && end <= to).map(([, iops]) => iops);
    if (xs.length === 0) return Number.NaN;
    total += mean(xs);
  }
  return total;
}

/**
 * By the daemon's state, per stopped-then-running pair of periods. The stopped periods' bins give
 * the baseline; a pair's mean takes every bin inside the pair, those across the switch included:
 * the daemon's catch-up comes right after it is let go on, the heaviest part of its work, and
 * leaving out the bins across the switch would leave out the cost being measured.
 */
function split(logs: Array<Array<[number, number]>>, periods: Period[], binMs: number): Split {
  const stopped: number[] = [];
  const running: number[] = [];
  const all: number[] = [];
  const losses: number[] = [];
  for (let k = 0; k + 1 < periods.length; k++) {
    const [s, r] = [periods[k], periods[k + 1]];
    if (!s.stopped || r.stopped) continue;
    const st = summed(logs, s.from, s.to, binMs);
    const ru = summed(logs, r.from, r.to, binMs);
    const pair = summed(logs, s.from, r.to, binMs);
    if (!(st > 0 && Number.isFinite(ru) && Number.isFinite(pair))) continue;
    stopped.push(st);
    running.push(ru);
    all.push(pair);
    losses.push(1 - pair / st);
  }
  return { stopped: mean(stopped), running: mean(running), all: mean(all), pairs: losses.length, medianPairLoss: median(losses) };
}

function droppedRecords(target: Target, root: string | null): number | null {
  const cli = join(root ?? resolve(__dirname, '../..'), 'dist/cli/main.js');
  const runDir = `${target.dir}-run`;
  const r = spawnSync(process.execPath, [cli, 'stats', target.dir, '--json', '--top', '0', '--run-dir', runDir], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return (JSON.parse(r.stdout) as { droppedRecords: number }).droppedRecords;
}

/** A load started on a target: when it ends, what to stop after it, and then its throughput log, one per writer. */
interface Load {
  exited: Promise<void>;
  cleanup(): Promise<void>;
  logs(): Array<Array<[number, number]>>;
}

/** What drives the writes: fio with `jobs` writers (its own IOPS log), or nginx under wrk. */
interface Workload {
  name: string;
  start(target: Target, scratch: string, o: Options): Promise<Load>;
}

function exitOf(proc: ChildProcess, what: string): Promise<void> {
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    proc.once('error', (e) => reject(new Error(`${what}: ${e.message}`)));
    proc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed: ${stderr}`))));
  });
}

function fioLoad(jobs: number): Workload {
  return {
    name: `fio 256 B sync writes, ${jobs} job${jobs > 1 ? 's' : ''}`,
    async start(target, scratch, o) {
      const prefix = join(scratch, 'toggle');
      const fio = spawn('fio', [
        '--name=toggle', `--directory=${target.dir}`, '--rw=write', '--bs=256', '--ioengine=sync', '--size=64m', '--time_based',
        `--runtime=${o.runtime}`, `--numjobs=${jobs}`, `--write_iops_log=${prefix}`, `--log_avg_msec=${o.bin}`,
        '--log_unix_epoch=1', '--output-format=terse',
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      return { exited: exitOf(fio, 'fio'), cleanup: async () => undefined, logs: () => readIopsLogs(scratch, 'toggle') };
    },
  };
}

/**
 * nginx answering wrk (bench/scenarios/nginx.ts), its access log on the target in the combined
 * format the other benches write, with nginx's own time stamp of the request's end last (`$msec`,
 * seconds with milliseconds): the requests per bin are the log's lines per bin, an empty bin 0.
 */
const COMBINED_WITH_MSEC = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $msec';

const nginxLoad: Workload = {
  name: 'nginx + wrk (2 threads, 16 connections), requests/s',
  async start(target, scratch, o) {
    const nginx = await startNginx(target, scratch, COMBINED_WITH_MSEC);
    const wrk = spawn('wrk', wrkArgs(nginx.port, o.runtime), { stdio: ['ignore', 'ignore', 'pipe'] });
    return {
      exited: exitOf(wrk, 'wrk'),
      cleanup: () => nginx.stop(),
      logs() {
        const counts = new Map<number, number>();
        for (const line of readFileSync(nginx.accessLog, 'utf8').split('\n')) {
          if (!line) continue;
          const ms = Math.round(Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000);
          const end = (Math.floor(ms / o.bin) + 1) * o.bin;
          counts.set(end, (counts.get(end) ?? 0) + 1);
        }
        const ends = [...counts.keys()];
        const out: Array<[number, number]> = [];
        for (let end = Math.min(...ends); end <= Math.max(...ends); end += o.bin) out.push([end, ((counts.get(end) ?? 0) * 1000) / o.bin]);
        return [out];
      },
    };
  },
};

async function toggledRun(t: TargetSpec, load: Workload, o: Options): Promise<Split & { dropped: number | null }> {
  const scratch = makeScratch();
  const target = await t.setup(scratch);
  const pid = target.pid;
  try {
    if (pid === null) throw new Error(`${t.name} has no daemon to stop`);
    const running = await load.start(target, scratch, o);
    let done = false;
    const exited = running.exited.finally(() => { done = true; });
    const periods: Period[] = [];
    let stopped = false;
    // start stopped so that the first pair is whole; switch every period until the load is done
    while (!done) {
      const now = Date.now();
      if (periods.length) periods[periods.length - 1].to = now;
      stopped = !stopped;
      process.kill(pid, stopped ? 'SIGSTOP' : 'SIGCONT');
      periods.push({ from: now, to: Number.POSITIVE_INFINITY, stopped });
      await Promise.race([exited.catch(() => undefined), new Promise((r) => setTimeout(r, o.period))]);
    }
    process.kill(pid, 'SIGCONT');
    try {
      await exited;
    } finally {
      await running.cleanup();
    }
    // the last period ends with the load, partly empty: leave it out
    periods.pop();
    await new Promise((r) => setTimeout(r, 1000)); // the daemon catches up before it is asked
    return { ...split(running.logs(), periods, o.bin), dropped: droppedRecords(target, o.root) };
  } finally {
    if (pid !== null) try { process.kill(pid, 'SIGCONT'); } catch { /* gone */ }
    await target.teardown();
    removeScratch(scratch);
  }
}

const pct = (x: number) => `${fmt(100 * x, 1)}%`;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  // stopping a fuse-native daemon would stop the data path itself (its engine is in the daemon)
  if ([o.target, o.control].some((n) => n.startsWith('fuse-native'))) throw new Error('the native engine only: its data path is in a process of its own');
  const specs = [findTarget(o.target, o.root, '@root'), findTarget(o.control, o.root, '@root')];
  const loads = [...o.jobs.map(fioLoad), ...(o.nginx ? [nginxLoad] : [])];
  console.log(`Machine: ${machineLine(describeMachine())}`);
  console.log(`${o.runtime} s per run, the daemon stopped and let go on every ${o.period} ms, throughput in ${o.bin} ms bins.`);
  console.log('| load | target | stopped | running | pairs\' mean | lost (pairs\' mean against stopped) | median of the pairs\' losses | pairs | records dropped |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const load of loads) {
    for (const t of specs) {
      const r = await toggledRun(t, load, o);
      console.log(`| ${load.name} | ${t.name} | ${fmt(r.stopped)} | ${fmt(r.running)} | ${fmt(r.all)} | ${pct(1 - r.all / r.stopped)} | ${pct(r.medianPairLoss)} | ${r.pairs} | ${r.dropped ?? '?'} |`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
