import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli, sh, shOk } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { forceCleanup, startMount, stopAllMounts } from '../helpers/mount';
import { readMounts } from '../../src/util/mountinfo';

const FIXTURES = join(ROOT, 'test/fixtures');

function mountsOn(dir: string) {
  return readMounts().filter((mm) => mm.mountpoint === dir);
}

describe.each(testEngines())('mount lifecycle and failure modes (%s engine)', (engine) => {
  afterEach(stopAllMounts);

  test('a full tmpfs gives the writer ENOSPC; the daemon keeps serving; other files are intact', async () => {
    const m = await startMount({ engine });
    const keep = join(m.dir, 'keep.log');
    fs.writeFileSync(keep, 'precious\n'.repeat(1000));
    const dd = sh(`dd if=/dev/zero of='${m.dir}/runaway.log' bs=1M count=100`);
    expect(dd.status).not.toBe(0);
    expect(dd.stderr).toMatch(/No space left on device/);
    expect(fs.readFileSync(keep, 'utf8')).toBe('precious\n'.repeat(1000));
    expect(await m.ask('ping')).toMatchObject({ pong: true });
    fs.unlinkSync(join(m.dir, 'runaway.log'));
    fs.appendFileSync(keep, 'after\n');
    expect(fs.readFileSync(keep, 'utf8').endsWith('precious\nafter\n')).toBe(true);
  });

  test('kill -9 of the process that serves the mount, during writes: every acknowledged write is in the file; the next mount recovers the stale mountpoint', async () => {
    const m = await startMount({ engine });
    // The native engine's process serves the mount (its daemon only watches); fuse-native's
    // daemon serves it itself.
    const holder = m.holderPid();
    const file = join(m.dir, 'acked.log');
    const writer = spawn(process.execPath, [join(FIXTURES, 'acked-writer.js'), file, '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    writer.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const writerDone = new Promise((r) => writer.on('exit', r));
    await new Promise((r) => setTimeout(r, 700));
    process.kill(holder, 'SIGKILL');
    await writerDone;
    const acked = out.split('\n').filter(Boolean).map(Number);
    expect(acked.length).toBeGreaterThan(100);
    // The kernel mount is left behind, its daemon gone: "Transport endpoint is not connected".
    expect(sh(`stat '${m.dir}'`).stderr).toMatch(/Transport endpoint is not connected/);

    // Mounting again recovers the stale mountpoint and shows the same tmpfs, logs intact.
    const again = cli(['mount', m.dir, '--engine', engine, '--run-dir', m.runDir, '--background']);
    expect(again.status).toBe(0);
    try {
      const text = fs.readFileSync(file, 'utf8');
      const present = new Set(text.split('\n').filter(Boolean).map((l) => Number(/^ack=(\d+) z{50}$/.exec(l)![1])));
      for (const a of acked) expect(present.has(a)).toBe(true);
    } finally {
      expect(cli(['unmount', m.dir, '--discard', '--run-dir', m.runDir]).status).toBe(0);
    }
    expect(mountsOn(m.dir)).toEqual([]);
  });

  test('a non-root user writes in a directory it owns and is refused where the modes say so', async () => {
    const m = await startMount({ engine });
    fs.chmodSync(m.scratch, 0o755);
    fs.mkdirSync(join(m.dir, 'mine'));
    fs.chownSync(join(m.dir, 'mine'), 65534, 65534);
    fs.mkdirSync(join(m.dir, 'rootonly'), { mode: 0o755 });
    fs.writeFileSync(join(m.dir, 'secret.log'), 'root only\n', { mode: 0o600 });
    const asNobody = (script: string) => sh(`setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '${script}'`);

    const ok = asNobody(`echo one >> ${m.dir}/mine/app.log && echo two >> ${m.dir}/mine/app.log && cat ${m.dir}/mine/app.log`);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('one\ntwo\n');
    expect(fs.statSync(join(m.dir, 'mine/app.log')).uid).toBe(65534);

    const refusedDir = asNobody(`echo x > ${m.dir}/rootonly/x.log`);
    expect(refusedDir.status).not.toBe(0);
    expect(refusedDir.stderr).toMatch(/Permission denied/);
    const refusedRead = asNobody(`cat ${m.dir}/secret.log`);
    expect(refusedRead.status).not.toBe(0);
    expect(refusedRead.stderr).toMatch(/Permission denied/);
    expect(fs.existsSync(join(m.dir, 'rootonly/x.log'))).toBe(false);
  });

  test('no user can make a set-uid file owned by root', async () => {
    const m = await startMount({ engine });
    fs.chmodSync(m.scratch, 0o755);
    fs.mkdirSync(join(m.dir, 'shared'), { mode: 0o1777 });
    fs.chmodSync(join(m.dir, 'shared'), 0o1777);
    const r = sh(`setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} -e 'require("fs").writeFileSync(process.argv[1], "#!/bin/sh\\n", { mode: 0o4755 })' '${m.dir}/shared/evil'`);
    expect(r.stderr).toBe('');
    const st = fs.statSync(join(m.dir, 'shared/evil'));
    expect(st.uid === 0 && (st.mode & 0o4000) !== 0).toBe(false);
  });

  test('the descriptor limit is raised at mount to the kernel\'s ceiling, or the log says why not', async () => {
    const m = await startMount({ engine });
    // the process holding the descriptors of the looked-up inodes: the native engine's, or fuse-native's daemon
    const limits = fs.readFileSync(`/proc/${m.holderPid()}/limits`, 'utf8');
    const [soft, hard] = /^Max open files\s+(\d+)\s+(\d+)/m.exec(limits)!.slice(1).map(Number);
    const ceiling = Number(fs.readFileSync('/proc/sys/fs/nr_open', 'utf8'));
    const capEff = BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(fs.readFileSync(`/proc/${m.proc.pid}/status`, 'utf8'))![1]}`);
    const mayRaise = (capEff & (1n << 24n)) !== 0n; // CAP_SYS_RESOURCE
    expect(soft).toBe(hard);
    if (mayRaise) expect(hard).toBe(ceiling);
    else expect(m.log()).toMatch(new RegExp(`the descriptor limit stays at ${soft}: raising it to the kernel's ceiling \\(${ceiling}\\) needs CAP_SYS_RESOURCE`));
    await m.stop();
  });

  test('a set-id file whose bits cannot be cleared is not written by a non-root user (the failure is acted on)', async () => {
    const m = await startMount({ engine });
    fs.chmodSync(m.scratch, 0o755);
    const file = join(m.dir, 'suid.log');
    fs.writeFileSync(file, 'x\n');
    fs.chmodSync(file, 0o4777);
    // Append-only on the backing file (reached underneath the mount through the daemon's own
    // descriptor): appends are allowed, a chmod is not.
    const fdDir = `/proc/${m.proc.pid}/fd`;
    const backing = join(fdDir, fs.readdirSync(fdDir).find((n) => fs.readlinkSync(join(fdDir, n)) === m.dir)!, 'suid.log');
    shOk(`chattr +a '${backing}'`);
    try {
      const append = `try { require("fs").appendFileSync(process.argv[1], "y\\n") } catch (e) { process.stdout.write(e.code) }`;
      const r = sh(`setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} -e '${append}' '${file}'`);
      expect(r.stdout).toBe('EPERM');
      expect(fs.readFileSync(file, 'utf8')).toBe('x\n');
      expect(fs.statSync(file).mode & 0o7777).toBe(0o4777);
    } finally {
      shOk(`chattr -a '${backing}'`);
    }
  });

  test('a directory already on tmpfs is shadowed in place: its files stay, and stay after unmount', async () => {
    const m = await startMount({
      engine,
      prepare: (dir) => {
        shOk(`mount -t tmpfs -o size=16m test-tmpfs '${dir}'`);
        fs.writeFileSync(join(dir, 'existing.log'), 'from before\n');
      },
    });
    expect(fs.readFileSync(join(m.dir, 'existing.log'), 'utf8')).toBe('from before\n');
    fs.appendFileSync(join(m.dir, 'existing.log'), 'through logshadow\n');
    expect(fs.statfsSync(m.dir).blocks * fs.statfsSync(m.dir).bsize).toBe(16 * 1024 * 1024);
    // --discard refuses a tmpfs logshadow did not create; the logs stay.
    const r = cli(['unmount', m.dir, '--discard', '--run-dir', m.runDir]);
    expect(r.stderr).toMatch(/not created by logshadow/);
    expect(mountsOn(m.dir).map((x) => x.fstype)).toEqual(['tmpfs']);
    expect(fs.readFileSync(join(m.dir, 'existing.log'), 'utf8')).toBe('from before\nthrough logshadow\n');
    forceCleanup(m.dir);
  });

  test('a restart never loses the logs; only unmount --discard removes the tmpfs logshadow made', async () => {
    const m = await startMount({ engine });
    fs.writeFileSync(join(m.dir, 'app.log'), 'first life\n');
    expect(cli(['unmount', m.dir, '--run-dir', m.runDir]).status).toBe(0);
    expect(mountsOn(m.dir).map((x) => [x.fstype, x.source])).toEqual([['tmpfs', 'logshadow-tmpfs']]);
    expect(fs.readFileSync(join(m.dir, 'app.log'), 'utf8')).toBe('first life\n');

    expect(cli(['mount', m.dir, '--engine', engine, '--run-dir', m.runDir, '--background']).status).toBe(0);
    // the daemon started in the background runs with V8 sized for memory (daemon/node-flags.ts)
    const pid = JSON.parse(cli(['stats', m.dir, '--json', '--top', '0', '--run-dir', m.runDir]).stdout).pid as number;
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--max-semi-space-size=2', '--optimize-for-size']));
    fs.appendFileSync(join(m.dir, 'app.log'), 'second life\n');
    expect(fs.readFileSync(join(m.dir, 'app.log'), 'utf8')).toBe('first life\nsecond life\n');
    const r = cli(['unmount', m.dir, '--discard', '--run-dir', m.runDir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/tmpfs discarded/);
    expect(mountsOn(m.dir)).toEqual([]);
    expect(fs.readdirSync(m.dir)).toEqual([]);
  });

  test('a mount removed behind the daemon\'s back (umount -l) makes the daemon leave, exit 0, and the tmpfs under it stays with every log', async () => {
    const m = await startMount({ engine });
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('');
    shOk(`for i in $(seq 0 99); do echo "line $i" >> '${m.dir}/app.log'; done`);
    const exited = new Promise<number | null>((r) => m.proc.on('exit', r));
    shOk(`umount --lazy '${m.dir}'`);
    expect(await exited).toBe(0);
    expect(m.log()).toMatch(/the mount went away/);
    // The daemon's teardown must not have unmounted what was left on top: the tmpfs with the logs.
    expect(mountsOn(m.dir).map((x) => [x.fstype, x.source])).toEqual([['tmpfs', 'logshadow-tmpfs']]);
    expect(fs.readFileSync(join(m.dir, 'app.log'), 'utf8')).toBe(lines);
    forceCleanup(m.dir);
  });

  test('SIGTERM unmounts cleanly, lazily when a file is still open, and exits 0', async () => {
    const m = await startMount({ engine });
    const holder = spawn('sh', ['-c', `exec 3>>'${m.dir}/held.log'; sleep 30`], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((r) => m.proc.on('exit', r));
    m.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(m.log()).toMatch(/unmounted/);
    holder.kill('SIGKILL');
    expect(mountsOn(m.dir).map((x) => x.fstype)).toEqual(['tmpfs']);
    forceCleanup(m.dir);
  });
});
