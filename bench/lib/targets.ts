import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { daemonNodeArgs } from '../../src/daemon/node-flags';

/**
 * The directories a benchmark writes into, each set up and torn down by child processes (this
 * process never serves a mount it measures). Every target sits on its own fresh tmpfs of the same
 * size, so they differ only in what stands between the writer and the RAM.
 */
export interface Target {
  name: string;
  /** Where writers write. */
  dir: string;
  /** The daemon's pid when there is one (for RSS and CPU figures). */
  pid: number | null;
  teardown(): Promise<void>;
}

export interface TargetSpec {
  name: string;
  label: string;
  available(): string | null;
  setup(scratch: string): Promise<Target>;
}

const ROOT = resolve(__dirname, '../../..');
const PEER_SRC = resolve(ROOT, '../shared/peers/cpassthrough.c');
const PEER_BIN = '/tmp/logshadow-bench-cpassthrough';
const TMPFS_SIZE = '2g';

function sh(cmd: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status ?? 1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

function mountTmpfs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const r = sh('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'bench-tmpfs', dir]);
  if (r.code !== 0) throw new Error(`mount tmpfs ${dir}: ${r.out}`);
}

function unmountAll(dir: string): void {
  for (let i = 0; i < 4; i++) {
    const mounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
    if (!mounted) return;
    sh('umount', ['--no-canonicalize', '--lazy', dir]);
  }
}

function isMounted(dir: string, fstypePrefix: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir && (l.split(' - ')[1] ?? '').startsWith(fstypePrefix));
}

async function waitMounted(dir: string, fstypePrefix: string, proc: ChildProcess | null): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (isMounted(dir, fstypePrefix)) return;
    if (proc && proc.exitCode !== null) throw new Error(`the daemon for ${dir} exited with ${proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${dir} did not get mounted`);
}

/**
 * A logshadow target. RAM only, the default: mounted over a fresh tmpfs like every other target.
 * Tiered: mounted over a directory of the disk the scratch directory is on (its history goes
 * there), its RAM side a tmpfs of the same size as the others'.
 */
function logshadowTarget(name: string, label: string, engine: string, cache: string, extra: string[] = [], tiered = false, root = ROOT): TargetSpec {
  const cli = join(root, 'dist/cli/main.js');
  return {
    name, label,
    available() {
      if (!existsSync(cli)) return `${cli} missing: run scripts/setup`;
      if (engine === 'native' && !existsSync(join(root, 'native/build/Release/logshadow_engine.node'))) return 'native engine not built';
      return null;
    },
    async setup(scratch) {
      const dir = join(scratch, name);
      if (tiered) mkdirSync(dir, { recursive: true });
      else mountTmpfs(dir);
      const runDir = join(scratch, `${name}-run`);
      const mode = tiered ? ['--size', TMPFS_SIZE] : [];
      // BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": where the daemon's time goes.
      // The daemon runs in the foreground here, with the node options `mount --background` gives it.
      const nodeArgs = daemonNodeArgs((process.env.BENCH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean));
      // BENCH_MOUNT_ARGS="--ring-capacity 262144": more mount options for every logshadow target.
      const more = (process.env.BENCH_MOUNT_ARGS ?? '').split(' ').filter(Boolean);
      const proc = spawn(process.execPath, [...nodeArgs, cli, 'mount', dir, '--engine', engine, '--cache', cache, '--run-dir', runDir, '--log-level', 'error', ...mode, ...extra, ...more], { stdio: ['ignore', 'ignore', 'inherit'] });
      await waitMounted(dir, 'fuse.logshadow', proc);
      return {
        name, dir, pid: proc.pid ?? null,
        async teardown() {
          const exited = new Promise((r) => proc.on('exit', r));
          proc.kill('SIGTERM');
          await exited;
          unmountAll(dir);
        },
      };
    },
  };
}

function peerTarget(name: string, label: string, writeback: boolean): TargetSpec {
  return {
    name, label,
    available() {
      if (!existsSync(PEER_SRC)) return `${PEER_SRC} missing`;
      if (!existsSync(PEER_BIN)) {
        const cflags = sh('pkg-config', ['--cflags', '--libs', 'fuse3']).out.trim().split(/\s+/);
        const r = sh('gcc', ['-O2', '-o', PEER_BIN, PEER_SRC, ...cflags]);
        if (r.code !== 0) return `peer does not build: ${r.out.split('\n')[0]}`;
      }
      return null;
    },
    async setup(scratch) {
      const back = join(scratch, `${name}-back`);
      const dir = join(scratch, name);
      mountTmpfs(back);
      mkdirSync(dir, { recursive: true });
      const proc = spawn(PEER_BIN, [back, writeback ? '1' : '0', dir, '-f', '-o', 'allow_other'], { stdio: 'ignore' });
      await waitMounted(dir, 'fuse', proc);
      return {
        name, dir, pid: proc.pid ?? null,
        async teardown() { unmountAll(dir); proc.kill('SIGTERM'); unmountAll(back); },
      };
    },
  };
}

/**
 * A target whose daemon is stopped (SIGSTOP) once it has mounted, and let go on before its
 * teardown: the engine still records every write into the ring, which fills and then drops them,
 * as with --no-profile. Against `native` it shows what the daemon's consuming costs the writers.
 */
function daemonStopped(spec: TargetSpec): TargetSpec {
  return {
    ...spec,
    async setup(scratch) {
      const t = await spec.setup(scratch);
      if (t.pid !== null) process.kill(t.pid, 'SIGSTOP');
      return {
        ...t,
        async teardown() {
          if (t.pid !== null) process.kill(t.pid, 'SIGCONT');
          await t.teardown();
        },
      };
    },
  };
}

/** logshadow's targets, run from the checkout at `root` (another build, for a before and after). */
export function logshadowTargets(root = ROOT, suffix = ''): TargetSpec[] {
  const at = (name: string, label: string, engine: string, cache: string, extra: string[] = [], tiered = false) =>
    logshadowTarget(name + suffix, label + (suffix ? ` (${root})` : ''), engine, cache, extra, tiered, root);
  return [
    at('fuse-native', 'logshadow, fuse-native engine', 'fuse-native', 'writethrough'),
    at('native', 'logshadow, native engine, writethrough', 'native', 'writethrough'),
    at('native-wb', 'logshadow, native engine, writeback', 'native', 'writeback'),
    // Profiling off: the same engine with nothing draining its ring (what profiling costs).
    at('native-noprofile', 'logshadow, native, writethrough, profiling off', 'native', 'writethrough', ['--no-profile']),
    // Profiling on, its daemon stopped: the engine's recording without the daemon's consuming.
    daemonStopped(at('native-stopped', 'logshadow, native, writethrough, daemon stopped', 'native', 'writethrough')),
    at('fuse-native-noprofile', 'logshadow, fuse-native, profiling off', 'fuse-native', 'writethrough', ['--no-profile']),
    // Pre-allocation off: the same engine and profiling, no reservations.
    at('native-noprealloc', 'logshadow, native, writethrough, pre-allocation off', 'native', 'writethrough', ['--prealloc', 'none']),
    // Tiered: the tails in RAM, the history on the disk under the scratch directory, syncs every second.
    at('native-tiered', 'logshadow, native, writethrough, tiered, syncs every 1 s', 'native', 'writethrough', ['--sync-interval', '1s'], true),
    // Writeback with the daemon's work taken away piece by piece (what costs an append its tail).
    at('native-wb-noprofile', 'logshadow, native, writeback, profiling off', 'native', 'writeback', ['--no-profile']),
    at('native-wb-noprealloc', 'logshadow, native, writeback, pre-allocation off', 'native', 'writeback', ['--prealloc', 'none']),
    at('native-wb-tiered', 'logshadow, native, writeback, tiered, syncs every 1 s', 'native', 'writeback', ['--sync-interval', '1s'], true),
  ];
}

/**
 * The target of that name, ready to set up: from this checkout, or with `root` the one built in
 * that checkout (named with `suffix`, so that a table tells them apart).
 */
export function findTarget(name: string, root: string | null, suffix: string): TargetSpec {
  const found = (root ? logshadowTargets(root, suffix) : TARGETS).find((t) => t.name === (root ? name + suffix : name));
  if (!found) throw new Error(`no target ${name}`);
  const why = found.available();
  if (why) throw new Error(`${found.name}: ${why}`);
  return found;
}

export const TARGETS: TargetSpec[] = [
  {
    name: 'tmpfs', label: 'tmpfs directly',
    available: () => null,
    async setup(scratch) {
      const dir = join(scratch, 'tmpfs');
      mountTmpfs(dir);
      return { name: 'tmpfs', dir, pid: null, teardown: async () => unmountAll(dir) };
    },
  },
  {
    name: 'bindfs', label: 'bindfs (Debian)',
    available: () => (sh('which', ['bindfs']).code === 0 ? null : 'bindfs not installed'),
    async setup(scratch) {
      const back = join(scratch, 'bindfs-back');
      const dir = join(scratch, 'bindfs');
      mountTmpfs(back);
      mkdirSync(dir, { recursive: true });
      const r = sh('bindfs', ['-o', 'allow_other', back, dir]);
      if (r.code !== 0) throw new Error(`bindfs: ${r.out}`);
      await waitMounted(dir, 'fuse', null);
      return { name: 'bindfs', dir, pid: null, teardown: async () => { unmountAll(dir); unmountAll(back); } };
    },
  },
  peerTarget('cpassthrough', 'bare C passthrough (peer, libfuse 3)', false),
  peerTarget('cpassthrough-wb', 'bare C passthrough (peer), writeback', true),
  ...logshadowTargets(),
];

export function makeScratch(): string {
  return mkdtempSync('/tmp/logshadow-bench-');
}

export function removeScratch(scratch: string): void {
  rmSync(scratch, { recursive: true, force: true });
}
