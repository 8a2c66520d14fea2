import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The targets of the small metadata benchmarks (unlink-cost, metadata-cost): a plain tmpfs and a
 * logshadow mount per engine, each mounted on a fresh directory and served by another process
 * (logshadow mount --background), since the benchmark makes synchronous calls into it.
 */
const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/cli/main.js');

export function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

export interface MountTarget {
  name: string;
  up(dir: string, runDir: string): void;
  down(dir: string, runDir: string): void;
}

const logshadow = (engine: string): MountTarget => ({
  name: `logshadow ${engine}`,
  up: (dir, runDir) => run(process.execPath, [CLI, 'mount', dir, '--engine', engine, '--run-dir', runDir, '--background', '--size', '256M', '--log-level', 'warn', '--no-persist']),
  down: (dir, runDir) => run(process.execPath, [CLI, 'unmount', dir, '--run-dir', runDir, '--discard']),
});

export const MOUNT_TARGETS: MountTarget[] = [
  { name: 'tmpfs', up: (dir) => run('mount', ['-t', 'tmpfs', '-o', 'size=256M', 'tmpfs', dir]), down: (dir) => run('umount', [dir]) },
  logshadow('native'),
  logshadow('fuse-native'),
];

/** Mounts `t` on a fresh directory, runs `work` in it, and takes everything down again. */
export function withMounted<T>(t: MountTarget, prefix: string, work: (dir: string) => T): T {
  const scratch = mkdtempSync(`/tmp/logshadow-bench-${prefix}-`);
  const dir = join(scratch, 'logs');
  const runDir = join(scratch, 'run');
  mkdirSync(dir);
  t.up(dir, runDir);
  try {
    return work(dir);
  } finally {
    t.down(dir, runDir);
    rmSync(scratch, { recursive: true, force: true });
  }
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
