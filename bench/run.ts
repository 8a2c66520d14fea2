import { mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { TARGETS, makeScratch, removeScratch, type Target } from './lib/targets';
import { FIO_SCENARIOS, runFio, type FioResult } from './scenarios/fio';
import { startMemoryPressure } from './lib/pressure';
import { runNginx, type NginxResult } from './scenarios/nginx';

/**
 * The side-by-side benchmark: every target on the same machine in one run, each on its own fresh
 * tmpfs, printed as ratios to tmpfs directly (the physical limit).
 *   node build-bench/bench/run.js [--targets a,b] [--scenarios x,y] [--runtime seconds]
 */
interface Options {
  targets: string[] | null;
  scenarios: string[] | null;
  runtime: number;
  /** A competing process keeps allocating and touching memory throughout. */
  pressure: boolean;
  /** Also run nginx + wrk against every target. */
  nginx: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { targets: null, scenarios: null, runtime: 5, pressure: false, nginx: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--targets') o.targets = argv[++i].split(',');
    else if (argv[i] === '--scenarios') o.scenarios = argv[++i].split(',');
    else if (argv[i] === '--runtime') o.runtime = Number(argv[++i]);
    else if (argv[i] === '--pressure') o.pressure = true;
    else if (argv[i] === '--nginx') o.nginx = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return o;
}

const TMPFS_MAGIC = 0x01021994;
const FUSE_SUPER_MAGIC = 0x65735546;

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const machine = describeMachine();
  const scenarios = FIO_SCENARIOS.filter((s) => (opts.scenarios ? opts.scenarios.includes(s.name) : !s.append));
  const specs = TARGETS.filter((t) => !opts.targets || opts.targets.includes(t.name));
  const results: Record<string, Record<string, FioResult>> = {};
  const nginx: Record<string, NginxResult> = {};
  const skipped: Record<string, string> = {};
  process.stderr.write(`machine: ${machineLine(machine)}\n`);
  const pressure = opts.pressure ? startMemoryPressure() : null;

  for (const spec of specs) {
    const why = spec.available();
    if (why) {
      skipped[spec.name] = why;
      process.stderr.write(`skip ${spec.name}: ${why}\n`);
      continue;
    }
    const scratch = makeScratch();
    let target: Target | null = null;
    try {
      target = await spec.setup(scratch);
      // Measure only what was meant: a FUSE target must really be a FUSE mount when fio starts
      // (a mount that is not there yet would measure the disk underneath).
      const type = statfsSync(target.dir).type;
      const want = spec.name === 'tmpfs' ? TMPFS_MAGIC : FUSE_SUPER_MAGIC;
      if (type !== want) throw new Error(`${target.dir} is not the expected filesystem (statfs type 0x${type.toString(16)})`);
      results[spec.name] = {};
      for (const s of scenarios) {
        process.stderr.write(`${spec.name} / ${s.name} ...\n`);
        results[spec.name][s.name] = runFio(target, s, opts.runtime);
      }
      if (opts.nginx) {
        process.stderr.write(`${spec.name} / nginx ...\n`);
        nginx[spec.name] = await runNginx(target, scratch, opts.runtime);
      }
    } catch (err) {
      skipped[spec.name] = (err as Error).message.split('\n')[0];
      process.stderr.write(`failed ${spec.name}: ${(err as Error).message}\n`);
    } finally {
      await target?.teardown();
      removeScratch(scratch);
    }
  }

  pressure?.kill('SIGKILL');
  let out = `Machine: ${machineLine(machine)}\nfio --ioengine=sync --rw=write, ${opts.runtime} s per cell, all targets in one run${opts.pressure ? ', under memory pressure (a process allocating and touching 4 GiB in 256 MiB chunks, over and over)' : ''}.\n`;
  for (const s of scenarios) {
    const base = results.tmpfs?.[s.name]?.iops ?? NaN;
    out += `\n### ${s.label}\n\n| target | IOPS | x tmpfs | MB/s | p50 µs | p99 µs | p99.9 µs |\n|---|---:|---:|---:|---:|---:|---:|\n`;
    for (const spec of specs) {
      const r = results[spec.name]?.[s.name];
      if (!r) continue;
      out += `| ${spec.label} | ${fmt(r.iops)} | ${fmt(r.iops / base, 3)} | ${fmt(r.mbps, 1)} | ${fmt(r.p50us, 1)} | ${fmt(r.p99us, 1)} | ${fmt(r.p999us, 1)} |\n`;
    }
  }
  if (opts.nginx) {
    const base = nginx.tmpfs?.requestsPerSec ?? NaN;
    out += `\n### nginx 1.22, one worker, fixed 200, access log in the target; wrk -t2 -c16 -d${opts.runtime}s\n\n| target | req/s | x tmpfs | p50 ms | p99 ms | access.log lines |\n|---|---:|---:|---:|---:|---:|\n`;
    for (const spec of specs) {
      const r = nginx[spec.name];
      if (!r) continue;
      out += `| ${spec.label} | ${fmt(r.requestsPerSec)} | ${fmt(r.requestsPerSec / base, 3)} | ${fmt(r.latencyP50ms, 2)} | ${fmt(r.latencyP99ms, 2)} | ${fmt(r.logLines)} |\n`;
    }
  }
  for (const [name, why] of Object.entries(skipped)) out += `\n(${name} not measured: ${why})`;
  process.stdout.write(out + '\n');

  const dir = resolve(__dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, runtime: opts.runtime, pressure: opts.pressure, results, nginx, skipped }, null, 2));
  process.stderr.write(`results: ${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
