import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { cli } from '../helpers/cli';
import { endedWithin, startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { Children, fileStats, freePort, statsOf, stop, waitFor, type StatsJson } from './examples/example-helpers';
import { readRecord, socketPath } from '../../src/control/paths';
import { checkpointPath } from '../../src/daemon/checkpoint-file';
import { parseCheckpoint } from '../../src/profile/checkpoint';
import { request } from '../../src/control/client';
import { NativeEngine } from '../../src/engine/native/native-engine';

/**
 * With the native engine the data path is a process of its own: the daemon (profiler, models,
 * allocator, control socket) may die, and the applications do not notice. Real programs that keep
 * their logs open write through several kill -9s of the daemon; the engine starts a new one each
 * time, which resumes the counts and reads what it missed from the files.
 */
const native = NativeEngine.available().ok ? describe : describe.skip;

function daemonPid(m: MountHandle): number {
  return readRecord(m.runDir, m.dir)?.pid ?? 0;
}

/** A daemon other than `old` attached and answering. */
async function newDaemon(m: MountHandle, old: number): Promise<number> {
  await waitFor('the engine to start a new daemon', () => {
    const pid = daemonPid(m);
    return pid !== 0 && pid !== old;
  }, 30_000);
  await request(socketPath(m.runDir, m.dir), 'ping', {}, 10_000);
  return daemonPid(m);
}

type Stats = StatsJson & { totals: { gap: { records: number; bytes: number; resumes: number } } };

const stats = (m: MountHandle) => statsOf(m.dir, m.runDir) as Stats;

/** Until the engine has seen its daemon go: stats then has only the engine's own figures. */
function noDaemonAttached(m: MountHandle): Promise<void> {
  return waitFor('the engine to see the daemon gone', () => {
    const r = cli(['stats', m.dir, '--json', '--run-dir', m.runDir]);
    return r.status === 0 && (JSON.parse(r.stdout) as { daemon?: unknown }).daemon === null;
  }, 5000);
}

function get(port: number, agent: http.Agent, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

native('the daemon dies, the applications write on (native engine)', () => {
  const children = new Children();
  afterAll(async () => {
    try {
      await children.stopAll();
    } finally {
      await stopAllMounts();
    }
  });

  test('nginx and rsyslog under load through three kill -9s of the daemon: every request and message is in the files, the engine never changes, and stats count the gap and every line and byte', async () => {
    const m = await startMount({ engine: 'native', args: ['--refresh', '200ms'] });
    const engine = m.enginePid();
    expect(engine).not.toBeNull();

    const port = await freePort();
    const conf = join(m.scratch, 'nginx.conf');
    fs.writeFileSync(conf, [
      'worker_processes 2;', `error_log ${m.dir}/error.log notice;`, 'events {}',
      'http {', `  access_log ${m.dir}/access.log;`, `  server { listen 127.0.0.1:${port}; location / { return 200 "ok\\n"; } }`, '}', '',
    ].join('\n'));
    const nginx = children.start('nginx', ['-c', conf, '-g', `daemon off; pid ${join(m.scratch, 'nginx.pid')};`]);
    const socket = join(m.scratch, 'log.sock');
    const rconf = join(m.scratch, 'rsyslog.conf');
    fs.mkdirSync(join(m.scratch, 'spool'));
    fs.writeFileSync(rconf, [
      `global(workDirectory="${join(m.scratch, 'spool')}")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${socket}" CreatePath="on" RateLimit.Interval="0")`,
      `action(type="omfile" file="${m.dir}/messages.log")`, '',
    ].join('\n'));
    const rsyslogd = children.start('rsyslogd', ['-n', '-f', rconf, '-i', join(m.scratch, 'rsyslogd.pid')]);
    await waitFor('nginx and rsyslogd to start', () => fs.existsSync(join(m.scratch, 'nginx.pid')) && fs.existsSync(socket));

    // Load in the background: requests as fast as they go, a message every 2 ms.
    let requests = 0;
    let messages = 0;
    let running = true;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const httpLoad = (async () => {
      while (running) {
        expect(await get(port, agent, `/r/${requests}`)).toBe(200);
        requests++;
      }
    })();
    const syslogLoad = (async () => {
      while (running) {
        const r = spawnSync('logger', ['--socket-errors=on', '-u', socket, '-t', 'app', `message ${messages}`]);
        expect(r.status).toBe(0);
        messages++;
        await new Promise((res) => setTimeout(res, 2));
      }
    })();

    let daemon = daemonPid(m);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((res) => setTimeout(res, 1500));
      process.kill(daemon, 'SIGKILL');
      daemon = await newDaemon(m, daemon);
      expect(m.enginePid()).toBe(engine);
    }
    await new Promise((res) => setTimeout(res, 1000));
    running = false;
    await Promise.all([httpLoad, syslogLoad]);
    agent.destroy();
    await stop(nginx.proc);
    await stop(rsyslogd.proc);

    // Every request and every message is in the files, each once, whole. nginx's two workers log
    // a request after its response has gone, so the next request (sent on another connection)
    // may be logged first by the other worker: the access log is checked as a set; rsyslog
    // writes in order.
    const access = lines(join(m.dir, 'access.log'));
    expect(access).toHaveLength(requests);
    const served = access.map((l) => Number(/"GET \/r\/(\d+) HTTP\/1\.1" 200 /.exec(l)?.[1] ?? -1)).sort((a, b) => a - b);
    expect(served).toEqual(Array.from({ length: requests }, (_, i) => i));
    const logged = lines(join(m.dir, 'messages.log'));
    expect(logged).toHaveLength(messages);
    logged.forEach((l, i) => expect(l).toMatch(new RegExp(` app: message ${i}$`)));
    expect(rsyslogd.output()).not.toMatch(/Transport endpoint is not connected|error/i);
    expect(requests).toBeGreaterThan(500);

    // The counts went on across the three daemons: every line and byte, read from the files for
    // what no daemon saw, which is counted as the gap.
    const errors = lines(join(m.dir, 'error.log'));
    const written = access.length + logged.length + errors.length;
    let counted = 0;
    await waitFor('the profiler to catch up', () => (counted = stats(m).totals.lines) >= written)
      .catch((err: Error) => {
        throw new Error(`${err.message}: ${counted} of ${written} lines counted`);
      });
    const s = stats(m);
    const file = (p: string) => fileStats(s, p)!;
    for (const [p, l] of [['/access.log', access], ['/messages.log', logged], ['/error.log', errors]] as const) {
      expect(file(p).lines).toBe(l.length);
      expect(file(p).bytes).toBe(fs.statSync(join(m.dir, p)).size);
    }
    expect(s.totals.gap.resumes).toBe(3);
    expect(s.totals.gap.records).toBeGreaterThan(0);
    expect(s.totals.gap.bytes).toBeGreaterThan(0);
    expect(m.enginePid()).toBe(engine);
  }, 180_000);
  test('a daemon that takes over counts files its predecessor never wrote down: made, written and closed while none was attached, or opened and not written yet; and counts what it caught up with once', async () => {
    const m = await startMount({ engine: 'native', args: ['--refresh', '200ms'] });
    const checkpoint = checkpointPath(m.runDir, m.dir);
    const saved = () => {
      try {
        return parseCheckpoint(fs.readFileSync(checkpoint, 'utf8'));
      } catch {
        return null;
      }
    };
    const held = join(m.dir, 'held.log');
    const quiet = join(m.dir, 'quiet.log');
    const made = join(m.dir, 'made.log');
    // Opens its log as daemons do and writes a line for each line it reads.
    const holder = children.start('sh', ['-c', 'exec 3>>"$0"; while read l; do echo "$l" >&3; done', held], { stdio: ['pipe', 'pipe', 'pipe'] });
    await waitFor('the holder to open its log', () => {
      try {
        return fs.readlinkSync(`/proc/${holder.proc.pid}/fd/3`) === held;
      } catch {
        return false;
      }
    });
    // Older than the margin a takeover allows birth times (1 s): only a checkpoint that lists
    // held.log keeps its line from being taken for content that was there before.
    await new Promise((res) => setTimeout(res, 2000));
    fs.appendFileSync(quiet, 'INFO quiet one\n');
    // A checkpoint that counted quiet.log's write was made after the holder's open was applied.
    await waitFor('a checkpoint with quiet.log counted', () => saved()?.inodes.some((f) => f.path === '/quiet.log' && f.writtenTo === 15) ?? false);

    let daemon = daemonPid(m);
    process.kill(daemon, 'SIGKILL');
    // The engine starts the next daemon a second later: these land while none is attached.
    holder.proc.stdin!.write('WARN held one\n');
    fs.appendFileSync(made, 'ERROR made while no daemon looked\n');
    fs.appendFileSync(quiet, 'INFO quiet two\n');
    await waitFor('the holder to write', () => fs.readFileSync(held, 'utf8') === 'WARN held one\n');
    const killedAt = Date.now();
    daemon = await newDaemon(m, daemon);

    const expectExact = async (when: string) => {
      let seen: unknown = null;
      await waitFor(`every line counted ${when}`, () => {
        const st = stats(m);
        seen = ['/held.log', '/quiet.log', '/made.log'].map((p) => [p, fileStats(st, p)?.lines, fileStats(st, p)?.bytes]);
        return fileStats(st, '/held.log')?.lines === 1 && fileStats(st, '/made.log')?.lines === 1 && fileStats(st, '/quiet.log')?.lines === 2;
      }).catch((err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(seen)}`);
      });
      const st = stats(m);
      for (const f of [held, quiet, made]) expect([f, fileStats(st, f.slice(m.dir.length))!.bytes]).toEqual([f, fs.statSync(f).size]);
      expect(fileStats(st, '/held.log')!.levels.warn).toBe(1);
      expect(fileStats(st, '/made.log')!.levels.error).toBe(1);
      expect(st.totals.bytes).toBe(fs.statSync(held).size + fs.statSync(quiet).size + fs.statSync(made).size);
      expect(st.totals.lines).toBe(4);
    };
    await expectExact('after the first takeover');

    // Once more: what the second daemon caught up with is in its checkpoint, and is not counted again.
    await waitFor('a checkpoint of the second daemon', () => {
      const cp = saved();
      return cp !== null && cp.atWallMs > killedAt && cp.inodes.some((f) => f.path === '/made.log');
    });
    process.kill(daemon, 'SIGKILL');
    await newDaemon(m, daemon);
    await waitFor('the third daemon to resume', () => stats(m).totals.gap.resumes === 2);
    await expectExact('after the second takeover');
    holder.proc.stdin!.end();
    await holder.exited;
  }, 120_000);
  test('while no daemon is attached: stats and list say so, unmount refuses and names the writer, mount attaches at once, unmount --force goes', async () => {
    const m = await startMount({ engine: 'native' });
    const engine = m.enginePid()!;
    const file = join(m.dir, 'held.log');
    fs.appendFileSync(file, 'INFO before\n');
    // A program that keeps its log open, as daemons do: the shell opens it, sleep inherits it.
    const holder = children.start('sh', ['-c', 'exec 3>>"$0"; exec sleep 600', file]);
    await waitFor('the holder to open its log', () => {
      try {
        return fs.readlinkSync(`/proc/${holder.proc.pid}/fd/3`) === file;
      } catch {
        return false;
      }
    });

    // The engine waits 1 s, 2 s, 4 s, 8 s before it starts each next daemon: after the fourth
    // kill there are 8 s without one.
    let daemon = daemonPid(m);
    for (let kill = 0; kill < 3; kill++) {
      process.kill(daemon, 'SIGKILL');
      daemon = await newDaemon(m, daemon);
    }
    process.kill(daemon, 'SIGKILL');
    await noDaemonAttached(m);
    fs.appendFileSync(file, 'WARN while no daemon is attached\n');

    const human = cli(['stats', m.dir, '--run-dir', m.runDir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain(`no daemon is attached to the engine serving ${m.dir} (engine pid ${engine}`);
    const json = JSON.parse(cli(['stats', m.dir, '--json', '--run-dir', m.runDir]).stdout) as { engineProcess: { enginePid: number; daemonPid: number; nextStartMs: number; writes: number } };
    expect(json.engineProcess).toMatchObject({ enginePid: engine, daemonPid: 0 });
    expect(json.engineProcess.nextStartMs).toBeGreaterThan(0);
    expect(json.engineProcess.writes).toBeGreaterThanOrEqual(2);
    const listed = JSON.parse(cli(['list', '--json', '--run-dir', m.runDir]).stdout) as { mounts: Array<{ mountpoint: string; state: string; enginePid: number; message: string }> };
    expect(listed.mounts.find((x) => x.mountpoint === m.dir)).toMatchObject({ state: 'detached', enginePid: engine });

    // Unmounting under a program that writes there would fail its next write: refused, named.
    const refused = cli(['unmount', m.dir, '--run-dir', m.runDir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^logshadow: ${m.dir} is in use: sleep \\(pid ${holder.proc.pid}\\) holds files open there`));
    expect(fs.readFileSync(file, 'utf8')).toBe('INFO before\nWARN while no daemon is attached\n');

    // logshadow mount attaches a daemon at once, well before the engine would have.
    const t0 = Date.now();
    const again = cli(['mount', m.dir, '--run-dir', m.runDir, '--engine', 'native', '--background']);
    expect(again.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(json.engineProcess.nextStartMs);
    expect(m.enginePid()).toBe(engine);
    let seen: unknown = null;
    await waitFor('the new daemon to count both lines', () => {
      const st = stats(m);
      seen = { file: fileStats(st, '/held.log'), totals: st.totals };
      return fileStats(st, '/held.log')?.lines === 2;
    }).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(seen)}`);
    });
    // Daemons killed before their first tick took nothing over: the next resumed from the last
    // that did (the first checkpoints as it starts).
    expect(stats(m).totals.gap.resumes).toBeGreaterThanOrEqual(1);
    expect(stats(m).totals.gap.resumes).toBeLessThanOrEqual(4);

    const forced = cli(['unmount', m.dir, '--run-dir', m.runDir, '--force']);
    expect(forced.status).toBe(0);
    const fuseMounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(` ${m.dir} `) && l.includes(' - fuse.logshadow '));
    expect(fuseMounts).toEqual([]);
    // the logs stay in the tmpfs beneath
    expect(fs.readFileSync(file, 'utf8')).toBe('INFO before\nWARN while no daemon is attached\n');
    expect(await endedWithin(engine, 5000)).toBe(true);
  }, 120_000);
  test('unmount while no daemon is attached: the engine makes the final unmount itself, and the command exits 0 once it has ended', async () => {
    const m = await startMount({ engine: 'native' });
    const engine = m.enginePid()!;
    fs.appendFileSync(join(m.dir, 'a.log'), 'INFO kept\n');
    // the second kill leaves 2 s without a daemon
    const first = daemonPid(m);
    process.kill(first, 'SIGKILL');
    process.kill(await newDaemon(m, first), 'SIGKILL');
    await noDaemonAttached(m);
    const r = cli(['unmount', m.dir, '--run-dir', m.runDir]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toBe(`logshadow: ${m.dir} unmounted by its engine (no daemon was attached)\n`);
    expect(await endedWithin(engine, 1000)).toBe(true);
    expect(fs.readdirSync(m.runDir).filter((f) => !f.endsWith('.log'))).toEqual([]);
    expect(fs.readFileSync(join(m.dir, 'a.log'), 'utf8')).toBe('INFO kept\n');
  }, 60_000);
});
