import { RING_LAYOUT } from '../../src/ring/layout';
import * as path from 'path';
import {
  findPackageRoot,
  loadNativeAddon,
  nativeAddonPath,
  type NativeConsumerHandle,
  type NativeEngineAddon,
  type NativeMessage,
  type NativeUnmountResult,
} from '../../src/engine/native/addon';
import { ErrorCodes } from '../../src/errors';
import { NativeEngine, type NativeEngineOptions } from '../../src/engine/native/native-engine';
import { WriteRing } from '../../src/ring/write-ring';

const root = path.resolve(__dirname, '../..');

const options: NativeEngineOptions = {
  mountpoint: '/mnt/logs',
  backingFd: -1,
  backingPath: '',
  cache: 'writethrough',
  maxWrite: 1 << 20,
  ringCapacity: 1024,
  debug: false,
  // attached to an engine process said to run already: nothing is started
  attach: true,
  process: { socketPath: '/run/test/logs.engine', pidFile: null, ramDir: null, daemonCommand: null, daemonLog: null },
};

type OnMessage = (kind: NativeMessage, dev?: number, ino?: number) => void;

/** A stand-in for the C addon that records its calls. */
function fakeAddon(attachError?: Error & { code?: string }) {
  const calls: string[] = [];
  const ring = new WriteRing(1024);
  let resolveUnmount: (r: NativeUnmountResult) => void = () => undefined;
  let onMessage: OnMessage = () => undefined;
  // two records written before the daemon attached: its view begins after them
  ring.push(1, 0.5, 0, 5, 10);
  ring.push(1, 0.6, 5, 5, 10);
  const handle: NativeConsumerHandle = {
    ring: ring.buffer as ArrayBuffer,
    ringHead: 2,
    backingFd: 42,
    ramDirFd: -1,
    device: '0:99',
    maxWrite: 1 << 20,
    writeback: false,
    xattr: false,
    tiered: false,
    ended: false,
    unmounted: false,
    enginePid: 4242,
    consumerPid: process.pid,
  };
  const notTiered = () => {
    throw new Error('not a tiered mount');
  };
  const addon = {
    ringLayout: RING_LAYOUT,
    attach(socket: string, role: string, fn: OnMessage) {
      calls.push(`attach ${socket} ${role}`);
      if (attachError) throw attachError;
      onMessage = fn;
      return handle;
    },
    detach() {
      calls.push('detach');
    },
    drainFileEvents() {
      calls.push('drain');
      return [{ kind: 'release', handle: 7, ringPos: 1 }];
    },
    counters() {
      return { ops: {}, errors: {}, writes: 1, bytesWritten: 2, ringDropped: 0, fileEventsDropped: 0, largestWrite: 2 };
    },
    punchIfIdle(_h: unknown, dev: number, ino: number, fd: number, offset: number, length: number) {
      calls.push(`punch ${dev}:${ino} ${fd} ${offset}+${length}`);
      return 0;
    },
    consumerDone(_h: unknown, dev: number, ino: number, lastHandle: number) {
      calls.push(`done ${dev}:${ino} ${lastHandle}`);
    },
    unmount() {
      calls.push('unmount');
      return new Promise((resolve) => (resolveUnmount = resolve));
    },
    status: notTiered,
    syncNow: notTiered,
    requestSync: notTiered,
    reserveHint: notTiered,
    tierStats: notTiered,
  } as unknown as NativeEngineAddon; // the overloads of attach, which a literal cannot spell
  return { addon, calls, ring, send: (kind: NativeMessage, dev?: number, ino?: number) => onMessage(kind, dev, ino), finishUnmount: (r: NativeUnmountResult) => resolveUnmount(r) };
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

test('attaching wraps the shared ring, skips what came before the daemon attached, and unmounts once', async () => {
  const { addon, calls, ring, finishUnmount } = fakeAddon();
  const engine = new NativeEngine(options, addon);
  expect([engine.name, engine.cache, engine.knowsCaller]).toEqual(['native', 'writethrough', true]);
  await engine.mount();
  expect(calls[0]).toBe('attach /run/test/logs.engine consumer');
  expect(engine.attachedAt).toEqual({ tail: 0, skipped: 2, dropped: 0 });
  expect(engine.mounted?.enginePid).toBe(4242);
  expect(engine.directories).toEqual({ backingFd: 42, ramDirFd: -1 });
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
  expect(engine.punchIfIdle(1, 2, 3, 0, 4096)).toBeLessThan(0); // not after the unmount
});

test('the engine\'s messages: a file-gone question reaches the one handler; the engine lost, unless unmounting', async () => {
  const { addon, send } = fakeAddon();
  const engine = new NativeEngine(options, addon);
  const gone: string[] = [];
  const lost: string[] = [];
  engine.onFileGone((dev, ino) => gone.push(`${dev}:${ino}`));
  expect(() => engine.onFileGone(() => undefined)).toThrow(expect.objectContaining({ code: ErrorCodes.INTERNAL }));
  engine.onLost((why) => lost.push(why));
  await engine.mount();
  send('gone', 8, 9);
  send('ended');
  expect(gone).toEqual(['8:9']);
  expect(lost).toEqual([]);
  send('closed');
  expect(lost).toEqual(['the engine process ended: the mount no longer serves']);
  void engine.unmount();
  send('closed');
  expect(lost).toHaveLength(1);
});

test('an engine that refuses the daemon: already attached is LS_ALREADY_MOUNTED, anything else LS_MOUNT_FAILED', async () => {
  const busy = Object.assign(new Error('a daemon (pid 77) is attached to this engine already'), { code: 'EBUSY' });
  await expect(new NativeEngine(options, fakeAddon(busy).addon).mount()).rejects.toMatchObject({
    code: ErrorCodes.ALREADY_MOUNTED,
    message: 'cannot attach to the engine of /mnt/logs: a daemon (pid 77) is attached to this engine already',
  });
  const gone = Object.assign(new Error('cannot reach the engine: No such file or directory'), { code: 'ENOENT' });
  await expect(new NativeEngine(options, fakeAddon(gone).addon).mount()).rejects.toMatchObject({ code: ErrorCodes.MOUNT_FAILED });
});
