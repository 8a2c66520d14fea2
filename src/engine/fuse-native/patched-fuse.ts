import Fuse from 'fuse-native';
import { join } from 'node:path';

/*
 * fuse-native 2.2.6 (pinned) needs three repairs that its public API cannot express, so this
 * subclass overrides the private methods they live in:
 *  - fgetattr calls ops.getattr with the path, so a file unlinked while open has no attributes;
 *  - mounting refuses a directory that is itself a mount root ("Mountpoint in use"), which is
 *    exactly what logshadow does when it shadows a tmpfs in place;
 *  - unmounting shells out to `fusermount -uz`, which may not exist (Debian's fuse3 ships
 *    fusermount3); logshadow unmounts itself and only asks the binding to let go.
 * Every other behaviour is fuse-native's own.
 */
// The binding is fuse-native's own prebuilt addon, loaded the way fuse-native loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as (dir: string) => FuseBinding;

interface FuseBinding {
  sizeof_fuse_thread_t: number;
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

export class PatchedFuse extends Fuse {
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
