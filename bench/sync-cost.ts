import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from '../src/control/client';
import { socketPath } from '../src/control/paths';
import { describeMachine, machineLine } from './lib/machine';
import { LoopExt4, run, timed } from './lib/loop-ext4';

/**
 * What one sync costs, on the same tree: 1,000 log files (200 MB) of which 10 grew by 1 MB since
 * the last sync. The two methods RAM-log tools use (log2ram: `rsync -aAX --inplace
 * --no-whole-file` or `cp -rfup` from the tmpfs to the disk copy) against `logshadow sync` on a
 * tiered mount. Time, and bytes written to the disk, counted at its loop device (data, metadata
 * and journal alike) once flushed. rsync and cp do not flush: their time is shown without and
 * with the flush (syncfs) that makes them durable; logshadow's sync is durable when it returns.
 *   node build-bench/bench/sync-cost.js [--files 1000] [--mb 200] [--grown 10] [--grow-mb 1] [--rounds 3]
 */
const CLI = resolve(__dirname, '../../dist/cli/main.js');

interface Options { files: number; mb: number; grown: number; growMb: number; rounds: number }

function parseArgs(argv: string[]): Options {
  const o: Options = { files: 1000, mb: 200, grown: 10, growMb: 1, rounds: 3 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof Options;
    if (!(key in o)) throw new Error(`unknown argument ${argv[i]}`);
    o[key] = Number(argv[i + 1]);
  }
  return o;
}

/** Log-like text: numbered lines of printable characters, `bytes` long. */
function text(bytes: number, tag: string): string {
  const line = (i: number) => `2026-12-03T10:00:00.${String(i % 1000).padStart(3, '0')}Z INFO ${tag} request ${i} served in ${i % 97} ms\n`;
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += line(i);
  return out.slice(0, bytes - 1) + '\n';
}

function writeTree(dir: string, o: Options): void {
  mkdirSync(dir, { recursive: true });
  const body = text(Math.floor((o.mb * 1024 * 1024) / o.files), 'base');
  for (let f = 0; f < o.files; f++) writeFileSync(join(dir, `app-${String(f).padStart(4, '0')}.log`), body);
}

/** The grown files of round `r`: spread over the tree, different each round. */
function grow(dir: string, o: Options, r: number): void {
  const chunk = text(o.growMb * 1024 * 1024, `round${r}`);
  for (let k = 0; k < o.grown; k++) appendFileSync(join(dir, `app-${String((k * 97 + r * 13) % o.files).padStart(4, '0')}.log`), chunk);
}

interface Row { method: string; ms: number; durableMs: number; bytes: number }

function copyTool(name: string, cmd: string, args: (src: string, dst: string) => string[], o: Options, scratch: string): Row[] {
  const slug = cmd;
  const ram = join(scratch, `${slug}-ram`);
  mkdirSync(ram);
  run('mount', ['-t', 'tmpfs', '-o', 'size=2g', 'bench-ram', ram]);
  const disk = new LoopExt4(mkdtempSync(join(scratch, `${slug}-`)), 2048).create();
  try {
    const dst = join(disk.mnt, 'log');
    writeTree(ram, o);
    run('cp', ['-a', `${ram}/.`, dst]); // the copy made by an earlier sync
    const rows: Row[] = [];
    for (let r = 0; r < o.rounds; r++) {
      grow(ram, o, r);
      const before = disk.bytesWritten();
      const ms = timed(cmd, args(ram, dst));
      const durableMs = ms + timed('sync', ['-f', disk.mnt]);
      rows.push({ method: name, ms, durableMs, bytes: disk.bytesWritten() - before });
    }
    return rows;
  } finally {
    disk.destroy();
    run('umount', [ram]);
  }
}

async function logshadowSync(o: Options, scratch: string): Promise<Row[]> {
  const disk = new LoopExt4(mkdtempSync(join(scratch, 'logshadow-')), 2048).create();
  const dir = join(disk.mnt, 'log');
  const runDir = join(scratch, 'logshadow-run');
  writeTree(dir, o);
  run('sync', ['-f', disk.mnt]);
  const daemon = spawn(process.execPath, [CLI, 'mount', dir, '--run-dir', runDir, '--size', '1G', '--sync-interval', '1h', '--sync-on', 'off', '--log-level', 'error'], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; ; i++) {
      try {
        await request(socketPath(runDir, dir), 'ping', {}, 500);
        break;
      } catch {
        if (i > 200) throw new Error('the mount did not come up');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const rows: Row[] = [];
    for (let r = 0; r < o.rounds; r++) {
      grow(dir, o, r);
      const before = disk.bytesWritten();
      const t0 = performance.now();
      const reply = JSON.parse(run(process.execPath, [CLI, 'sync', dir, '--json', '--run-dir', runDir])) as { ms: number };
      const ms = performance.now() - t0;
      // The command's wall time includes starting Node for the CLI; the sync's own time is the daemon's.
      rows.push({ method: 'logshadow sync (the CLI command)', ms, durableMs: ms, bytes: disk.bytesWritten() - before });
      rows.push({ method: 'logshadow sync (the sync itself)', ms: reply.ms, durableMs: reply.ms, bytes: NaN });
    }
    return rows;
  } finally {
    run(process.execPath, [CLI, 'unmount', dir, '--run-dir', runDir]);
    await new Promise((r) => daemon.exitCode === null ? daemon.on('exit', r) : r(null));
    disk.destroy();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  run('which', ['rsync']);
  const scratch = mkdtempSync('/tmp/logshadow-bench-sync-');
  try {
    const rows = [
      ...copyTool('rsync -aAX --inplace --no-whole-file', 'rsync', (s, d) => ['-aAX', '--inplace', '--no-whole-file', `${s}/`, `${d}/`], o, scratch),
      ...copyTool('cp -rfup', 'cp', (s, d) => ['-rfup', `${s}/.`, `${d}/`], o, scratch),
      ...(await logshadowSync(o, scratch)),
    ];
    const appended = o.grown * o.growMb * 1024 * 1024;
    const methods = [...new Set(rows.map((r) => r.method))];
    const rsyncMs = median(rows.filter((r) => r.method.startsWith('rsync')).map((r) => r.durableMs));
    let out = `Machine: ${machineLine(describeMachine())}\n`;
    out += `${o.files} files (${o.mb} MB) on an ext4 loop device, ${o.grown} of them grown by ${o.growMb} MB (${fmt(appended / 1e6, 1)} MB appended) before each sync; medians of ${o.rounds} rounds.\n\n`;
    out += '| method | time, command | time until durable | x rsync | bytes written to disk | x appended |\n|---|---:|---:|---:|---:|---:|\n';
    for (const m of methods) {
      const mine = rows.filter((r) => r.method === m);
      const durable = median(mine.map((r) => r.durableMs));
      const bytes = median(mine.map((r) => r.bytes));
      const disk = Number.isNaN(bytes) ? '| (as above) | |' : `| ${fmt(bytes / 1e6, 2)} MB | ${fmt(bytes / appended, 3)} |`;
      out += `| ${m} | ${fmt(median(mine.map((r) => r.ms)), 1)} ms | ${fmt(durable, 1)} ms | ${fmt(durable / rsyncMs, 3)} ${disk}\n`;
    }
    process.stdout.write(out);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
