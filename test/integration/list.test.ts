import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { ListReply } from '../../src/cli/commands/list';
import { recordPath } from '../../src/control/paths';
import { cli } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { forceCleanup, startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { makeScratch } from '../helpers/scratch';
import { until } from '../helpers/wait';

function list(runDir: string, ...more: string[]): ListReply {
  const r = cli(['list', '--json', '--run-dir', runDir, ...more]);
  if (r.status !== 0) throw new Error(`list failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ListReply;
}

const entryOf = (reply: ListReply, m: MountHandle) => reply.mounts.find((x) => x.mountpoint === m.dir);

describe('logshadow list', () => {
  const engines = testEngines();
  const stopped: number[] = [];
  const holders: ChildProcess[] = [];
  afterEach(async () => {
    for (const h of holders.splice(0)) h.kill('SIGKILL');
    for (const pid of stopped.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await stopAllMounts();
  });

  test('live mounts with engine, cache, backing, size and free space; another run dir\'s mount; a stale one and its recovery', async () => {
    const a = await startMount({ engine: engines[0] });
    const b = await startMount({ engine: engines[engines.length - 1], args: ['--cache', 'writethrough', '--size', '32M'] });
    fs.writeFileSync(join(a.dir, 'one.log'), 'x'.repeat(100_000));

    const ra = list(a.runDir);
    expect(ra.schema).toBe('logshadow.list/1');
    expect(ra.runDir).toBe(a.runDir);
    const ea = entryOf(ra, a)!;
    expect(ea).toMatchObject({
      state: 'ok', message: null, engine: engines[0], cache: 'writethrough', backing: a.dir, ownTmpfs: true,
      pid: a.proc.pid, sizeBytes: 64 * 1024 * 1024, files: 1,
    });
    expect(ea.freeBytes).toBeGreaterThan(0);
    expect(ea.freeBytes).toBeLessThanOrEqual(64 * 1024 * 1024 - 100_000);
    // B keeps its record in its own run dir: A's listing sees the mount, alive, served elsewhere.
    expect(entryOf(ra, b)).toMatchObject({ state: 'elsewhere', engine: null });
    expect(entryOf(list(b.runDir), b)).toMatchObject({ state: 'ok', engine: engines[engines.length - 1], sizeBytes: 32 * 1024 * 1024 });

    const human = cli(['list', '--run-dir', a.runDir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^MOUNTPOINT +STATE +ENGINE +CACHE +SIZE +FREE$/m);
    expect(human.stdout).toMatch(new RegExp(`ok +${engines[0]} +writethrough +64\\.0MiB +6\\d\\.\\d+MiB`));
    // Detail lines wrap at 80 columns wherever the path's length puts the break.
    expect(human.stdout.replace(/,\n +/g, ', ')).toMatch(/backing .*\(own tmpfs\), (engine pid \d+, daemon pid|pid) \d+, 1 file,/);
    for (const line of human.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    // The daemon killed outright: the kernel mount stays, "Transport endpoint is not connected".
    process.kill(b.proc.pid!, 'SIGKILL');
    await new Promise((r) => b.proc.once('exit', r));
    const stale = entryOf(list(b.runDir), b)!;
    expect({ state: stale.state, message: stale.message }).toEqual({ state: 'stale', message: `stale: run logshadow mount ${b.dir} to recover` });
    expect(stale.engine).toBe(engines[engines.length - 1]); // from its record
    const staleHuman = cli(['list', '--run-dir', b.runDir]);
    expect(staleHuman.status).toBe(0);
    expect(staleHuman.stdout.replace(/\n +/g, ' ')).toContain(`stale: run logshadow mount ${b.dir} to recover`);

    // What it says to do works.
    const again = cli(['mount', b.dir, '--run-dir', b.runDir, '--engine', engines[0], '--background']);
    expect(again.status).toBe(0);
    try {
      expect(entryOf(list(b.runDir), b)).toMatchObject({ state: 'ok', engine: engines[0], sizeBytes: 32 * 1024 * 1024 });
    } finally {
      expect(cli(['unmount', b.dir, '--run-dir', b.runDir, '--discard']).status).toBe(0);
      forceCleanup(b.dir);
    }
    expect(entryOf(list(b.runDir), b)).toBeUndefined();
  });

  test('a daemon that does not answer in time is listed as unresponsive, and list still returns promptly', async () => {
    const m = await startMount({ engine: engines[0] });
    process.kill(m.proc.pid!, 'SIGSTOP');
    stopped.push(m.proc.pid!);
    const t0 = Date.now();
    const e = entryOf(list(m.runDir, '--timeout', '500ms'), m)!;
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(e.state).toBe('unresponsive');
    expect(e.message).toMatch(/does not answer within 500 ms/);
    process.kill(m.proc.pid!, 'SIGCONT');
    expect(entryOf(list(m.runDir), m)!.state).toBe('ok');
  });

  test('a dead mount: list and doctor name the processes that still hold its files, which must reopen them', async () => {
    const m = await startMount({ engine: engines[0] });
    const file = join(m.dir, 'held.log');
    fs.appendFileSync(file, 'a line\n');
    // A program that keeps its log open: the shell opens it, sleep inherits the descriptor.
    const holder = spawn('sh', ['-c', 'exec 3>>"$0"; exec sleep 600', file], { stdio: 'ignore' });
    holders.push(holder);
    await until('the holder to open its log', () => {
      try {
        return fs.readlinkSync(`/proc/${holder.pid}/fd/3`).endsWith('/held.log');
      } catch {
        return false;
      }
    });
    // The process that serves the mount dies: the native engine's, or fuse-native's daemon.
    process.kill(m.holderPid(), 'SIGKILL');
    await until('the mount to be dead', () => entryOf(list(m.runDir), m)?.state === 'stale');

    const e = entryOf(list(m.runDir), m)!;
    expect(e.holders).toEqual([{ pid: holder.pid, comm: 'sleep', files: 1 }]);
    expect(e.message).toContain(`stale: run logshadow mount ${m.dir} to recover; sleep (pid ${holder.pid}) still holds files there and must reopen them`);
    const human = cli(['list', '--run-dir', m.runDir]).stdout.replace(/\n +/g, ' ');
    expect(human).toContain(`sleep (pid ${holder.pid}) still holds files there`);

    const doctor = cli(['doctor', '--json', '--no-mount-probe']);
    const dead = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; detail: string; fix: string }> }).checks.find((c) => c.id === 'dead-mounts')!;
    expect(dead.status).toBe('warn');
    expect(dead.detail).toContain(`${m.dir} is dead and still held by sleep (pid ${holder.pid})`);
    expect(dead.fix).toContain(`logshadow mount ${m.dir}, then make them reopen their logs`);
    // the check does not change whether a mount can work here
    expect(doctor.status).toBe(0);
  });

  test('a leftover record without a mount; no mounts at all; bad options', () => {
    const runDir = makeScratch();
    try {
      expect(cli(['list', '--run-dir', runDir]).stdout).toMatch(/^MOUNTPOINT|^no logshadow mounts/);
      expect(list(runDir).mounts.filter((x) => x.record !== null)).toEqual([]);
      // A record as a daemon killed before its mount was recovered would leave it.
      const gone = join(runDir, 'gone');
      fs.mkdirSync(gone);
      fs.writeFileSync(recordPath(runDir, gone), JSON.stringify({
        version: 1, mountpoint: gone, pid: 999999, socket: join(runDir, 'nothing.sock'), engine: 'native', cache: 'writethrough',
        backing: gone, ownTmpfs: false, startedAt: new Date().toISOString(),
      }));
      fs.writeFileSync(join(runDir, 'unrelated.json'), '{"hello": 1}');
      const reply = list(runDir);
      const mine = reply.mounts.filter((x) => x.record !== null);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ mountpoint: gone, state: 'gone', pid: 999999 });
      expect(mine[0].message).toMatch(/leftover record/);
      const bad = cli(['list', '--timeout', 'soon']);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/^logshadow: --timeout: "soon" is not a duration/);
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });
});
