import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { request } from '../../src/control/client';
import { recordPath, socketPath } from '../../src/control/paths';
import { CLI } from './cli';
import { makeScratch } from './scratch';
import { isRunning } from '../../src/util/process-state';

export interface MountHandle {
  /** The mounted directory (applications write here). */
  dir: string;
  /** The scratch directory holding dir, the run dir and anything else the test needs. */
  scratch: string;
  runDir: string;
  proc: ChildProcess;
  /** Everything the daemon wrote to stderr so far. */
  log(): string;
  /** Asks the daemon for something over the control socket. */
  ask<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** The native engine's process, which holds the mount (null: fuse-native, or not known yet). */
  enginePid(): number | null;
  /** The process whose death leaves the mount stale: the engine's, or fuse-native's daemon. */
  holderPid(): number;
  /** Unmounts (the CLI way), waits for the daemon to exit, and removes what the test made. */
  stop(options?: { discard?: boolean; keepScratch?: boolean }): Promise<number | null>;
}

export interface MountOptions {
  engine: string;
  /**
   * A tiered mount (the scratch directory is on a persistent filesystem, so the mount keeps its
   * tails in RAM and its history there). Default: RAM only (--no-persist), a fresh tmpfs.
   */
  tiered?: boolean;
  args?: string[];
  /** Prepare the directory before mounting (e.g. mount a tmpfs there, or put files in). */
  prepare?: (dir: string, scratch: string) => void;
  /** Mount this existing directory instead of a fresh one in the scratch directory. */
  dir?: string;
  timeoutMs?: number;
}

const live = new Set<MountHandle>();

/**
 * Under native/asan-test.sh the daemon runs the AddressSanitizer build of the addons (libasan
 * loaded ahead of node) and starts the engine's; the daemons the engine restarts inherit both.
 */
function mountEnv(): NodeJS.ProcessEnv {
  const asan = process.env.LOGSHADOW_ASAN_PRELOAD;
  return asan ? { ...process.env, LD_PRELOAD: asan, LOGSHADOW_NATIVE_BUILD: 'Debug', ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=0:abort_on_error=1' } : process.env;
}

/** Mounts a throwaway instance in a temporary directory, served by a child process. */
export async function startMount(options: MountOptions): Promise<MountHandle> {
  const scratch = makeScratch();
  const dir = options.dir ?? join(scratch, 'logs');
  const runDir = join(scratch, 'run');
  if (!options.dir) mkdirSync(dir);
  options.prepare?.(dir, scratch);
  const mode = options.tiered ? [] : ['--no-persist'];
  const args = [CLI, 'mount', dir, '--engine', options.engine, '--run-dir', runDir, '--size', '64M', ...mode, ...(options.args ?? [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: mountEnv() });
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve((exitCode = code))));
  const socket = socketPath(runDir, dir);
  let engine: number | null = null;
  const readEngine = (): number | null => {
    try {
      return (JSON.parse(readFileSync(recordPath(runDir, dir), 'utf8')) as { enginePid?: number }).enginePid ?? null;
    } catch {
      return null;
    }
  };

  const handle: MountHandle = {
    dir, scratch, runDir, proc,
    log: () => stderr,
    enginePid: () => (engine ??= readEngine()),
    holderPid: () => handle.enginePid() ?? proc.pid!,
    ask: (method, params) => request(socket, method, params ?? {}, 30_000),
    async stop(stopOptions = {}) {
      live.delete(handle);
      // A native engine outlives the daemon the test started: its current daemon unmounts.
      if (exitCode === undefined || alive(handle.enginePid())) {
        // --force: a test that failed may leave a writer behind
        const args2 = [CLI, 'unmount', dir, '--run-dir', runDir, '--force', ...(stopOptions.discard === false ? [] : ['--discard'])];
        spawnSync(process.execPath, args2, { encoding: 'utf8', timeout: 60_000 });
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      forceCleanup(dir);
      // The engine ends once its mount is gone; one that does not is ended here (it is ours).
      const pid = handle.enginePid();
      if (pid !== null && !(await endedWithin(pid, 10_000))) {
        process.kill(pid, 'SIGKILL');
        forceCleanup(dir);
      }
      if (!stopOptions.keepScratch) {
        // a RAM side a failed test left behind would keep the scratch directory busy
        for (const below of mountsBelow(scratch)) forceCleanup(below);
        rmSync(scratch, { recursive: true, force: true });
      }
      return exitCode ?? null;
    },
  };
  live.add(handle);

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (exitCode !== undefined) {
      forceCleanup(dir);
      live.delete(handle);
      throw new Error(`logshadow mount exited with ${exitCode}:\n${stderr}`);
    }
    try {
      await request(socket, 'ping', {}, 1000);
      handle.enginePid();
      return handle;
    } catch {
      if (Date.now() > deadline) {
        await handle.stop();
        throw new Error(`logshadow mount did not come up:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function alive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether process `pid` has ended within `ms` (a process that never existed has). */
export async function endedWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!isRunning(pid)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Mountpoints below `dir`, deepest first. */
function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p && p.startsWith(dir + '/')).sort((a, b) => b.length - a.length);
}

/** Whatever is still mounted under `dir` goes, top first, so a failed test leaves nothing behind. */
export function forceCleanup(dir: string): void {
  for (let i = 0; i < 4; i++) {
    const mounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
    if (!mounted) return;
    spawnSync('umount', ['--no-canonicalize', '--lazy', dir]);
  }
}

/** For afterAll/afterEach: stops every mount this test file started and has not stopped. */
export async function stopAllMounts(): Promise<void> {
  for (const h of [...live]) {
    try {
      await h.stop();
    } catch {
      forceCleanup(h.dir);
    }
  }
}
