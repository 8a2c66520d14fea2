import * as fs from 'fs';
import * as path from 'path';
import type { CacheMode, EngineCounters, FileEvent } from '../engine';
import type { SyncOutcome, SyncTrigger, TierFileStats, TierTotals } from '../tiers';
import { ringLayoutMismatch } from '../../ring/layout';

/**
 * Loading the native addons (native/build/<type>/<name>.node). Loading never throws: a caller
 * gets the addon, or a reason it can show (not built, libfuse3 missing, wrong platform), and
 * decides what to fall back to.
 */
export type AddonLoad<T> =
  | { readonly ok: true; readonly addon: T; readonly path: string }
  | { readonly ok: false; readonly reason: string };

/** Release is what `npm run build:native` builds; Debug is the AddressSanitizer build. */
export type NativeBuildType = 'Release' | 'Debug';

export function nativeBuildType(): NativeBuildType {
  return process.env.LOGSHADOW_NATIVE_BUILD === 'Debug' ? 'Debug' : 'Release';
}

/** The directory holding logshadow's package.json, found upwards from here (src/ or dist/). */
export function findPackageRoot(start: string = __dirname): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'logshadow') return dir;
    } catch {
      // no package.json here, or not ours: keep climbing
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function nativeAddonPath(name: string, root = findPackageRoot()): string | undefined {
  return root === undefined ? undefined : path.join(root, 'native', 'build', nativeBuildType(), `${name}.node`);
}

/** Loads native/build/<type>/<name>.node and checks that it exports `functions`. */
export function loadNativeAddon<T>(name: string, functions: readonly string[]): AddonLoad<T> {
  const file = nativeAddonPath(name);
  if (file === undefined) return { ok: false, reason: `cannot find the logshadow package root above ${__dirname}` };
  if (!fs.existsSync(file)) return { ok: false, reason: `${file} is not built (run "npm run build:native")` };
  let mod: unknown;
  try {
    // An addon is found at run time, by path: only require() loads a .node file.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file);
  } catch (err) {
    return { ok: false, reason: `cannot load ${file}: ${(err as Error).message}` };
  }
  const missing = functions.filter((f) => typeof (mod as Record<string, unknown>)[f] !== 'function');
  if (missing.length > 0) return { ok: false, reason: `${file} does not export ${missing.join(', ')}` };
  return { ok: true, addon: mod as T, path: file };
}

export interface NativeMountOptions {
  mountpoint: string;
  /** A descriptor of the backing directory, opened before the mount covered it. */
  backingFd: number;
  cache?: CacheMode;
  /** Bytes; at least 4096. The kernel sends writes in pieces of at most this (1 MiB at most). */
  maxWrite?: number;
  /** Slots, a power of two. */
  ringCapacity?: number;
  /** libfuse's request trace on stderr. */
  debug?: boolean;
  /**
   * Serve extended attributes. Off by default: with xattr operations the kernel asks for
   * security.capability before every write(2), a second round trip that halves small-write
   * throughput (libfuse 3.14 cannot negotiate HANDLE_KILLPRIV_V2 to avoid it). Without them
   * xattr calls through the mount fail with EOPNOTSUPP.
   */
  xattr?: boolean;
  /** Tiered (see TieredOptions): the RAM directory; backingFd is then the disk directory. */
  ramDirFd?: number;
  maxUnsynced?: number;
  syncIntervalMs?: number;
  finalSyncMs?: number;
  diskReserve?: boolean;
  /** Newline-separated glob patterns of files served from the disk side. */
  directPatterns?: string;
}

/** What attach() returns; the other functions take it back. */
export interface NativeEngineHandle {
  /** "major:minor" of the mount, as in /proc/self/mountinfo. */
  readonly device: string;
  /** The largest write the engine asked the kernel for. */
  readonly maxWrite: number;
  /** Whether the kernel writeback cache is on. */
  readonly writeback: boolean;
  /** Whether extended attributes are served. */
  readonly xattr: boolean;
  /** Whether the mount is tiered. */
  readonly tiered: boolean;
  /** The loop has ended (the mount went away) / an unmount has run. */
  readonly ended: boolean;
  readonly unmounted: boolean;
  readonly enginePid: number;
  /** The daemon attached (for an observer; 0: none). */
  readonly consumerPid: number;
}

/** What the attached daemon (the consumer) gets besides. */
export interface NativeConsumerHandle extends NativeEngineHandle {
  /** The engine's ring, in memory shared with the engine process (layout in src/ring/layout.ts). */
  readonly ring: ArrayBuffer;
  /** The ring position at which this daemon's view begins: what came before, it did not see. */
  readonly ringHead: number;
  /** The backing directory (tiered: the disk directory) and a tiered mount's RAM directory (-1),
   * descriptors this process owns now. */
  readonly backingFd: number;
  readonly ramDirFd: number;
}

export interface NativeCounters extends EngineCounters {
  /** File events lost because the queue (65536) was full; their descriptors were closed. */
  fileEventsDropped: number;
  /** The largest single write request seen, bytes. */
  largestWrite: number;
}

export interface NativeUnmountResult {
  /** Our mount was still the topmost one at the mountpoint (nobody had unmounted it). */
  wasMounted: boolean;
  /** Files were open: the mount was detached with MNT_DETACH. */
  lazy: boolean;
  /** The serving threads ended and the engine freed what they held. */
  stopped: boolean;
  /** The errno code of a umount2 that failed, e.g. "EPERM". */
  error: string | null;
  /** Tiered: bytes the final sync could not make durable; they stay in the RAM directory. */
  unsyncedLeft: number;
}

/** What the engine process says of itself (`logshadow stats` while no daemon is attached). */
export interface NativeEngineStatus {
  mountpoint: string;
  enginePid: number;
  /** 0: no daemon is attached. */
  daemonPid: number;
  tiered: boolean;
  ended: boolean;
  unmounted: boolean;
  /** Daemons the engine started itself after one went away. */
  daemonStarts: number;
  /** How long no daemon has been attached, ms (0 while one is). */
  detachedMs: number;
  /** When the engine starts a daemon, ms from now; -1: it will not. */
  nextStartMs: number;
  writes: number;
  bytesWritten: number;
  unsyncedBytes: number;
  attaches: number;
}

/** The engine's own messages: a file-gone question (answered once the handler returns), the
 * mount gone from outside, the connection ended (the engine process died, or detach). */
export type NativeMessage = 'gone' | 'ended' | 'closed';

export interface NativeEngineAddon {
  /** The write ring's layout this build uses (native/src/ring.h), checked at load. */
  readonly ringLayout: unknown;
  /**
   * Connects to the engine process at `socket`. A consumer (the daemon: one at a time, EBUSY
   * with `consumerPid` otherwise) drains the ring and the file events and answers the file-gone
   * questions; an observer (a CLI command) asks for status, syncs and the unmount.
   */
  attach(socket: string, role: 'consumer', onMessage: (kind: NativeMessage, dev?: number, ino?: number) => void): NativeConsumerHandle;
  attach(socket: string, role: 'observer', onMessage: undefined): NativeEngineHandle;
  /** Ends the connection; the engine goes on serving (and its supervisor starts another daemon). */
  detach(handle: NativeEngineHandle): void;
  /** Oldest first; each open event's readFd now belongs to the caller. */
  drainFileEvents(handle: NativeConsumerHandle): FileEvent[];
  counters(handle: NativeConsumerHandle): NativeCounters;
  /** See Engine.punchIfIdle: 0, -EBUSY while a handle can write the file, or -errno. */
  punchIfIdle(handle: NativeConsumerHandle, dev: number, ino: number, fd: number, offset: number, length: number): number;
  /** See Engine.consumerDone. */
  consumerDone(handle: NativeConsumerHandle, dev: number, ino: number, lastHandle: number): void;
  /** The unmount and the final sync; resolves within a few seconds beyond the final sync's bound. */
  unmount(handle: NativeEngineHandle): Promise<NativeUnmountResult>;
  status(handle: NativeEngineHandle): NativeEngineStatus;
  /** Tiered mounts only. dev < 0: every file. */
  syncNow(handle: NativeEngineHandle, dev: number, ino: number, trigger: SyncTrigger, timeoutMs: number): Promise<SyncOutcome>;
  requestSync(handle: NativeEngineHandle, dev: number, ino: number, trigger: SyncTrigger): void;
  reserveHint(handle: NativeEngineHandle, dev: number, ino: number, bytes: number): void;
  tierStats(handle: NativeEngineHandle, maxFiles: number): TierTotals & { list: TierFileStats[] };
}

/** The engine process's executable, beside the addons. */
export function engineExecutablePath(root = findPackageRoot()): string | undefined {
  return root === undefined ? undefined : path.join(root, 'native', 'build', nativeBuildType(), 'logshadow-engine');
}

let engineAddon: AddonLoad<NativeEngineAddon> | undefined;

export function loadEngineAddon(): AddonLoad<NativeEngineAddon> {
  if (engineAddon) return engineAddon;
  const load = loadNativeAddon<NativeEngineAddon>('logshadow_engine', [
    'attach',
    'detach',
    'drainFileEvents',
    'counters',
    'punchIfIdle',
    'consumerDone',
    'unmount',
    'status',
    'syncNow',
    'requestSync',
    'reserveHint',
    'tierStats',
  ]);
  const mismatch = load.ok ? ringLayoutMismatch(load.addon.ringLayout) : null;
  const engine = engineExecutablePath();
  const missing = load.ok && (engine === undefined || !fs.existsSync(engine)) ? `${engine ?? 'logshadow-engine'} is not built (run "npm run build:native")` : null;
  engineAddon = load.ok && (mismatch || missing) ? { ok: false, reason: missing ?? `${load.path}: ${mismatch} (run "npm run build:native")` } : load;
  return engineAddon;
}
