import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadNativeAlloc, type NativeAlloc } from '../../src/engine/native/alloc-addon';

const { EBADF, EINVAL, EOPNOTSUPP } = os.constants.errno;
const KiB = 1024;
const MiB = 1024 * KiB;

const load = loadNativeAlloc();

test('logshadow_alloc loads (npm run build:native)', () => {
  expect(load.ok ? 'loaded' : load.reason).toBe('loaded');
});

const suite = load.ok ? describe : describe.skip;

suite('logshadow_alloc on tmpfs', () => {
  const alloc = (load as { addon: NativeAlloc }).addon;
  let dir: string;
  let file: string;
  let fd: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'logshadow-alloc-'));
    file = path.join(dir, 'f');
    fd = fs.openSync(file, 'w+');
  });

  afterEach(() => {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('exports the kernel constants', () => {
    expect(alloc.constants).toMatchObject({
      FALLOC_FL_KEEP_SIZE: 1,
      FALLOC_FL_PUNCH_HOLE: 2,
      POSIX_FADV_NORMAL: 0,
      POSIX_FADV_WILLNEED: 3,
      POSIX_FADV_DONTNEED: 4,
    });
  });

  test('reserve allocates blocks and keeps the size', () => {
    expect(alloc.reserve(fd, 0, MiB)).toBe(0);
    const st = fs.fstatSync(fd);
    expect(st.size).toBe(0);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(MiB);
  });

  test('fallocate with mode 0 extends the file', () => {
    expect(alloc.fallocate(fd, 0, 0, 256 * KiB)).toBe(0);
    expect(fs.fstatSync(fd).size).toBe(256 * KiB);
    expect(alloc.fallocate(fd, alloc.constants.FALLOC_FL_KEEP_SIZE, 256 * KiB, 256 * KiB)).toBe(0);
    expect(fs.fstatSync(fd).size).toBe(256 * KiB);
  });

  test('punchHole frees blocks, keeps the size, and reads back zeros', () => {
    fs.writeSync(fd, Buffer.alloc(MiB, 0x61), 0, MiB, 0);
    const before = fs.fstatSync(fd).blocks;
    expect(alloc.punchHole(fd, 0, 512 * KiB)).toBe(0);
    const st = fs.fstatSync(fd);
    expect(st.size).toBe(MiB);
    expect(st.blocks).toBeLessThan(before);
    const buf = Buffer.alloc(16);
    fs.readSync(fd, buf, 0, 16, 0);
    expect(buf.equals(Buffer.alloc(16))).toBe(true);
  });

  test('offsets may be bigints', () => {
    expect(alloc.reserve(fd, 0n, 4096n)).toBe(0);
    expect(alloc.punchHole(fd, 0n, 4096n)).toBe(0);
  });

  test('fadvise returns 0 or -errno', () => {
    expect(alloc.fadvise(fd, 0, 0, alloc.constants.POSIX_FADV_DONTNEED)).toBe(0);
    expect(alloc.fadvise(fd, 0, 0, 12345)).toBe(-EINVAL);
  });

  test('failures come back as -errno, never as exceptions', () => {
    expect(alloc.reserve(-1, 0, 4096)).toBe(-EBADF);
    expect(alloc.fadvise(-1, 0, 0, 0)).toBe(-EBADF);
    expect(alloc.reserve(fd, -1, 4096)).toBe(-EINVAL);
    expect(alloc.reserve(fd, 0.5, 4096)).toBe(-EINVAL);
    expect(alloc.reserve(fd, 0, 0)).toBe(-EINVAL);
    expect(alloc.punchHole(fd, 0, -1n)).toBe(-EINVAL);
    expect(alloc.fallocate(fd, 0x40000000, 0, 4096)).toBe(-EOPNOTSUPP);
    const ro = fs.openSync(file, 'r');
    try {
      expect(alloc.reserve(ro, 0, 4096)).toBe(-EBADF);
    } finally {
      fs.closeSync(ro);
    }
  });

  test('openBeneath opens below the directory and never through a symlink or out of it', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'logshadow-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'secret'), 'root only\n');
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'sub', 'ok.log'), 'INFO fine\n');
      fs.symlinkSync(outside, path.join(dir, 'link'));
      fs.symlinkSync(path.join(outside, 'secret'), path.join(dir, 'last'));
      const dfd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      try {
        const ok = alloc.openBeneath(dfd, '/sub/ok.log');
        expect(ok).toBeGreaterThanOrEqual(0);
        expect(fs.readFileSync(ok, 'utf8')).toBe('INFO fine\n');
        fs.closeSync(ok);
        // A symlink in the middle, at the end, or a way out: refused, never opened.
        expect(alloc.openBeneath(dfd, '/link/secret')).toBe(-os.constants.errno.ELOOP);
        expect(alloc.openBeneath(dfd, '/last')).toBe(-os.constants.errno.ELOOP);
        expect(alloc.openBeneath(dfd, '/../' + path.basename(outside) + '/secret')).toBe(-os.constants.errno.EXDEV);
        expect(alloc.openBeneath(dfd, '/missing')).toBe(-os.constants.errno.ENOENT);
      } finally {
        fs.closeSync(dfd);
      }
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  test('arguments of the wrong type throw a TypeError', () => {
    const loose = alloc as unknown as Record<string, (...a: unknown[]) => number>;
    // the addon's TypeError comes from Node's realm, not jest's sandbox: compare by name
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return `${(err as Error).name} ${(err as { code?: string }).code}: ${(err as Error).message}`;
      }
      return 'nothing thrown';
    };
    expect(thrown(() => loose.reserve('3', 0, 4096))).toBe('TypeError ERR_INVALID_ARG_TYPE: fd must be a number');
    expect(thrown(() => loose.reserve(fd, '0', 4096))).toBe(
      'TypeError ERR_INVALID_ARG_TYPE: offset must be a number or a bigint',
    );
    expect(thrown(() => loose.fadvise(fd, 0, 0))).toBe('TypeError ERR_INVALID_ARG_TYPE: advice must be a number');
  });
});
