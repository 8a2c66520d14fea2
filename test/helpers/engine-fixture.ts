/**
 * The test side of the native engine tests: a fresh tmpfs, shadowed in place by the engine
 * running in a child process (native-engine-fixture.ts), and a way to ask that child what it saw.
 * Everything a fixture starts it also ends, by pid, and it never leaves a mount behind.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CacheMode, FileEvent } from '../../src/engine/engine';
import type { NativeCounters, NativeUnmountResult } from '../../src/engine/native/addon';
import { sleep } from './wait';

export { sleep };

const REGISTER = path.join(__dirname, 'ts-register.js');
const FIXTURE = path.join(__dirname, 'native-engine-fixture.ts');

export interface FixtureOptions {
  cache?: CacheMode;
  maxWrite?: number;
  ringCapacity?: number;
  xattr?: boolean;
  /** tmpfs size option, e.g. "64m". */
  tmpfsSize?: string;
  /** Files written into the tmpfs before the engine covers it. */
  seed?: Record<string, string>;
  /** A shared object preloaded into the engine's process (LD_PRELOAD), e.g. to inject a failure. */
  preload?: string;
}

export interface Snapshot {
  counters: NativeCounters;
  records: {
    count: number;
    bytes: number;
    byHandle: Record<string, number>;
    spanByHandle: Record<string, [number, number]>;
    pids: number[];
  };
  events: FileEvent[];
  eventCount: number;
  /** "dev:ino" of every file the engine reported gone (Engine.onFileGone), in order. */
  gone: string[];
}

export interface UnmountReply {
  result: NativeUnmountResult;
  ms: number;
}

/** Runs a program to completion (killed after timeoutMs) and returns what it said. */
export function run(cmd: string, args: string[], timeoutMs = 60_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
}

/** Filesystem types mounted at `dir`, bottom first (from this process's mount table). */
export function mountsAt(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length > 2 && f[1].replace(/\\040/g, ' ') === dir)
    .map((f) => f[2]);
}

/** Child processes that tests start, so that an afterAll can end every one of them by pid. */
export class Children {
  private readonly live = new Set<ChildProcess>();

  spawn(cmd: string, args: string[]): ChildProcess {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.live.add(child);
    child.on('exit', () => this.live.delete(child));
    return child;
  }

  async endAll(graceMs = 5000): Promise<void> {
    const waiting = [...this.live].map((c) => exited(c, graceMs));
    for (const c of this.live) if (c.pid !== undefined) c.kill('SIGTERM');
    await Promise.all(waiting);
    for (const c of this.live) if (c.pid !== undefined) c.kill('SIGKILL');
  }
}

/** Resolves with the exit code (null after a signal), or 'timeout'. */
export function exited(child: ChildProcess, timeoutMs: number): Promise<number | null | 'timeout'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export class EngineFixture {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(
    readonly base: string,
    readonly dir: string,
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly backingFd: number,
    readonly mounted: { maxWrite: number; writeback: boolean; xattr: boolean; device: string },
  ) {
    child.on('message', (msg: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p || msg.id === undefined) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(msg.error));
    });
    child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('the engine fixture exited'));
      this.pending.clear();
    });
  }

  /** The backing directory itself, reached beside the mount through the fixture's descriptor. */
  get backingPath(): string {
    return `/proc/${this.pid}/fd/${this.backingFd}`;
  }

  static async start(options: FixtureOptions = {}): Promise<EngineFixture> {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'logshadow-native-'));
    const dir = path.join(base, 'logs');
    fs.mkdirSync(dir);
    fs.chmodSync(base, 0o755); // other users (setpriv tests) must reach the mount
    const mounted = run('mount', ['-t', 'tmpfs', '-o', `size=${options.tmpfsSize ?? '64m'},mode=0755`, 'tmpfs', dir]);
    if (mounted.status !== 0) {
      fs.rmSync(base, { recursive: true, force: true });
      throw new Error(`cannot mount a tmpfs: ${mounted.stderr}`);
    }
    for (const [name, content] of Object.entries(options.seed ?? {})) fs.writeFileSync(path.join(dir, name), content);

    const config = {
      dir,
      cache: options.cache,
      maxWrite: options.maxWrite,
      ringCapacity: options.ringCapacity,
      xattr: options.xattr,
    };
    const env = { ...process.env };
    if (options.preload) env.LD_PRELOAD = options.preload;
    if (process.env.LOGSHADOW_ASAN_PRELOAD) {
      // the AddressSanitizer build, with libasan loaded ahead of node; a test's own interposer
      // goes ahead of libasan (whose realloc would otherwise hide its own)
      env.LD_PRELOAD = [options.preload, process.env.LOGSHADOW_ASAN_PRELOAD].filter(Boolean).join(' ');
      env.LOGSHADOW_NATIVE_BUILD = 'Debug';
      env.ASAN_OPTIONS ??= 'detect_leaks=0:abort_on_error=1';
      if (options.preload) env.ASAN_OPTIONS += ':verify_asan_link_order=0';
    }
    const child = spawn(process.execPath, ['-r', REGISTER, FIXTURE, JSON.stringify(config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env,
    });
    type Ready = {
      type: string;
      pid: number;
      backingFd: number;
      maxWrite: number;
      writeback: boolean;
      xattr: boolean;
      device: string;
      error?: string;
    };
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the engine fixture did not mount within 30 s')), 30_000);
      child.once('message', (msg: Ready) => {
        clearTimeout(timer);
        if (msg.type === 'ready') resolve(msg);
        else reject(new Error(`the engine fixture failed: ${msg.error}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the engine fixture exited with ${code} before mounting`));
      });
    }).catch(async (err: Error) => {
      child.kill('SIGKILL');
      await exited(child, 5000);
      EngineFixture.cleanup(base, dir);
      throw err;
    });
    return new EngineFixture(base, dir, child, ready.pid, ready.backingFd, ready);
  }

  request<T>(cmd: string, args?: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the engine fixture did not answer ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, args });
    });
  }

  snapshot(from = 0): Promise<Snapshot> {
    return this.request<Snapshot>('snapshot', { from });
  }

  readBack(handle: number): Promise<string> {
    return this.request<string>('readBack', { handle });
  }

  /** Engine.consumerDone for the file that `handle` is an open of, as of that open. */
  consumerDone(handle: number): Promise<string> {
    return this.request<string>('consumerDone', { handle });
  }

  /** Engine.punchIfIdle on the file `name` (an open of it was `handle`), as the allocator calls it. */
  punchIfIdle(handle: number, name: string, offset: number, length: number): Promise<number> {
    return this.request<number>('punchIfIdle', { handle, name, offset, length });
  }

  unmount(): Promise<UnmountReply> {
    return this.request<UnmountReply>('unmount');
  }

  /** Polls the fixture until `pick` finds an event after `from`. */
  async waitForEvent<E extends FileEvent>(from: number, pick: (e: FileEvent) => e is E, timeoutMs = 10_000): Promise<E> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.snapshot(from)).events.find(pick);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('the expected file event did not arrive');
      await sleep(25);
    }
  }

  /**
   * Ends the child (unmounting through it), then removes the tmpfs and the directory. Returns how
   * the child ended: anything but { code: 0, signal: null } is a crash (an ASan report aborts).
   */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    try {
      if (this.child.exitCode === null && this.child.signalCode === null) {
        await this.request('exit', undefined, 15_000).catch(() => undefined);
        if ((await exited(this.child, 15_000)) === 'timeout') {
          this.child.kill('SIGKILL');
          await exited(this.child, 5000);
        }
      }
      return { code: this.child.exitCode, signal: this.child.signalCode };
    } finally {
      EngineFixture.cleanup(this.base, this.dir);
    }
  }

  private static cleanup(base: string, dir: string): void {
    // a fixture that died leaves a dead FUSE mount: detach it, then the tmpfs under it
    for (let i = 0; i < 4; i++) {
      const top = mountsAt(dir).pop();
      if (top === undefined) break;
      if (top !== 'fuse.logshadow' && top !== 'tmpfs') break;
      run('umount', top === 'fuse.logshadow' ? ['-l', dir] : [dir]);
    }
    if (mountsAt(dir).length === 0) fs.rmSync(base, { recursive: true, force: true });
  }
}
