import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, sh, shOk } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';

/**
 * The operations loggers, logrotate, shells and editors use, each checked against the backing
 * tmpfs's own behaviour. The test process does not serve the mount (a child does), so it may use
 * the mount directly; the daemon reaches the backing files through the directory it shadows.
 */
/** Every engine RAM-only and tiered (names on disk, tails in RAM). */
const MODES: [string, 'ram-only' | 'tiered'][] = testEngines().flatMap((e): [string, 'ram-only' | 'tiered'][] => [[e, 'ram-only'], [e, 'tiered']]);

describe.each(MODES)('POSIX passthrough (%s engine, %s)', (engine, mode) => {
  let m: MountHandle;

  beforeAll(async () => {
    m = await startMount({ engine, tiered: mode === 'tiered' });
  });
  afterAll(stopAllMounts);

  test('create, write, read back, append, stat', () => {
    const f = join(m.dir, 'a.log');
    fs.writeFileSync(f, 'one\n');
    fs.appendFileSync(f, 'two\n');
    expect(fs.readFileSync(f, 'utf8')).toBe('one\ntwo\n');
    expect(fs.statSync(f).size).toBe(8);
    expect(fs.statSync(f).isFile()).toBe(true);
  });

  test('deep directory trees, names with spaces and non-ASCII characters', () => {
    const deep = join(m.dir, 'a', 'b c', 'ré', '日志', 'e'.repeat(200));
    fs.mkdirSync(deep, { recursive: true });
    const f = join(deep, 'naïve file ✓.log');
    fs.writeFileSync(f, 'deep\n');
    expect(fs.readFileSync(f, 'utf8')).toBe('deep\n');
    expect(fs.readdirSync(join(m.dir, 'a', 'b c'))).toEqual(['ré']);
    expect(shOk(`find '${m.dir}/a' -type f | wc -l`).trim()).toBe('1');
    fs.rmSync(join(m.dir, 'a'), { recursive: true });
    expect(fs.existsSync(join(m.dir, 'a'))).toBe(false);
  });

  test('rmdir of a non-empty directory fails with ENOTEMPTY, mkdir over a file with EEXIST', () => {
    fs.mkdirSync(join(m.dir, 'full'));
    fs.writeFileSync(join(m.dir, 'full', 'x'), 'x');
    expect(() => fs.rmdirSync(join(m.dir, 'full'))).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    expect(() => fs.mkdirSync(join(m.dir, 'full', 'x'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => fs.readFileSync(join(m.dir, 'nope'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    fs.rmSync(join(m.dir, 'full'), { recursive: true });
  });

  test('rename over an open file: the writer keeps writing into the renamed file', () => {
    const live = join(m.dir, 'live.log');
    const old = join(m.dir, 'old.log');
    fs.writeFileSync(old, 'old contents\n');
    const fd = fs.openSync(live, 'a');
    fs.writeSync(fd, 'before\n');
    fs.renameSync(old, live); // replaces the open file's name
    fs.writeSync(fd, 'after\n');
    fs.closeSync(fd);
    expect(fs.readFileSync(live, 'utf8')).toBe('old contents\n');
    expect(fs.existsSync(old)).toBe(false);
  });

  test('unlink while open: the descriptor still reads, writes and stats; the name is gone', async () => {
    const f = join(m.dir, 'doomed.log');
    const fd = fs.openSync(f, 'w+');
    fs.writeSync(fd, 'still here\n');
    fs.unlinkSync(f);
    expect(fs.existsSync(f)).toBe(false);
    fs.writeSync(fd, 'and more\n');
    expect(fs.fstatSync(fd).size).toBe(20);
    const buf = Buffer.alloc(64);
    const n = fs.readSync(fd, buf, 0, 64, 0);
    expect(buf.subarray(0, n).toString()).toBe('still here\nand more\n');
    fs.closeSync(fd);
    // libfuse 2 keeps an open unlinked file as .fuse_hidden*; none may outlive the descriptor.
    // The kernel sends RELEASE after close(2) returns, so allow it a moment to arrive.
    const hidden = () => fs.readdirSync(m.dir).filter((n2) => n2.startsWith('.fuse_hidden'));
    for (let i = 0; i < 100 && hidden().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(hidden()).toEqual([]);
  });

  test('truncate while writing, and ftruncate', () => {
    const f = join(m.dir, 'trunc.log');
    const fd = fs.openSync(f, 'a');
    fs.writeSync(fd, 'x'.repeat(1000));
    fs.truncateSync(f, 10);
    expect(fs.statSync(f).size).toBe(10);
    fs.writeSync(fd, 'yy'); // O_APPEND: lands at the new end
    expect(fs.readFileSync(f, 'utf8')).toBe('x'.repeat(10) + 'yy');
    fs.ftruncateSync(fd, 0);
    expect(fs.statSync(f).size).toBe(0);
    fs.closeSync(fd);
    shOk(`truncate -s 5 '${f}'`);
    expect(fs.statSync(f).size).toBe(5);
  });

  test('hard links, symlinks and readlink', () => {
    const f = join(m.dir, 'target.log');
    fs.writeFileSync(f, 'T');
    fs.linkSync(f, join(m.dir, 'hard.log'));
    expect(fs.statSync(f).nlink).toBe(2);
    fs.symlinkSync('target.log', join(m.dir, 'soft.log'));
    expect(fs.readlinkSync(join(m.dir, 'soft.log'))).toBe('target.log');
    expect(fs.lstatSync(join(m.dir, 'soft.log')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(join(m.dir, 'soft.log'), 'utf8')).toBe('T');
  });

  test('the daemon never follows a symlink in the backing directory on the caller\'s behalf', () => {
    const outside = join(m.scratch, 'outside.txt');
    fs.writeFileSync(outside, 'secret');
    fs.chmodSync(outside, 0o600);
    fs.symlinkSync(outside, join(m.dir, 'escape'));
    // chown -h and touch -h act on the link itself; the outside file must not change.
    shOk(`chown -h 65534:65534 '${m.dir}/escape'`);
    const st = fs.statSync(outside);
    expect(st.uid).toBe(0);
    expect(st.mode & 0o777).toBe(0o600);
    expect(fs.lstatSync(join(m.dir, 'escape')).uid).toBe(65534);
    expect(fs.readFileSync(outside, 'utf8')).toBe('secret');
  });

  test('chmod, chown and utimens reach the backing file', () => {
    const f = join(m.dir, 'meta.log');
    fs.writeFileSync(f, '');
    fs.chmodSync(f, 0o640);
    fs.chownSync(f, 65534, 65534);
    const st = fs.statSync(f);
    expect(st.mode & 0o777).toBe(0o640);
    expect([st.uid, st.gid]).toEqual([65534, 65534]);
    const when = new Date('2024-01-02T03:04:05Z');
    fs.utimesSync(f, when, when);
    expect(fs.statSync(f).mtime.getTime()).toBe(when.getTime());
  });

  test('statfs through the mount equals the directory it shadows (the tmpfs, or a tiered mount\'s disk side)', () => {
    const through = fs.statfsSync(m.dir);
    // The daemon's descriptor of the directory it shadows reaches what is underneath.
    const fdDir = `/proc/${m.proc.pid}/fd`;
    const backingFd = fs.readdirSync(fdDir).find((n) => fs.readlinkSync(join(fdDir, n)) === m.dir);
    const backing = fs.statfsSync(join(fdDir, backingFd!));
    expect(through.type).not.toBe(0);
    expect(through.bsize).toBe(backing.bsize);
    expect(through.blocks).toBe(backing.blocks);
    // a disk side is shared with the rest of the machine: others may write there meanwhile
    expect(Math.abs(through.bfree - backing.bfree)).toBeLessThanOrEqual(mode === 'tiered' ? backing.blocks / 100 : 2);
    if (mode === 'ram-only') expect(through.blocks * through.bsize).toBe(64 * 1024 * 1024);
  });

  test('fsync and fdatasync succeed; read of a directory fails with EISDIR', () => {
    const fd = fs.openSync(join(m.dir, 'sync.log'), 'w');
    fs.writeSync(fd, 'x');
    fs.fsyncSync(fd);
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
    expect(() => fs.readFileSync(m.dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });

  test('open flags: O_EXCL on an existing file, O_TRUNC, O_RDONLY write refused', () => {
    const f = join(m.dir, 'flags.log');
    fs.writeFileSync(f, 'abc');
    expect(() => fs.openSync(f, 'wx')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    fs.writeFileSync(f, 'z'); // O_TRUNC
    expect(fs.readFileSync(f, 'utf8')).toBe('z');
    const fd = fs.openSync(f, 'r');
    expect(() => fs.writeSync(fd, 'no')).toThrow(expect.objectContaining({ code: 'EBADF' }));
    fs.closeSync(fd);
  });

  test('shell tools: sed -i, cp, mv, tail, an editor-style save', () => {
    const f = join(m.dir, 'edit.log');
    fs.writeFileSync(f, 'alpha\nbeta\n');
    shOk(`sed -i 's/beta/gamma/' '${f}'`);
    expect(fs.readFileSync(f, 'utf8')).toBe('alpha\ngamma\n');
    shOk(`cp '${f}' '${f}.bak' && mv '${f}.bak' '${m.dir}/moved.log'`);
    expect(shOk(`tail -n 1 '${m.dir}/moved.log'`)).toBe('gamma\n');
    const r = sh(`ls '${m.dir}'`);
    expect(r.stdout).toContain('moved.log');
  });

  test('a conformance run answers as a plain tmpfs does', async () => {
    const conformance = join(ROOT, 'test/fixtures/posix-conformance.js');
    const run = (cwd: string) => JSON.parse(shOk(`cd '${cwd}' && '${process.execPath}' '${conformance}'`)) as Record<string, unknown>;
    const reference = join(m.scratch, 'reference');
    fs.mkdirSync(reference);
    // The same kind of tmpfs as the one under the mount (nosuid, nodev).
    shOk(`mount -t tmpfs -o size=16m,nosuid,nodev logshadow-test-reference '${reference}'`);
    let expected: Record<string, unknown>;
    try {
      expected = run(reference);
    } finally {
      shOk(`umount '${reference}'`);
    }
    // At the root of a mount of its own: libfuse 2 hands fuse-native whole paths from the mount's
    // root, so there a path is bounded by PATH_MAX from the root (README, honest limits).
    const own = await startMount({ engine });
    const got = run(own.dir);
    await own.stop();
    // libfuse 2 calls utimens only when both times are set: setting one alone succeeds there and
    // changes nothing, before any JavaScript runs (README, honest limits).
    const libfuse2Drops = engine === 'fuse-native'
      ? ['touch -a -d sets atime only (mtime UTIME_OMIT)', 'touch -m -d sets mtime only (atime UTIME_OMIT)', 'touch -m: mtime now, atime kept', 'touch -a: atime now, mtime kept']
      : [];
    for (const name of libfuse2Drops) {
      expect(got[name]).not.toEqual(expected[name]);
      delete got[name];
      delete expected[name];
    }
    expect(got).toEqual(expected);
  });
});
