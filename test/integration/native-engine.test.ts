/**
 * The native engine against real mounts: each suite shadows a fresh tmpfs in place with the
 * engine running in a child process (test/helpers/native-engine-fixture.ts), and drives the mount
 * from this process and from further child processes (sh, node, python3, fio, setpriv).
 *
 * Needs root, /dev/fuse and `npm run build:native`. With LOGSHADOW_ASAN_PRELOAD set to libasan's
 * path the fixtures run the AddressSanitizer build instead (native/asan-test.sh).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import type { FileEvent, OpenEvent } from '../../src/engine/engine';

type OpenFileEvent = FileEvent & OpenEvent;
import { NativeEngine } from '../../src/engine/native/native-engine';
import { Children, EngineFixture, exited, mountsAt, run, sleep, type Snapshot } from '../helpers/engine-fixture';

const available = NativeEngine.available();
const canMount = process.getuid?.() === 0 && fs.existsSync('/dev/fuse');
const mountSuite = available.ok && canMount ? describe : describe.skip;

const { O_WRONLY, O_CREAT, O_APPEND } = fs.constants;
const O_ACCMODE = 3;
const S_ISGID = 0o2000;

test('the engine addon loads (npm run build:native)', () => {
  expect(available).toEqual({ ok: true });
});

function isOpen(p: string): (e: FileEvent) => e is OpenFileEvent {
  return (e): e is OpenFileEvent => e.kind === 'open' && e.path === p;
}

async function settled(fx: EngineFixture): Promise<Snapshot> {
  // the fixture drains every 20 ms; a write is in the ring before its write(2) returns
  for (let i = 0; i < 200; i++) {
    const s = await fx.snapshot(Number.MAX_SAFE_INTEGER);
    if (s.records.count + s.counters.ringDropped === s.counters.writes) return s;
    await sleep(25);
  }
  throw new Error('the ring did not settle');
}

/** A node program in a child process: the test process only ever drives the mount. */
function nodeChild(children: Children, script: string, ...args: string[]) {
  return children.spawn(process.execPath, ['-e', script, ...args]);
}

async function finished(child: ReturnType<typeof nodeChild>, timeoutMs = 120_000): Promise<string> {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const code = await exited(child, timeoutMs);
  if (code !== 0) throw new Error(`child exited with ${code}: ${out}`);
  return out;
}

const python = (code: string, ...args: string[]) => run('python3', ['-c', code, ...args]);

mountSuite('native engine, writethrough', () => {
  let fx: EngineFixture;
  const children = new Children();
  const at = (...p: string[]) => path.join(fx.dir, ...p);

  beforeAll(async () => {
    fx = await EngineFixture.start({
      tmpfsSize: '256m',
      xattr: true,
      seed: { 'before.log': 'written before the mount\n' },
    });
  });

  afterAll(async () => {
    let ended;
    try {
      await children.endAll();
    } finally {
      ended = await fx?.stop();
    }
    expect(mountsAt(fx.dir)).toEqual([]);
    expect(ended).toEqual({ code: 0, signal: null });
  });

  test('shadows the tmpfs in place as fuse.logshadow', () => {
    expect(mountsAt(fx.dir)).toEqual(['tmpfs', 'fuse.logshadow']);
    expect(fs.readFileSync(at('before.log'), 'utf8')).toBe('written before the mount\n');
    expect(fx.mounted.maxWrite).toBeGreaterThanOrEqual(128 * 1024);
    expect(fx.mounted.writeback).toBe(false);
  });

  test('write and read round trip, the bytes landing in the backing file', () => {
    const data = crypto.randomBytes((3 << 20) + 123);
    fs.writeFileSync(at('roundtrip.bin'), data);
    expect(fs.readFileSync(at('roundtrip.bin')).equals(data)).toBe(true);
    expect(fs.readFileSync(path.join(fx.backingPath, 'roundtrip.bin')).equals(data)).toBe(true);
  });

  test('one ring record per write: count == writes, sum of lengths == bytes written', async () => {
    const before = await settled(fx);
    const child = nodeChild(
      children,
      `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'w'); let total = 0;
       for (let i = 0; i < 1000; i++) { const n = 1 + (i * 37) % 4000; fs.writeSync(fd, Buffer.alloc(n, 'x')); total += n; }
       fs.closeSync(fd); console.log(total);`,
      at('records.bin'),
    );
    const pid = child.pid;
    const total = Number(await finished(child));
    const after = await settled(fx);
    const open = (await fx.snapshot(before.eventCount)).events.find(isOpen('/records.bin'));
    expect(open?.pid).toBe(pid);
    // direct I/O in writethrough: one request, so one record, per write(2)
    expect(after.counters.writes - before.counters.writes).toBe(1000);
    expect(after.records.count - before.records.count).toBe(1000);
    expect(after.counters.bytesWritten - before.counters.bytesWritten).toBe(total);
    expect(after.records.bytes - before.records.bytes).toBe(total);
    expect(after.records.byHandle[String(open?.handle)]).toBe(total);
    expect(after.records.pids).toContain(pid);
    expect(after.counters.ringDropped).toBe(0);
    // the open event precedes the handle's records in the ring, the release follows them
    const [first, last] = after.records.spanByHandle[String(open?.handle)];
    const release = (await fx.snapshot(before.eventCount)).events.find(
      (e) => e.kind === 'release' && e.handle === open?.handle,
    );
    expect(open!.ringPos).toBeLessThanOrEqual(first);
    expect(release!.ringPos).toBeGreaterThan(last);
    expect(last - first).toBe(999);
    expect(after.counters.ops.write).toBe(after.counters.writes + after.counters.errors.write);
  });

  test('file events: open (pid, flags, the size at the open, a working readFd), release, rename, truncate, unlink', async () => {
    const from = (await fx.snapshot(Number.MAX_SAFE_INTEGER)).eventCount;
    fs.mkdirSync(at('sub'));
    const fd = fs.openSync(at('sub', 'events.log'), 'w');
    fs.writeSync(fd, 'first line\n');
    const open = await fx.waitForEvent(from, isOpen('/sub/events.log'));
    expect(open.pid).toBe(process.pid);
    expect(open.created).toBe(true);
    expect(open.size).toBe(0);
    expect(open.flags & O_ACCMODE).toBe(O_WRONLY);
    expect(open.flags & O_CREAT).toBe(O_CREAT);
    expect(open.readFd).toBeGreaterThanOrEqual(0);
    expect(await fx.readBack(open.handle)).toBe('first line\n');
    fs.closeSync(fd);
    await fx.waitForEvent(from, (e): e is FileEvent => e.kind === 'release' && e.handle === open.handle);

    fs.renameSync(at('sub', 'events.log'), at('events-1.log'));
    fs.truncateSync(at('events-1.log'), 5);
    const fd2 = fs.openSync(at('events-1.log'), 'a');
    fs.ftruncateSync(fd2, 2);
    fs.closeSync(fd2);
    fs.unlinkSync(at('events-1.log'));
    // truncateSync opens the file too: the append open is the one with O_APPEND
    const reopen = await fx.waitForEvent(
      from,
      (e): e is OpenFileEvent => isOpen('/events-1.log')(e) && (e.flags & O_APPEND) === O_APPEND,
    );
    expect(reopen.created).toBe(false);
    // as the open found it, before its own truncation to 2 and whatever the profiler measures later
    expect(reopen.size).toBe(5);
    expect(reopen.handle).toBeGreaterThan(open.handle);
    await fx.waitForEvent(from, (e): e is FileEvent => e.kind === 'unlink');
    const kinds = (await fx.snapshot(from)).events
      .filter((e) => e.kind !== 'open' && e.kind !== 'release')
      .map(({ ringPos, ...e }) => (expect(ringPos).toBeGreaterThan(0), JSON.stringify(e)));
    expect(kinds).toEqual([
      JSON.stringify({ kind: 'rename', from: '/sub/events.log', to: '/events-1.log' }),
      JSON.stringify({ kind: 'truncate', path: '/events-1.log', size: 5 }),
      JSON.stringify({ kind: 'truncate', path: '/events-1.log', size: 2 }),
      JSON.stringify({ kind: 'unlink', path: '/events-1.log' }),
    ]);
  });

  test('a punch asked for past an end of file that has grown since never zeroes what was appended', async () => {
    // The allocator measures the end, then asks; an open-append-close writer may append between.
    const from = (await fx.snapshot(Number.MAX_SAFE_INTEGER)).eventCount;
    const name = 'grown-then-punched.log';
    const line = (i: number) => `line ${String(i).padStart(4, '0')} ${'x'.repeat(60)}\n`;
    fs.writeFileSync(at(name), line(0));
    const open = await fx.waitForEvent(from, isOpen(`/${name}`));
    let content = line(0);
    for (let i = 1; content.length < 6000; i++) {
      fs.appendFileSync(at(name), line(i));
      content += line(i);
    }
    // a reservation past the end, as the allocator makes
    const backing = path.join(fx.backingPath, name);
    expect(run('fallocate', ['-n', '-o', '8192', '-l', '16384', backing]).status).toBe(0);
    expect(fs.statSync(backing).blocks * 512).toBeGreaterThanOrEqual(8192 + 16384);
    // asked as if the file still ended in its first page: from 4096 on (retried while the last
    // append's release is on its way)
    const busy = -os.constants.errno.EBUSY;
    let rc = busy;
    for (let i = 0; i < 100 && rc === busy; i++) {
      rc = await fx.punchIfIdle(open.handle, name, 4096, 20480);
      if (rc === busy) await sleep(20);
    }
    expect(rc).toBe(0);
    expect(fs.readFileSync(at(name), 'utf8')).toBe(content);
    expect(fs.statSync(backing).blocks * 512).toBeLessThanOrEqual(8192);
  });

  test('a consumer that stops draining does not get more than 1024 descriptors queued', async () => {
    const from = (await fx.snapshot(Number.MAX_SAFE_INTEGER)).eventCount;
    await fx.request('pauseDrain');
    try {
      fs.mkdirSync(at('undrained'));
      for (let i = 0; i < 1100; i++) fs.writeFileSync(at('undrained', `f${i}`), 'x');
    } finally {
      await fx.request('resumeDrain');
    }
    const opens = (await fx.snapshot(from)).events.filter((e): e is OpenFileEvent => e.kind === 'open');
    expect(opens).toHaveLength(1100);
    expect(opens.filter((e) => e.readFd >= 0)).toHaveLength(1024);
    expect(opens.slice(1024).every((e) => e.readFd === -1)).toBe(true);
  });

  test('O_APPEND from 8 processes x 10,000 lines: every line present and whole', async () => {
    const file = at('append.log');
    const before = await settled(fx);
    const writers = Array.from({ length: 8 }, (_, p) =>
      nodeChild(
        children,
        `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a'); const p = process.argv[2];
         for (let i = 0; i < 10000; i++) fs.writeSync(fd, p + ':' + i + ':' + 'x'.repeat(20 + (i % 50)) + '\\n');
         fs.closeSync(fd);`,
        file,
        String(p),
      ),
    );
    await Promise.all(writers.map((w) => finished(w)));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(80_000);
    const seen = Array.from({ length: 8 }, () => new Set<number>());
    for (const line of lines) {
      const m = /^(\d):(\d+):(x+)$/.exec(line);
      expect(m).not.toBeNull();
      const [, p, i, xs] = m!;
      expect(xs.length).toBe(20 + (Number(i) % 50));
      seen[Number(p)].add(Number(i));
    }
    for (const s of seen) expect(s.size).toBe(10_000);
    const after = await settled(fx);
    expect(after.counters.writes - before.counters.writes).toBe(80_000);
    expect(after.records.count - before.records.count).toBe(80_000);
    const positions = (await fx.snapshot(before.eventCount)).events.map((e) => e.ringPos);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(after.records.bytes - before.records.bytes).toBe(fs.statSync(file).size);
  });

  test('unlink while open: fstat, write and read go on through the handle', () => {
    const file = at('unlinked.log');
    const fd = fs.openSync(file, 'w+');
    try {
      fs.writeSync(fd, 'before unlink\n');
      fs.unlinkSync(file);
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.readdirSync(fx.dir)).not.toContain('unlinked.log');
      let st = fs.fstatSync(fd);
      expect(st.nlink).toBe(0);
      expect(st.size).toBe(14);
      fs.writeSync(fd, 'after unlink\n');
      st = fs.fstatSync(fd);
      expect(st.size).toBe(27);
      const buf = Buffer.alloc(64);
      const n = fs.readSync(fd, buf, 0, 64, 0);
      expect(buf.toString('utf8', 0, n)).toBe('before unlink\nafter unlink\n');
    } finally {
      fs.closeSync(fd);
    }
  });

  test('rename over an existing file, RENAME_NOREPLACE and RENAME_EXCHANGE', () => {
    fs.writeFileSync(at('a'), 'A');
    fs.writeFileSync(at('b'), 'B');
    fs.renameSync(at('a'), at('b'));
    expect(fs.existsSync(at('a'))).toBe(false);
    expect(fs.readFileSync(at('b'), 'utf8')).toBe('A');

    const renameat2 = `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), int(sys.argv[3]))
print(0 if r == 0 else ctypes.get_errno())`;
    fs.writeFileSync(at('c'), 'C');
    expect(python(renameat2, at('c'), at('b'), '1').stdout.trim()).toBe(String(17)); // NOREPLACE: EEXIST
    expect(fs.readFileSync(at('b'), 'utf8')).toBe('A');
    expect(python(renameat2, at('c'), at('b'), '2').stdout.trim()).toBe('0'); // EXCHANGE
    expect(fs.readFileSync(at('b'), 'utf8')).toBe('C');
    expect(fs.readFileSync(at('c'), 'utf8')).toBe('A');
    expect(python(renameat2, at('c'), at('d'), '1').stdout.trim()).toBe('0');
    expect(fs.readFileSync(at('d'), 'utf8')).toBe('A');
  });

  test('a symlink in the backing directory pointing outside is never followed by the daemon', () => {
    const outside = path.join(fx.base, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    const target = path.join(outside, 'target');
    fs.writeFileSync(target, 'precious\n', { mode: 0o644 });
    fs.chmodSync(target, 0o644);
    fs.utimesSync(target, 500_000, 500_000);
    fs.symlinkSync(target, path.join(fx.backingPath, 'evil'));
    const link = at('evil');
    const targetBefore = fs.statSync(target);

    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe(target);
    expect(run('chown', ['-h', '65534:65534', link]).status).toBe(0);
    expect(fs.lstatSync(link).uid).toBe(65534);
    expect(run('touch', ['-h', '-d', '@1000000', link]).status).toBe(0);
    expect(fs.lstatSync(link).mtimeMs).toBe(1_000_000_000);
    const chmodNoFollow = python(
      `import os, sys
try:
    os.chmod(sys.argv[1], 0o600, follow_symlinks=False); print('changed')
except OSError as e: print(e.errno)`,
      link,
    );
    expect(chmodNoFollow.stdout.trim()).not.toBe('changed');
    expect(() => fs.openSync(link, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)).toThrow(/ELOOP/);
    fs.linkSync(link, at('evil-hardlink'));
    expect(fs.lstatSync(at('evil-hardlink')).isSymbolicLink()).toBe(true);
    fs.renameSync(link, at('evil-renamed'));
    fs.unlinkSync(at('evil-renamed'));
    fs.unlinkSync(at('evil-hardlink'));

    const targetAfter = fs.statSync(target);
    expect(targetAfter.uid).toBe(targetBefore.uid);
    expect(targetAfter.gid).toBe(targetBefore.gid);
    expect(targetAfter.mode).toBe(targetBefore.mode);
    expect(targetAfter.mtimeMs).toBe(targetBefore.mtimeMs);
    expect(targetAfter.nlink).toBe(1);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
  });

  test("objects are created with the caller's uid and gid, and its umask, not the daemon's", () => {
    const shared = at('shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const asNobody = (script: string) =>
      run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', script]);
    const made = asNobody(`umask 002 && cd ${shared} && echo hi > file && mkdir dir && mkfifo fifo && ln -s file link`);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    for (const name of ['file', 'dir', 'fifo', 'link']) {
      const st = fs.lstatSync(path.join(shared, name));
      expect([name, st.uid, st.gid]).toEqual([name, 65534, 65534]);
      const backing = fs.lstatSync(path.join(fx.backingPath, 'shared', name));
      expect([name, backing.uid, backing.gid]).toEqual([name, 65534, 65534]);
    }
    // the fixture runs with umask 022: 664 and 775 show the caller's 002 was the one applied
    expect(fs.statSync(path.join(shared, 'file')).mode & 0o7777).toBe(0o664);
    expect(fs.statSync(path.join(shared, 'dir')).mode & 0o7777).toBe(0o775);
    expect(fs.lstatSync(path.join(shared, 'fifo')).isFIFO()).toBe(true);

    const sgid = at('sgid');
    fs.mkdirSync(sgid);
    fs.chownSync(sgid, 0, 4242);
    fs.chmodSync(sgid, 0o2777);
    expect(asNobody(`cd ${sgid} && echo x > f && mkdir d`).status).toBe(0);
    const f = fs.statSync(path.join(sgid, 'f'));
    const d = fs.statSync(path.join(sgid, 'd'));
    expect([f.uid, f.gid]).toEqual([65534, 4242]);
    expect([d.uid, d.gid]).toEqual([65534, 4242]);
    expect(d.mode & S_ISGID).toBe(S_ISGID);

    fs.writeFileSync(at('root-made'), 'x');
    const r = fs.statSync(at('root-made'));
    expect([r.uid, r.gid]).toEqual([0, process.getgid?.()]);
  });

  test('a write by a non-root caller clears set-id bits as on tmpfs, despite direct I/O', () => {
    const file = at('setid');
    const modeAfter = (mode: number, script: string) => {
      fs.writeFileSync(file, 'x\n');
      fs.chmodSync(file, mode);
      const r = run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', script]);
      expect(r.stderr).toBe('');
      return (fs.statSync(file).mode & 0o7777).toString(8);
    };
    expect(modeAfter(0o6777, `echo y >> ${file}`)).toBe('777');
    expect(modeAfter(0o6767, `echo y >> ${file}`)).toBe('767'); // not in the file's group
    expect(modeAfter(0o6777, `echo y > ${file}`)).toBe('777'); // O_TRUNC
    fs.chmodSync(file, 0o6777);
    fs.appendFileSync(file, 'root keeps them\n');
    expect((fs.statSync(file).mode & 0o7777).toString(8)).toBe('6777');
    // A file the caller creates set-uid is no write to an existing file: O_TRUNC keeps its bits.
    fs.mkdirSync(at('open-dir'), { mode: 0o1777 });
    fs.chmodSync(at('open-dir'), 0o1777);
    const mine = at('open-dir', 'mine');
    const made = run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e',
      'const fs = require("fs"); fs.closeSync(fs.openSync(process.argv[1], "w", 0o4755))', mine]);
    expect(made.stderr).toBe('');
    expect((fs.statSync(mine).mode & 0o7777).toString(8)).toBe('4755');
  });

  test('errors pass through with their own errno', () => {
    expect(() => fs.readFileSync(at('missing'))).toThrow(/ENOENT/);
    fs.mkdirSync(at('full'));
    fs.writeFileSync(at('full', 'x'), 'x');
    expect(() => fs.mkdirSync(at('full'))).toThrow(/EEXIST/);
    expect(() => fs.rmdirSync(at('full'))).toThrow(/ENOTEMPTY/);
    expect(() => fs.openSync(at('full', 'x'), 'wx')).toThrow(/EEXIST/);
    expect(() => fs.readdirSync(at('full', 'x'))).toThrow(/ENOTDIR/);
    const xattr = python(
      `import os, sys
try: os.getxattr(sys.argv[1], 'user.absent')
except OSError as e: print(e.errno)`,
      at('full', 'x'),
    );
    expect(xattr.stdout.trim()).toBe('61'); // ENODATA
  });

  test('statfs reports the backing tmpfs', () => {
    const fields = '%S %b %f %a %c %d %l';
    const viaMount = run('stat', ['-f', '-c', fields, fx.dir]);
    const viaTmpfs = run('stat', ['-f', '-c', fields, fx.backingPath]);
    expect(viaMount.status).toBe(0);
    expect(viaMount.stdout).toBe(viaTmpfs.stdout);
  });

  test('fallocate passes through (allocate, KEEP_SIZE, punch hole, SEEK_HOLE/SEEK_DATA)', () => {
    const file = at('falloc.bin');
    const MiB = 1 << 20;
    expect(run('fallocate', ['-l', String(4 * MiB), file]).status).toBe(0);
    let st = fs.statSync(file);
    expect(st.size).toBe(4 * MiB);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(4 * MiB);
    expect(run('fallocate', ['-n', '-o', String(4 * MiB), '-l', String(4 * MiB), file]).status).toBe(0);
    st = fs.statSync(file);
    expect(st.size).toBe(4 * MiB);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(8 * MiB);
    // tmpfs counts fallocated pages that were never written as holes: write data first
    expect(run('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=4', 'conv=notrunc']).status).toBe(0);
    expect(run('fallocate', ['-p', '-o', '0', '-l', String(MiB), file]).status).toBe(0);
    st = fs.statSync(file);
    expect(st.size).toBe(4 * MiB);
    expect(st.blocks * 512).toBeLessThanOrEqual(7 * MiB);
    const seek = (p: string) =>
      python(
        `import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
print(os.lseek(fd, 0, os.SEEK_HOLE), os.lseek(fd, 0, os.SEEK_DATA))`,
        p,
      ).stdout.trim();
    expect(seek(file)).toBe(`0 ${MiB}`);
    expect(seek(path.join(fx.backingPath, 'falloc.bin'))).toBe(`0 ${MiB}`);
  });

  test('fio --verify=crc32c with 1 MiB blocks, written in pieces of at least 128 KiB', async () => {
    const before = await settled(fx);
    const fio = run('fio', [
      '--name=verify',
      `--filename=${at('fio.dat')}`,
      '--rw=write',
      '--bs=1M',
      '--size=64M',
      '--ioengine=sync',
      '--verify=crc32c',
      '--do_verify=1',
    ]);
    expect(fio.status).toBe(0);
    expect(fio.stdout).not.toMatch(/verify: bad|crc32c: verify failed/);
    const after = await settled(fx);
    const writes = after.counters.writes - before.counters.writes;
    const bytes = after.counters.bytesWritten - before.counters.bytesWritten;
    expect(bytes).toBe(64 << 20);
    expect(bytes / writes).toBeGreaterThanOrEqual(128 * 1024);
    expect(after.counters.largestWrite).toBeGreaterThanOrEqual(128 * 1024);
  });

  test('xattrs, fifos, hard links, utimens with UTIME_NOW and UTIME_OMIT, large directories', () => {
    const file = at('meta');
    fs.writeFileSync(file, 'm');
    const xattrs = python(
      `import os, sys
p = sys.argv[1]
os.setxattr(p, 'user.logshadow', b'v1')
print(os.getxattr(p, 'user.logshadow').decode(), 'user.logshadow' in os.listxattr(p))
os.removexattr(p, 'user.logshadow')
print('user.logshadow' in os.listxattr(p))`,
      file,
    );
    expect(xattrs.stdout).toBe('v1 True\nFalse\n');

    expect(run('mkfifo', [at('pipe')]).status).toBe(0);
    expect(fs.lstatSync(at('pipe')).isFIFO()).toBe(true);
    fs.linkSync(file, at('meta-link'));
    expect(fs.statSync(file).nlink).toBe(2);
    expect(fs.statSync(at('meta-link')).ino).toBe(fs.statSync(file).ino);

    fs.utimesSync(file, 1000, 2000);
    expect(run('touch', ['-m', '-d', '@3000', file]).status).toBe(0);
    let st = fs.statSync(file);
    expect([st.atimeMs, st.mtimeMs]).toEqual([1_000_000, 3_000_000]);
    expect(run('touch', ['-a', file]).status).toBe(0);
    st = fs.statSync(file);
    expect(Math.abs(st.atimeMs - Date.now())).toBeLessThan(60_000);
    expect(st.mtimeMs).toBe(3_000_000);

    fs.mkdirSync(at('many'));
    const names = Array.from({ length: 600 }, (_, i) => `entry-with-a-longish-name-${String(i).padStart(4, '0')}.log`);
    for (const n of names) fs.writeFileSync(at('many', n), '');
    expect(fs.readdirSync(at('many')).sort()).toEqual(names);
  });
});

mountSuite('native engine, writeback cache', () => {
  let fx: EngineFixture;
  const children = new Children();
  const at = (...p: string[]) => path.join(fx.dir, ...p);

  beforeAll(async () => {
    fx = await EngineFixture.start({ cache: 'writeback', tmpfsSize: '64m' });
  });

  afterAll(async () => {
    let ended;
    try {
      await children.endAll();
    } finally {
      ended = await fx?.stop();
    }
    expect(mountsAt(fx.dir)).toEqual([]);
    expect(ended).toEqual({ code: 0, signal: null });
  });

  test('without the xattr option, xattr calls fail with EOPNOTSUPP', () => {
    expect(fx.mounted.xattr).toBe(false);
    fs.writeFileSync(at('plain.log'), 'a\n');
    fs.appendFileSync(at('plain.log'), 'b\n');
    const r = python(
      `import os, sys
for f in (lambda: os.getxattr(sys.argv[1], 'user.x'), lambda: os.setxattr(sys.argv[1], 'user.x', b'1')):
    try: f(); print('ok')
    except OSError as e: print(e.errno)`,
      at('plain.log'),
    );
    expect(r.stdout).toBe('95\n95\n'); // EOPNOTSUPP
  });

  test('the kernel caches writes, appends stay whole, and the records carry what reached the file', async () => {
    expect(fx.mounted.writeback).toBe(true);
    const data = crypto.randomBytes((1 << 20) + 17);
    fs.writeFileSync(at('wb.bin'), data);
    expect(fs.readFileSync(at('wb.bin')).equals(data)).toBe(true);

    const file = at('append.log');
    const writers = Array.from({ length: 4 }, (_, p) =>
      nodeChild(
        children,
        `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a');
         for (let i = 0; i < 5000; i++) fs.writeSync(fd, process.argv[2] + ':' + i + '\\n');
         fs.closeSync(fd);`,
        file,
        String(p),
      ),
    );
    await Promise.all(writers.map((w) => finished(w)));
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(20_000);
    expect(new Set(lines).size).toBe(20_000);
    expect(fs.readFileSync(path.join(fx.backingPath, 'append.log'), 'utf8').trimEnd().split('\n')).toHaveLength(20_000);

    const s = await settled(fx);
    expect(s.records.count).toBe(s.counters.writes);
    expect(s.records.bytes).toBe(s.counters.bytesWritten);
    // coalesced by the kernel: fewer, larger writes than the 20,000 write(2) calls
    expect(s.counters.writes).toBeLessThan(20_000);
    expect(s.records.bytes).toBeGreaterThanOrEqual(data.length + fs.statSync(file).size);
  });
});

mountSuite('native engine on a full tmpfs', () => {
  let fx: EngineFixture;
  const at = (...p: string[]) => path.join(fx.dir, ...p);

  beforeAll(async () => {
    fx = await EngineFixture.start({ tmpfsSize: '1m' });
  });

  afterAll(async () => {
    const ended = await fx?.stop();
    expect(mountsAt(fx.dir)).toEqual([]);
    expect(ended).toEqual({ code: 0, signal: null });
  });

  test('ENOSPC reaches the writer and the engine keeps serving', async () => {
    const from = (await fx.snapshot(Number.MAX_SAFE_INTEGER)).eventCount;
    const dd = run('dd', ['if=/dev/zero', `of=${at('big')}`, 'bs=64k', 'count=64']);
    expect(dd.status).not.toBe(0);
    expect(dd.stderr).toMatch(/No space left on device/);
    const s = await fx.snapshot(Number.MAX_SAFE_INTEGER);
    expect(s.counters.errors.write).toBeGreaterThan(0);
    // The fixture, like the profiler, holds a read descriptor to big until it sees the release
    // (which FUSE sends after dd's close returns): until then unlinking big frees no space.
    const open = await fx.waitForEvent(from, isOpen('/big'));
    await fx.waitForEvent(from, (e): e is FileEvent => e.kind === 'release' && e.handle === open.handle);
    fs.unlinkSync(at('big'));
    fs.writeFileSync(at('small.log'), 'still serving\n');
    expect(fs.readFileSync(at('small.log'), 'utf8')).toBe('still serving\n');
    const res = await fx.unmount();
    expect(res.result).toEqual({ wasMounted: true, lazy: false, stopped: true, error: null, unsyncedLeft: 0 });
  });
});

mountSuite('native engine, files that are gone', () => {
  let fx: EngineFixture;
  const at = (...p: string[]) => path.join(fx.dir, ...p);
  const inoOf = (p: string) => `:${fs.statSync(at(p)).ino}`;
  const goneOnes = async () => (await fx.snapshot(Number.MAX_SAFE_INTEGER)).gone;
  const free = () => fs.statfsSync(fx.dir).bfree;
  /** Writes a file and waits for its release (FUSE sends it after close returns). */
  const written = async (name: string, content: string, flag = 'w') => {
    const from = (await fx.snapshot(Number.MAX_SAFE_INTEGER)).eventCount;
    fs.writeFileSync(at(name), content, { flag });
    const open = await fx.waitForEvent(from, isOpen(`/${name}`));
    await fx.waitForEvent(from, (e): e is FileEvent => e.kind === 'release' && e.handle === open.handle);
    return open.handle;
  };

  beforeAll(async () => {
    fx = await EngineFixture.start({ tmpfsSize: '4m' });
  });

  afterAll(async () => {
    const ended = await fx?.stop();
    expect(mountsAt(fx.dir)).toEqual([]);
    expect(ended).toEqual({ code: 0, signal: null });
  });

  test('the consumer is asked before the unlink returns, and the space is free then; an open file only once its last handle goes', async () => {
    const empty = free();
    await written('closed.log', 'x'.repeat(1 << 20));
    const closed = inoOf('closed.log');
    expect(free()).toBeLessThan(empty - 200);
    fs.unlinkSync(at('closed.log'));
    expect(free()).toBe(empty);
    expect((await goneOnes()).filter((g) => g.endsWith(closed))).toHaveLength(1);

    // Still open: unlinking lets nothing go; the last close does (FUSE releases asynchronously).
    const fd = fs.openSync(at('open.log'), 'a');
    fs.writeSync(fd, 'y'.repeat(1 << 20));
    const open = inoOf('open.log');
    fs.unlinkSync(at('open.log'));
    expect((await goneOnes()).some((g) => g.endsWith(open))).toBe(false);
    expect(free()).toBeLessThan(empty - 200);
    fs.closeSync(fd);
    for (let i = 0; i < 100 && !(await goneOnes()).some((g) => g.endsWith(open)); i++) await sleep(20);
    expect((await goneOnes()).filter((g) => g.endsWith(open))).toHaveLength(1);
    expect(free()).toBe(empty);
  });

  test('once the consumer says it holds nothing on a file, removing it asks nothing, until the file is opened again', async () => {
    const empty = free();
    const first = await written('done.log', 'd'.repeat(1 << 19));
    const second = await written('done.log', 'e'.repeat(1 << 19), 'a');
    const done = inoOf('done.log');
    await fx.consumerDone(first); // stale: the file was opened again since
    fs.unlinkSync(at('done.log'));
    expect((await goneOnes()).filter((g) => g.endsWith(done))).toHaveLength(1);

    const third = await written('done2.log', 'f'.repeat(1 << 19));
    const done2 = inoOf('done2.log');
    await fx.consumerDone(third);
    fs.unlinkSync(at('done2.log'));
    expect((await goneOnes()).some((g) => g.endsWith(done2))).toBe(false);
    // The engine let go of its own descriptor all the same.
    expect(free()).toBe(empty);
    expect(second).toBeGreaterThan(first);
  });

  test('a rename over a file lets it go; a file with another name left does not go', async () => {
    const empty = free();
    await written('old.log', 'z'.repeat(1 << 20));
    await written('new.log', 'fresh\n');
    const old = inoOf('old.log');
    fs.renameSync(at('new.log'), at('old.log'));
    expect((await goneOnes()).filter((g) => g.endsWith(old))).toHaveLength(1);
    expect(fs.readFileSync(at('old.log'), 'utf8')).toBe('fresh\n');

    await written('linked.log', 'l'.repeat(1 << 20));
    const linked = inoOf('linked.log');
    fs.linkSync(at('linked.log'), at('second-name.log'));
    fs.unlinkSync(at('linked.log'));
    expect((await goneOnes()).some((g) => g.endsWith(linked))).toBe(false);
    expect(fs.readFileSync(at('second-name.log'), 'utf8')).toHaveLength(1 << 20);
    fs.unlinkSync(at('second-name.log'));
    expect((await goneOnes()).filter((g) => g.endsWith(linked))).toHaveLength(1);
    fs.unlinkSync(at('old.log'));
    expect(free()).toBe(empty);
    // And the engine goes on serving.
    fs.writeFileSync(at('after.log'), 'still serving\n');
    expect(fs.readFileSync(at('after.log'), 'utf8')).toBe('still serving\n');
  });
});

mountSuite('native engine unmounting', () => {
  let fx: EngineFixture;
  const children = new Children();

  afterEach(async () => {
    let ended;
    try {
      await children.endAll();
    } finally {
      ended = await fx?.stop();
    }
    expect(mountsAt(fx.dir)).toEqual([]);
    expect(ended).toEqual({ code: 0, signal: null });
  });

  test('unmount while 4 writers are writing: lazy, bounded, no crash, the tmpfs stays', async () => {
    fx = await EngineFixture.start({ tmpfsSize: '512m' });
    const writers = Array.from({ length: 4 }, (_, w) =>
      nodeChild(
        children,
        `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a'); let n = 0;
         try { for (;;) { fs.writeSync(fd, 'line ' + n++ + ' ' + 'y'.repeat(100) + '\\n'); if (n % 20000 === 0) fs.ftruncateSync(fd, 0); } }
         catch (e) { console.log(e.code, n); process.exit(0); }`,
        path.join(fx.dir, `writer-${w}.log`),
      ),
    );
    const outputs = writers.map((w) => finished(w, 30_000));
    await sleep(1000);
    for (let w = 0; w < 4; w++) expect(fs.statSync(path.join(fx.backingPath, `writer-${w}.log`)).size).toBeGreaterThan(0);

    const t0 = Date.now();
    const res = await fx.unmount();
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(res.result).toEqual({ wasMounted: true, lazy: true, stopped: true, error: null, unsyncedLeft: 0 });
    expect(await fx.request('ping')).toBe('pong');
    expect(mountsAt(fx.dir)).toEqual(['tmpfs']);

    // the writers see the connection end (ENOTCONN) instead of hanging
    for (const out of await Promise.all(outputs)) expect(out).toMatch(/^(ENOTCONN|ECONNABORTED|EIO) \d+/);
    const again = await fx.unmount();
    expect(again.result).toEqual(res.result);
    const s = await fx.snapshot();
    expect(s.records.count).toBe(s.counters.writes);
    // handles the kernel never released are closed by the teardown and reported
    const opens = s.events.filter((e) => e.kind === 'open').length;
    expect(s.events.filter((e) => e.kind === 'release').length).toBe(opens);
  });

  test('a create whose handle cannot be registered fails and leaves no file behind', async () => {
    const shim = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'logshadow-shim-')), 'no-handle-table.so');
    const cc = run('gcc', ['-shared', '-fPIC', '-O2', '-o', shim, path.resolve(__dirname, '../fixtures/no-handle-table.c'), '-ldl']);
    expect(cc.stderr).toBe('');
    try {
      fx = await EngineFixture.start({ preload: shim });
      const r = run(process.execPath, ['-e', 'try { require("fs").writeFileSync(process.argv[1], "x") } catch (e) { process.stdout.write(e.code) }', path.join(fx.dir, 'new.log')]);
      expect(r.stdout).toBe('ENOMEM');
      expect(fs.readdirSync(fx.backingPath)).toEqual([]);
    } finally {
      fs.rmSync(path.dirname(shim), { recursive: true });
    }
  });

  test('an idle unmount is immediate and not lazy; a second one reports the same', async () => {
    fx = await EngineFixture.start();
    fs.writeFileSync(path.join(fx.dir, 'x.log'), 'x\n');
    const res = await fx.unmount();
    expect(res.result).toEqual({ wasMounted: true, lazy: false, stopped: true, error: null, unsyncedLeft: 0 });
    expect((await fx.unmount()).result).toEqual(res.result);
    expect(fs.readFileSync(path.join(fx.dir, 'x.log'), 'utf8')).toBe('x\n');
  });

  test('unmounted from outside: the loop ends by itself and unmount does not touch the tmpfs', async () => {
    fx = await EngineFixture.start();
    expect(run('umount', [fx.dir]).status).toBe(0);
    const res = await fx.unmount();
    expect(res.result).toEqual({ wasMounted: false, lazy: false, stopped: true, error: null, unsyncedLeft: 0 });
    expect(mountsAt(fx.dir)).toEqual(['tmpfs']);
  });

  test('unmounted from outside: what the consumer says after the engine tore its table down is ignored, not a crash', async () => {
    fx = await EngineFixture.start();
    const from = (await fx.snapshot(Number.MAX_SAFE_INTEGER)).eventCount;
    fs.writeFileSync(path.join(fx.dir, 'late.log'), 'late\n');
    const open = await fx.waitForEvent(from, isOpen('/late.log'));
    expect(run('umount', [fx.dir]).status).toBe(0);
    // The loop notices the connection's end by itself and frees its node table.
    for (let i = 0; i < 100 && (await fx.snapshot(from)).events.every((e) => e.kind !== 'release'); i++) await sleep(20);
    await sleep(200);
    expect(await fx.consumerDone(open.handle)).toBe('done');
    expect(await fx.consumerDone(open.handle)).toBe('done');
    expect((await fx.unmount()).result).toMatchObject({ wasMounted: false, stopped: true });
  });
});

mountSuite('native engine mount refusal', () => {
  test("a mount libfuse refuses throws with libfuse's own reason", () => {
    const script = `
      const { NativeEngine } = require(${JSON.stringify(path.resolve(__dirname, '../../src/engine/native/native-engine.ts'))});
      const fs = require('fs');
      const fd = fs.openSync('/', 'r');
      const engineProcess = { socketPath: require('os').tmpdir() + '/logshadow-refused.sock', pidFile: null, ramDir: null, daemonCommand: null, daemonLog: null };
      const e = new NativeEngine({ mountpoint: '/nonexistent/logshadow', backingFd: fd, backingPath: '/', cache: 'writethrough', maxWrite: 1 << 20, ringCapacity: 1024, debug: false, process: engineProcess });
      e.mount().then(() => { console.log('mounted'); return e.unmount(); }, (err) => console.log(err.code + ': ' + err.message));`;
    const r = run(process.execPath, ['-r', path.resolve(__dirname, '../helpers/ts-register.js'), '-e', script]);
    expect(r.stdout.trim()).toBe(
      'LS_MOUNT_FAILED: cannot mount /nonexistent/logshadow: libfuse refused the mount: ' +
        'fuse: failed to access mountpoint /nonexistent/logshadow: No such file or directory',
    );
    expect(r.stderr).toBe('');
  });
});
