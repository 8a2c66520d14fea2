/**
 * The serving side of the native engine tests (and of native/bench): mounts a directory in place
 * through NativeEngine, drains the ring and the file events like the daemon's refresh tick, and
 * answers the parent's questions over IPC.
 *
 *   node -r test/helpers/ts-register.js test/helpers/native-engine-fixture.ts '{"dir":"/x"}'
 *
 * Without an IPC channel it mounts, prints one JSON line, and unmounts on SIGTERM, SIGINT or when
 * stdin ends, printing the counters.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CacheMode, FileEvent } from '../../src/engine/engine';
import { NativeEngine } from '../../src/engine/native/native-engine';

interface Config {
  dir: string;
  cache?: CacheMode;
  maxWrite?: number;
  ringCapacity?: number;
  debug?: boolean;
  xattr?: boolean;
}

interface Request {
  id: number;
  cmd: string;
  args?: Record<string, unknown>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const backingFd = fs.openSync(config.dir, 'r');
// The engine process's socket, beside the directory (never inside the mount).
const socketPath = path.join(os.tmpdir(), `logshadow-engine-${process.pid}.sock`);
const engine = new NativeEngine({
  process: { socketPath, pidFile: null, ramDir: null, daemonCommand: null, daemonLog: null },
  mountpoint: config.dir,
  backingFd,
  backingPath: `/proc/self/fd/${backingFd}`,
  cache: config.cache ?? 'writethrough',
  maxWrite: config.maxWrite ?? 1 << 20,
  ringCapacity: config.ringCapacity ?? 1 << 16,
  debug: config.debug ?? false,
  xattr: config.xattr ?? false,
});

const records = {
  count: 0,
  bytes: 0,
  byHandle: new Map<number, number>(),
  /** [first, last] ring position of each handle's records */
  spanByHandle: new Map<number, [number, number]>(),
  pids: new Set<number>(),
};
const events: FileEvent[] = [];
const readFds = new Map<number, number>();
/** The backing file (dev, ino) of each handle opened. */
const identity = new Map<number, [number, number]>();
/** Files the engine reported gone ("dev:ino"), in order. */
const gone: string[] = [];
// Like the daemon: take the events now, which closes the read descriptors of released handles.
engine.onFileGone((dev, ino) => {
  drain();
  gone.push(`${dev}:${ino}`);
});
let draining = true;

function drain(): void {
  if (!draining) return;
  engine.ring.drain((r) => {
    records.count++;
    records.bytes += r.length;
    records.byHandle.set(r.handle, (records.byHandle.get(r.handle) ?? 0) + r.length);
    const span = records.spanByHandle.get(r.handle);
    if (span) span[1] = r.pos;
    else records.spanByHandle.set(r.handle, [r.pos, r.pos]);
    records.pids.add(r.pid);
  });
  for (const ev of engine.drainFileEvents()) {
    events.push(ev);
    if (ev.kind === 'open' && ev.readFd >= 0) {
      readFds.set(ev.handle, ev.readFd);
      const st = fs.fstatSync(ev.readFd);
      identity.set(ev.handle, [st.dev, st.ino]);
    }
    if (ev.kind === 'release') closeReadFd(ev.handle);
  }
}

function closeReadFd(handle: number): void {
  const fd = readFds.get(handle);
  if (fd === undefined) return;
  readFds.delete(handle);
  fs.closeSync(fd);
}

/** Reads the file through the descriptor the engine handed over: the backing file, not the mount. */
function readBack(handle: number): string {
  const fd = readFds.get(handle);
  if (fd === undefined) throw new Error(`no readFd for handle ${handle}`);
  const buf = Buffer.alloc(1 << 20);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  return buf.toString('utf8', 0, n);
}

let unmounted: Promise<unknown> | undefined;
function unmount(): Promise<unknown> {
  unmounted ??= (async () => {
    const t0 = Date.now();
    await engine.unmount();
    drain();
    return { result: engine.lastUnmount, ms: Date.now() - t0 };
  })();
  return unmounted;
}

async function exit(code: number): Promise<never> {
  try {
    draining = true;
    await unmount();
    drain();
    for (const handle of [...readFds.keys()]) closeReadFd(handle);
  } finally {
    process.exit(code);
  }
}

async function handle(req: Request): Promise<unknown> {
  drain();
  switch (req.cmd) {
    case 'ping':
      return 'pong';
    case 'pauseDrain':
      draining = false;
      return 'paused';
    case 'resumeDrain':
      draining = true;
      drain();
      return 'draining';
    case 'snapshot': {
      const from = Number(req.args?.from ?? 0);
      return {
        counters: engine.counters(),
        records: {
          count: records.count,
          bytes: records.bytes,
          byHandle: Object.fromEntries(records.byHandle),
          spanByHandle: Object.fromEntries(records.spanByHandle),
          pids: [...records.pids],
        },
        events: events.slice(from),
        eventCount: events.length,
        gone,
      };
    }
    case 'consumerDone': {
      // As the profiler does once it holds nothing on a file: `handle` is an open of it.
      const handle = Number(req.args?.handle);
      const [dev, ino] = identity.get(handle) ?? [NaN, NaN];
      engine.consumerDone(dev, ino, handle);
      return 'done';
    }
    case 'readBack':
      return readBack(Number(req.args?.handle));
    case 'punchIfIdle': {
      // As the allocator gives space back: through a descriptor of its own on the backing file.
      const handle = Number(req.args?.handle);
      const [dev, ino] = identity.get(handle) ?? [NaN, NaN];
      const fd = fs.openSync(`/proc/self/fd/${backingFd}/${String(req.args?.name)}`, 'r+');
      try {
        return engine.punchIfIdle(dev, ino, fd, Number(req.args?.offset), Number(req.args?.length));
      } finally {
        fs.closeSync(fd);
      }
    }
    case 'unmount':
      return unmount();
    case 'exit':
      setImmediate(() => void exit(0));
      return 'bye';
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

async function main(): Promise<void> {
  await engine.mount();
  const ready = { type: 'ready', pid: process.pid, backingFd, ...engine.mounted };
  setInterval(drain, 20);
  process.on('SIGTERM', () => void exit(0));
  process.on('SIGINT', () => void exit(0));
  if (process.send) {
    process.on('message', (msg: Request) => {
      handle(msg).then(
        (value) => process.send?.({ id: msg.id, ok: true, value }),
        (err: Error) => process.send?.({ id: msg.id, ok: false, error: err.message }),
      );
    });
    process.on('disconnect', () => void exit(0));
    process.send(ready);
  } else {
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    process.stdin.resume();
    process.stdin.on('end', () => void exit(0));
    process.on('exit', () => process.stdout.write(`${JSON.stringify(engine.counters())}\n`));
  }
}

main().catch((err: Error) => {
  if (process.send) process.send({ type: 'failed', error: err.message });
  else process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
