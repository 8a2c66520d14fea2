import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { CLI, cli } from '../helpers/cli';
import { forceCleanup } from '../helpers/mount';
import { request } from '../../src/control/client';
import { socketPath } from '../../src/control/paths';
import { readMounts } from '../../src/util/mountinfo';
import { makeScratch } from '../helpers/scratch';
import { sleep } from '../helpers/wait';

/**
 * `mount --config`: a real mount, served by a child process, takes its options from the file,
 * and the command line overrides them. (test/helpers' startMount always passes --engine and
 * --size on the command line, so this file starts its own mounts.)
 */
interface Mounted {
  proc: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

const live: Array<{ m: Mounted; dir: string; runDir: string }> = [];

async function mountWith(dir: string, runDir: string, args: string[]): Promise<Mounted> {
  const proc = spawn(process.execPath, [CLI, 'mount', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve((code = c))));
  const m: Mounted = { proc, exited, output: () => out };
  live.push({ m, dir, runDir });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (code !== undefined) throw new Error(`mount exited with ${code}:\n${out}`);
    try {
      await request(socketPath(runDir, dir), 'ping', {}, 1000);
      return m;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`mount did not come up:\n${out}`);
}

async function unmountAll(): Promise<void> {
  for (const { m, dir, runDir } of live.splice(0)) {
    try {
      if (m.proc.exitCode === null && m.proc.signalCode === null) {
        spawnSync(process.execPath, [CLI, 'unmount', dir, '--run-dir', runDir, '--discard'], { timeout: 60_000 });
        const timer = setTimeout(() => m.proc.kill('SIGKILL'), 30_000);
        await m.exited;
        clearTimeout(timer);
      }
    } finally {
      forceCleanup(dir);
    }
  }
}

function tmpfsSizeKiB(dir: string): number {
  const tmpfs = readMounts().filter((e) => e.mountpoint === dir && e.fstype === 'tmpfs');
  expect(tmpfs).toHaveLength(1);
  return Number(/size=(\d+)k/.exec(tmpfs[0].superOptions)![1]);
}

function stats(dir: string, runDir: string): { engine: string; totals: { writes: number } } {
  const r = cli(['stats', dir, '--run-dir', runDir, '--json']);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { engine: string; totals: { writes: number } };
}

/** Three lines written by a child process (a test never writes into a mount it serves, nor needs to). */
function writeLines(file: string): void {
  const r = spawnSync('/bin/sh', ['-c', 'for i in 1 2 3; do echo "INFO line $i" >> "$1"; done', 'sh', file]);
  expect(r.status).toBe(0);
}

/**
 * How often the daemon's main thread woke up during one idle second. The refresh tick is a timer
 * on that thread, and stats ticks on demand, so this is how --refresh shows from outside.
 */
async function wakeupsPerSecond(pid: number): Promise<number> {
  const read = () => Number(/^voluntary_ctxt_switches:\s*(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'))![1]);
  const before = read();
  await sleep(1000);
  return read() - before;
}

describe('mount --config on a real mount', () => {
  let scratch: string;
  let dir: string;
  let conf: string;

  beforeEach(() => {
    scratch = makeScratch();
    dir = join(scratch, 'logs');
    fs.mkdirSync(dir);
    fs.mkdirSync(join(scratch, 'etc'));
    conf = join(scratch, 'etc', 'logshadow.json');
    // run-dir is relative: it is taken relative to the file, so the socket must appear there.
    // persist false: RAM only, a tmpfs of that size (a negated flag's key takes false).
    fs.writeFileSync(conf, JSON.stringify({ size: '48M', refresh: '20ms', engine: 'fuse-native', 'run-dir': 'run', 'log-level': 'warn', persist: false }, null, 2));
  });
  afterEach(async () => {
    try {
      await unmountAll();
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('size, refresh, engine, run-dir and log-level come from the file', async () => {
    const runDir = join(scratch, 'etc', 'run');
    const m = await mountWith(dir, runDir, ['--config', conf]);
    expect(fs.existsSync(socketPath(runDir, dir))).toBe(true);
    expect(tmpfsSizeKiB(dir)).toBe(48 * 1024);
    expect(stats(dir, runDir).engine).toBe('fuse-native');
    // refresh 20ms: about 50 ticks a second (the default 250ms would give about 4).
    expect(await wakeupsPerSecond(m.proc.pid!)).toBeGreaterThanOrEqual(20);
    writeLines(join(dir, 'app.log'));
    expect(stats(dir, runDir).totals.writes).toBe(3);
    // log-level warn: the info line that says "mounted" is not logged.
    expect(m.output()).not.toMatch(/info: mounted/);
  });

  test('the command line overrides the file', async () => {
    const runDir = join(scratch, 'run-cli');
    const m = await mountWith(dir, runDir, ['--config', conf, '--size', '32M', '--refresh', '10m', '--run-dir', runDir, '--log-level', 'info']);
    expect(tmpfsSizeKiB(dir)).toBe(32 * 1024);
    expect(fs.existsSync(join(scratch, 'etc', 'run'))).toBe(false);
    // refresh 10m: no tick in the second measured.
    expect(await wakeupsPerSecond(m.proc.pid!)).toBeLessThanOrEqual(5);
    expect(m.output()).toMatch(/info: mounted /);
    expect(stats(dir, runDir).engine).toBe('fuse-native'); // still the file's
  });

  test('an unknown key and a bad value: one line naming the key, exit 2, nothing mounted', () => {
    const unknown = join(scratch, 'etc', 'unknown.json');
    fs.writeFileSync(unknown, JSON.stringify({ size: '48M', 'horizon-ms': 5000 }));
    const bad = join(scratch, 'etc', 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ size: '48M', cache: 'sometimes' }));
    for (const [file, pattern] of [
      [unknown, /^logshadow: --config \S+unknown\.json: unknown key "horizon-ms" \(known: size, /],
      [bad, /^logshadow: --config \S+bad\.json: "cache": "sometimes" is not one of writethrough, writeback$/],
    ] as const) {
      const r = cli(['mount', dir, '--config', file, '--run-dir', join(scratch, 'run')]);
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    }
    expect(readMounts().filter((e) => e.mountpoint.startsWith(scratch))).toEqual([]);
  });
});
