import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { LoopExt4, run } from './lib/loop-ext4';

/**
 * How long a mount takes with little and with much history on disk. A tiered mount copies
 * nothing at mount: its time should not depend on the logs' size. Beside it, what the RAM-log
 * tools do at boot (copy the whole tree into a tmpfs: log2ram's cp/rsync), for the same trees.
 *   node build-bench/bench/mount-time.js [--sizes 100M,10G] [--files 1000]
 */
const CLI = resolve(__dirname, '../../dist/cli/main.js');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const UNITS: Record<string, number> = { M: 1024 ** 2, G: 1024 ** 3 };
const bytesOf = (s: string) => Number(s.slice(0, -1)) * UNITS[s.slice(-1).toUpperCase()];

/** Real log text, `total` bytes over `files` files (written, not sparse: a copy has to read it). */
function writeTree(dir: string, total: number, files: number): void {
  mkdirSync(dir, { recursive: true });
  const line = Buffer.from('2026-12-03T10:00:00.000Z INFO request served in 12 ms by worker 7 of the pool\n');
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i += line.length) line.copy(chunk, i);
  const per = Math.floor(total / files);
  for (let f = 0; f < files; f++) {
    const fd = openSync(join(dir, `app-${f}.log`), 'w');
    for (let done = 0; done < per; done += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, per - done));
    closeSync(fd);
  }
}

function ms(cmd: string, args: string[]): { ms: number; ok: boolean; err: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 3_600_000 });
  return { ms: performance.now() - t0, ok: r.status === 0, err: (r.stderr ?? '').trim().split('\n').pop() ?? '' };
}

async function main(): Promise<void> {
  const sizes = arg('sizes', '100M,10G').split(',');
  const files = Number(arg('files', '1000'));
  let out = `Machine: ${machineLine(describeMachine())}\n${files} files of real log text on an ext4 loop device; the page cache dropped before each measure.\n\n`;
  out += '| history on disk | logshadow mount (tiered), until it answers | first read of a file through it | copy into a 2 GiB tmpfs (log2ram-style, cp -a) |\n|---|---:|---:|---:|\n';
  for (const size of sizes) {
    const total = bytesOf(size);
    const scratch = mkdtempSync('/tmp/logshadow-bench-mount-');
    const disk = new LoopExt4(scratch, Math.ceil(total / UNITS.M) + 2048).create();
    const dir = join(disk.mnt, 'log');
    const runDir = join(scratch, 'run');
    const ram = join(scratch, 'ram');
    try {
      writeTree(dir, total, files);
      run('sync', ['-f', disk.mnt]);
      run('sh', ['-c', 'echo 3 > /proc/sys/vm/drop_caches']);
      const mount = ms(process.execPath, [CLI, 'mount', dir, '--background', '--run-dir', runDir, '--log-level', 'warn']);
      if (!mount.ok) throw new Error(`mount: ${mount.err}`);
      const first = ms('head', ['-c', '100', join(dir, 'app-0.log')]);
      run(process.execPath, [CLI, 'unmount', dir, '--run-dir', runDir]);
      run('sh', ['-c', 'echo 3 > /proc/sys/vm/drop_caches']);
      mkdirSync(ram);
      run('mount', ['-t', 'tmpfs', '-o', 'size=2g', 'bench-ram', ram]);
      const copy = ms('cp', ['-a', `${dir}/.`, ram]);
      run('umount', [ram]);
      const copied = copy.ok ? `${(copy.ms / 1000).toFixed(2)} s` : `fails: ${copy.err.replace(/^cp: /, '')}`;
      out += `| ${size} | ${mount.ms.toFixed(0)} ms | ${first.ms.toFixed(1)} ms | ${copied} |\n`;
    } finally {
      spawnSync('umount', ['--lazy', ram]);
      disk.destroy();
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  process.stdout.write(out);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack}\n`);
  process.exit(1);
});
