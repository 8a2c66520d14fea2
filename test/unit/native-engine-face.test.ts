import { RING_LAYOUT } from '../../src/ring/layout';
import * as path from 'path';
import type { EngineMountOptions } from '../../src/engine/engine';
import {
  findPackageRoot,
  loadNativeAddon,
  nativeAddonPath,
  type NativeEngineAddon,
  type NativeEngineHandle,
  type NativeUnmountResult,
} from '../../src/engine/native/addon';
import { ErrorCodes } from '../../src/errors';
import { NativeEngine } from '../../src/engine/native/native-engine';
import { WriteRing } from '../../src/ring/write-ring';

const root = path.resolve(__dirname, '../..');

const options: EngineMountOptions = {
  mountpoint: '/mnt/logs',
  backingFd: 42,
  backingPath: '/proc/self/fd/42',
  cache: 'writethrough',
  maxWrite: 1 << 20,
  ringCapacity: 1024,
  debug: false,
};

/** A stand-in for the C addon that records its calls. */
function fakeAddon(mountError?: Error) {
  const calls: string[] = [];
  const ring = new WriteRing(1024);
  let resolveUnmount: (r: NativeUnmountResult) => void = () => undefined;
  const handle: NativeEngineHandle = {
    ring: ring.buffer as ArrayBuffer,
    mountpoint: '/mnt/logs',
    device: '0:99',
    maxWrite: 1 << 20,
    writeback: false,
    xattr: false,
    tiered: false,
  };
  const addon: NativeEngineAddon = {
    ringLayout: RING_LAYOUT,
    mount(o) {
      calls.push(`mount ${JSON.stringify(o)}`);
      if (mountError) throw mountError;
      return handle;
    },
    drainFileEvents() {
      calls.push('drain');
      return [{ kind: 'release', handle: 7, ringPos: 1 }];
    },
    counters() {
      return { ops: {}, errors: {}, writes: 1, bytesWritten: 2, ringDropped: 0, fileEventsDropped: 0, largestWrite: 2 };
    },
    punchIfIdle(_h, dev, ino, fd, offset, length) {
      calls.push(`punch ${dev}:${ino} ${fd} ${offset}+${length}`);
      return 0;
    },
    consumerDone(_h, dev, ino, lastHandle) {
      calls.push(`done ${dev}:${ino} ${lastHandle}`);
    },
    onFileGone(h, handler) {
      calls.push(`gone handler ${h === handle} ${typeof handler}`);
    },
    unmount() {
      calls.push('unmount');
      return new Promise((resolve) => (resolveUnmount = resolve));
    },
    syncNow() {
      throw new Error('not a tiered mount');
    },
    requestSync() {
      throw new Error('not a tiered mount');
    },
    reserveHint() {
      throw new Error('not a tiered mount');
    },
    tierStats() {
      throw new Error('not a tiered mount');
    },
  };
  return { addon, calls, ring, finishUnmount: (r: NativeUnmountResult) => resolveUnmount(r) };
}

test('the package root is found from src/ and from dist/', () => {
  expect(findPackageRoot(path.join(root, 'src', 'engine', 'native'))).toBe(root);
  expect(findPackageRoot(path.join(root, 'dist', 'engine', 'native'))).toBe(root);
  expect(nativeAddonPath('logshadow_engine', root)).toBe(path.join(root, 'native/build/Release/logshadow_engine.node'));
});

test('loading a missing addon gives a reason instead of throwing', () => {
  const load = loadNativeAddon('logshadow_nothing', ['x']);
  expect(load.ok).toBe(false);
  expect(!load.ok && load.reason).toMatch(/logshadow_nothing\.node is not built \(run "npm run build:native"\)/);
});

test('before mount: no ring, no events, zero counters, unmount is a no-op', async () => {
  const { addon, calls } = fakeAddon();
  const engine = new NativeEngine(options, addon);
  expect(() => engine.ring).toThrow(expect.objectContaining({ code: ErrorCodes.NOT_MOUNTED }));
  expect(engine.drainFileEvents()).toEqual([]);
  expect(engine.counters().writes).toBe(0);
  await engine.unmount();
  expect(calls).toEqual([]);
});

test('mount passes the options through and wraps the ring; unmount runs once', async () => {
  const { addon, calls, ring, finishUnmount } = fakeAddon();
  const engine = new NativeEngine(options, addon);
  expect([engine.name, engine.cache, engine.knowsCaller]).toEqual(['native', 'writethrough', true]);
  await engine.mount();
  expect(calls[0]).toBe(
    `mount ${JSON.stringify({
      mountpoint: '/mnt/logs',
      backingFd: 42,
      cache: 'writethrough',
      maxWrite: 1 << 20,
      ringCapacity: 1024,
      debug: false,
      xattr: false,
      fsname: 'logshadow',
      subtype: 'logshadow',
    })}`,
  );
  ring.push(3, 1.5, 0, 10, 99);
  const seen: number[] = [];
  engine.ring.drain((r) => seen.push(r.handle, r.length, r.pid));
  expect(seen).toEqual([3, 10, 99]);
  expect(engine.drainFileEvents()).toEqual([{ kind: 'release', handle: 7, ringPos: 1 }]);
  await expect(engine.mount()).rejects.toMatchObject({ code: ErrorCodes.ALREADY_MOUNTED });

  const first = engine.unmount();
  const second = engine.unmount();
  finishUnmount({ wasMounted: true, lazy: true, stopped: true, error: null, unsyncedLeft: 0 });
  await Promise.all([first, second]);
  expect(calls.filter((c) => c === 'unmount')).toHaveLength(1);
  expect(engine.lastUnmount).toEqual({ wasMounted: true, lazy: true, stopped: true, error: null, unsyncedLeft: 0 });
});

test('a file-gone handler set before mount is registered with the mount, one set after at once, and only one', async () => {
  for (const before of [true, false]) {
    const { addon, calls } = fakeAddon();
    const engine = new NativeEngine(options, addon);
    const handler = () => undefined;
    if (before) engine.onFileGone(handler);
    await engine.mount();
    if (!before) engine.onFileGone(handler);
    expect(calls.filter((c) => c.startsWith('gone'))).toEqual(['gone handler true function']);
    expect(() => engine.onFileGone(handler)).toThrow(expect.objectContaining({ code: ErrorCodes.INTERNAL }));
  }
});

test('a refused mount is a LogshadowError LS_MOUNT_FAILED carrying the reason', async () => {
  const { addon } = fakeAddon(new Error('libfuse refused the mount: fuse: bad things'));
  const engine = new NativeEngine(options, addon);
  await expect(engine.mount()).rejects.toMatchObject({
    code: ErrorCodes.MOUNT_FAILED,
    message: 'cannot mount /mnt/logs: libfuse refused the mount: fuse: bad things',
  });
});
