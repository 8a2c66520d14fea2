import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { startMount, stopAllMounts } from '../helpers/mount';
import { until } from '../helpers/wait';
import { ROOT } from '../helpers/cli';
import { socketPath } from '../../src/control/paths';

/**
 * The daemon beside the native engine takes only the CPU the writers leave (SCHED_IDLE), but a
 * person's question must not wait behind them: the threads that only wait keep their priority,
 * and a connection on the control socket raises the main thread before any of its code runs.
 * Read from /proc, as the kernel has it.
 */
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

interface Thread { tid: number; comm: string; policy: number; nice: number }

function threads(pid: number): Thread[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    // stat(5): nice is field 19, policy field 41 (fields[] starts at field 3)
    return { tid: Number(tid), comm, nice: Number(fields[16]), policy: Number(fields[38]) };
  });
}

const mainThread = (pid: number) => threads(pid).find((t) => t.tid === pid)!;

describe('the daemon\'s priority beside the native engine', () => {
  afterAll(() => stopAllMounts());

  test('idle but for the threads that wait; a connection raises the main thread until it is answered', async () => {
    const m = await startMount({ engine: 'native' });
    const { pid } = await m.ask<{ pid: number }>('ping');
    // The ping's connection raised it; the next refresh lowers it again.
    await until('the main thread to be lowered after the ping', () => mainThread(pid).policy === SCHED_IDLE);
    const all = threads(pid);
    expect(all.filter((t) => t.comm.startsWith('ls-')).map((t) => [t.comm, t.policy]).sort()).toEqual([['ls-link', SCHED_OTHER], ['ls-waker', SCHED_OTHER]]);
    expect(all.filter((t) => !t.comm.startsWith('ls-') && t.policy !== SCHED_IDLE)).toEqual([]);
    // Its weight once raised (under SCHED_IDLE the nice value counts for nothing).
    expect(mainThread(pid).nice).toBe(-10);

    // Writers that hold every CPU: the main thread, under SCHED_IDLE, gets none, and cannot even
    // accept a connection (on an idle machine it accepts at once, and needs no raising). A client
    // that has connected and not asked yet: the waker has raised the main thread.
    const spinners = Array.from({ length: cpus().length + 1 }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    try {
      const conn: Socket = connect(socketPath(m.runDir, m.dir));
      await once(conn, 'connect');
      // Raised for the first second of the connection's life (then the refresh goes on,
      // lowered): looked at every few ms.
      await until('the main thread to be raised by the connection', () => mainThread(pid).policy === SCHED_OTHER, 10_000, 5);
      conn.destroy();
    } finally {
      for (const s of spinners) s.kill('SIGKILL');
    }
    await until('the main thread to be lowered once the connection is gone', () => mainThread(pid).policy === SCHED_IDLE, 10_000);
    // And it answers the next one: the waker watches again.
    const again = await m.ask<{ pid: number }>('ping');
    expect(again.pid).toBe(pid);
    await m.stop();
  });

  test('before each slice the main thread is lowered again only when something raised it, from any thread or process', () => {
    // In a process of its own (lowering the test runner's thread would slow the other tests).
    const script = `
      const { loadNativeSys } = require(${JSON.stringify(join(ROOT, 'dist/engine/native/sys.js'))});
      const { Worker } = require('node:worker_threads');
      const fs = require('node:fs');
      const sys = loadNativeSys();
      if (!sys.ok) throw new Error(sys.reason);
      const policy = () => Number(fs.readFileSync('/proc/self/task/' + process.pid + '/stat', 'utf8').split(') ')[1].split(' ')[38]);
      const seen = [];
      const lower = () => seen.push([sys.addon.lowerMainIfRaised(), policy()]);
      sys.addon.setIdleScheduling(0, true);
      lower(); // lowered already: nothing to do
      sys.addon.setIdleScheduling(0, false);
      seen.push([0, policy()]);
      lower(); // raised by itself (a request): lowered
      const w = new Worker('require("node:worker_threads").parentPort.postMessage(require(' +
        JSON.stringify(${JSON.stringify(join(ROOT, 'dist/engine/native/sys.js'))}) + ').loadNativeSys().addon.setIdleScheduling(' + process.pid + ', false))', { eval: true });
      w.once('message', (r) => {
        seen.push([r, policy()]);
        lower(); // raised by another thread (the waker): lowered
        lower();
        // raised by code that is not this addon's (the engine addon's link has its own copy of
        // the C side), here another process: lowered too
        require('node:child_process').execFileSync('chrt', ['-o', '-p', '0', String(process.pid)]);
        seen.push([0, policy()]);
        lower();
        console.log(JSON.stringify(seen));
        process.exit(0);
      });
    `;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([
      [0, SCHED_IDLE], [0, SCHED_OTHER], [0, SCHED_IDLE], [0, SCHED_OTHER], [0, SCHED_IDLE], [0, SCHED_IDLE],
      [0, SCHED_OTHER], [0, SCHED_IDLE],
    ]);
  });

  test('with --no-profile nothing is lowered', async () => {
    const m = await startMount({ engine: 'native', args: ['--no-profile'] });
    const { pid } = await m.ask<{ pid: number }>('ping');
    expect(threads(pid).filter((t) => t.policy !== SCHED_OTHER)).toEqual([]);
    expect(threads(pid).some((t) => t.comm === 'ls-waker')).toBe(false);
    await m.stop();
  });
});
