import Fuse from 'fuse-native';
import { join } from 'node:path';

/*
 * fuse-native 2.2.6 (pinned) needs four repairs that its public API cannot express, so this
 * subclass overrides the private methods they live in:
 *  - fgetattr calls ops.getattr with the path, so a file unlinked while open has no attributes;
 *  - mounting refuses a directory that is itself a mount root ("Mountpoint in use"), which is
 *    exactly what logshadow does when it shadows a tmpfs in place;
 *  - unmounting shells out to `fusermount -uz`, which may not exist (Debian's fuse3 ships
 *    fusermount3); logshadow unmounts itself and only asks the binding to let go;
 *  - utimens: its C glue passes the access time twice and drops the modification time (see
 *    _makeHandlerArray).
 * Every other behaviour is fuse-native's own.
 */
// The binding is fuse-native's own prebuilt addon, loaded the way fuse-native loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as (dir: string) => FuseBinding;

interface FuseBinding {
  sizeof_fuse_thread_t: number;
  op_utimens: number;
  fuse_native_mount(mnt: string, opts: string, thread: Buffer, self: unknown, malloc: unknown, handlers: unknown, implemented: Uint32Array): void;
  fuse_native_unmount(mnt: string, thread: Buffer): void;
}

const binding = nodeGypBuild(join(require.resolve('fuse-native'), '..'));

/** The private members of fuse-native's class that the overrides touch. */
interface FuseInternals {
  mnt: string;
  ops: Record<string, (...args: unknown[]) => void>;
  _thread: Buffer | null;
  _openCallback: ((err: Error | null) => void) | null;
  _malloc: unknown;
  _handlers: unknown;
  _fuseOptions(): string;
  _getImplementedArray(): Uint32Array;
}

/** What fuse-native calls a handler with: its per-thread state (a Buffer over the C struct), the opcode, the operation's arguments. */
type Handler = (locals: Buffer, op: number, ...args: unknown[]) => void;

/**
 * Where the glue's per-thread state (fuse_thread_locals_t in fuse-native.c, x86-64) keeps the
 * two times of a utimens, in milliseconds as u64: `atime` and the `mtime` it never passes on.
 */
const LOCALS_ATIME_AT = 104;
const LOCALS_MTIME_AT = 112;

export class PatchedFuse extends Fuse {
  /** fuse-native's own handlers, with utimens given the modification time the glue dropped. */
  _makeHandlerArray(): Handler[] {
    const handlers = (Fuse.prototype as unknown as { _makeHandlerArray(): Handler[] })._makeHandlerArray.call(this);
    const utimens = handlers[binding.op_utimens];
    handlers[binding.op_utimens] = (locals, op, path, aLow, aHigh, mLow, mHigh) => {
      const atime = BigInt(aLow as number) + (BigInt(aHigh as number) << 32n);
      // Only where the state holds this very atime is the layout the one read here.
      if (locals.length >= LOCALS_MTIME_AT + 8 && locals.readBigUInt64LE(LOCALS_ATIME_AT) === atime) {
        const mtime = locals.readBigUInt64LE(LOCALS_MTIME_AT);
        mLow = Number(mtime & 0xffffffffn);
        mHigh = Number(mtime >> 32n);
      }
      utimens(locals, op, path, aLow, aHigh, mLow, mHigh);
    };
    return handlers;
  }

  _op_fgetattr(signal: (code: number, stat?: unknown) => void, path: string, fd: number): void {
    const self = this as unknown as FuseInternals;
    self.ops.fgetattr(path, fd, (err: number, stat?: unknown) => (err ? signal(err) : signal(0, statArray(stat))));
  }

  _open(cb: (err: Error | null) => void): void {
    const self = this as unknown as FuseInternals;
    self._thread = Buffer.alloc(binding.sizeof_fuse_thread_t);
    self._openCallback = cb;
    try {
      binding.fuse_native_mount(self.mnt, self._fuseOptions(), self._thread, this, self._malloc, self._handlers, self._getImplementedArray());
    } catch (err) {
      self._openCallback = null;
      cb(err as Error);
    }
  }

  /** The kernel mount is already gone (the engine unmounted it); release the binding's hold. */
  _close(cb: (err: Error | null) => void): void {
    const self = this as unknown as FuseInternals;
    try {
      if (self._thread) binding.fuse_native_unmount(self.mnt, self._thread);
      cb(null);
    } catch (err) {
      cb(err as Error);
    }
  }
}

/** fuse-native's own stat encoding (index.js getStatArray), needed by the fgetattr repair. */
function statArray(stat: unknown): Uint32Array {
  const s = (stat ?? {}) as Record<string, number | Date | undefined>;
  const ints = new Uint32Array(18);
  const num = (k: string) => Number(s[k] ?? 0);
  const ms = (k: string) => {
    const v = s[k];
    return v instanceof Date ? v.getTime() : Number(v ?? 0);
  };
  const setDouble = (i: number, n: number) => {
    ints[i] = n % 4294967296;
    ints[i + 1] = (n - ints[i]) / 4294967296;
  };
  ints[0] = num('mode');
  ints[1] = num('uid');
  ints[2] = num('gid');
  setDouble(3, num('size'));
  ints[5] = num('dev');
  ints[6] = num('nlink') || 1;
  ints[7] = num('ino');
  ints[8] = num('rdev');
  ints[9] = num('blksize');
  setDouble(10, num('blocks'));
  setDouble(12, ms('atime'));
  setDouble(14, ms('mtime'));
  setDouble(16, ms('ctime'));
  return ints;
}
