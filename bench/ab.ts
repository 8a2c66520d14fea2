import { statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { fmt, median } from './lib/figures';
import { findTarget, makeScratch, removeScratch, type TargetSpec } from './lib/targets';
import { FIO_SCENARIOS, runFio } from './scenarios/fio';
import { runNginx } from './scenarios/nginx';

/**
 * Two targets, A and B, measured in alternating runs (A B, B A, A B...) so that whatever else the
 * machine does weighs on both alike; each run mounts afresh. Medians of the pairs, and B / A.
 *   node build-bench/bench/ab.js --a native --b native-noprofile [--pairs 5] [--runtime 10]
 *        [--scenarios fio-256b-1job,fio-256b-4jobs] [--nginx] [--b-root <another checkout>]
 * With --b-root, B is the target of that name built in another checkout (a before and after).
 */
interface Options {
  a: string;
  b: string;
  bRoot: string | null;
  pairs: number;
  runtime: number;
  scenarios: string[];
  nginx: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { a: 'native', b: 'native-noprofile', bRoot: null, pairs: 5, runtime: 10, scenarios: ['fio-256b-1job'], nginx: false };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    if (argv[i] === '--a') o.a = v();
    else if (argv[i] === '--b') o.b = v();
    else if (argv[i] === '--b-root') o.bRoot = resolve(v());
    else if (argv[i] === '--pairs') o.pairs = Number(v());
    else if (argv[i] === '--runtime') o.runtime = Number(v());
    else if (argv[i] === '--scenarios') o.scenarios = v().split(',');
    else if (argv[i] === '--nginx') o.nginx = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return o;
}


/** One run of every measure against a freshly mounted target: metric name to value. */
async function runOnce(t: TargetSpec, o: Options): Promise<Record<string, number>> {
  const scratch = makeScratch();
  const target = await t.setup(scratch);
  const out: Record<string, number> = {};
  try {
    if (statfsSync(target.dir).type !== 0x65735546) throw new Error(`${target.dir} is not a FUSE mount`);
    for (const s of FIO_SCENARIOS.filter((x) => o.scenarios.includes(x.name))) {
      const r = runFio(target, s, o.runtime);
      out[`${s.name} IOPS`] = r.iops;
      out[`${s.name} p99 µs`] = r.p99us;
    }
    if (o.nginx) out['nginx req/s'] = (await runNginx(target, scratch, o.runtime)).requestsPerSec;
  } finally {
    await target.teardown();
    removeScratch(scratch);
  }
  return out;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const a = findTarget(o.a, null, '@b');
  const b = findTarget(o.b, o.bRoot, '@b');
  const runs: Record<'a' | 'b', Array<Record<string, number>>> = { a: [], b: [] };
  for (let i = 0; i < o.pairs; i++) {
    const order = i % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
    for (const side of order) {
      process.stderr.write(`pair ${i + 1}/${o.pairs}: ${side === 'a' ? a.name : b.name}\n`);
      runs[side].push(await runOnce(side === 'a' ? a : b, o));
    }
  }
  let out = `Machine: ${machineLine(describeMachine())}\n${o.pairs} alternating pairs, ${o.runtime} s per measure, medians.\n`;
  out += `A: ${a.label}\nB: ${b.label}\n\n| measure | A | B | B / A | A runs | B runs |\n|---|---:|---:|---:|---|---|\n`;
  for (const key of Object.keys(runs.a[0])) {
    const va = runs.a.map((r) => r[key]);
    const vb = runs.b.map((r) => r[key]);
    const d = key.includes('µs') ? 1 : 0;
    out += `| ${key} | ${fmt(median(va), d)} | ${fmt(median(vb), d)} | ${fmt(median(vb) / median(va), 3)} | ${va.map((x) => fmt(x, d)).join(', ')} | ${vb.map((x) => fmt(x, d)).join(', ')} |\n`;
  }
  process.stdout.write(out);
}

main().catch((err) => {
  process.stderr.write(`bench/ab: ${(err as Error).message}\n`);
  process.exit(1);
});
