import * as fs from 'node:fs';
import { join } from 'node:path';
import { cli, sh, shOk, expectOneLineError } from '../helpers/cli';
import { startMount, stopAllMounts } from '../helpers/mount';
import { readMounts } from '../../src/util/mountinfo';
import { makeScratch } from '../helpers/scratch';

describe('bad input', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = makeScratch();
  });
  afterAll(async () => {
    await stopAllMounts();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  const nothingMountedUnder = () => expect(readMounts().filter((m) => m.mountpoint.startsWith(scratch))).toEqual([]);

  test('unknown option and unknown command', () => {
    expectOneLineError(cli(['mount', scratch, '--bogus']), 2, /unknown option '--bogus'/);
    expectOneLineError(cli(['frobnicate']), 2, /unknown command 'frobnicate'/);
    nothingMountedUnder();
  });

  test('missing directory', () => {
    expectOneLineError(cli(['mount', join(scratch, 'nope')]), 2, /does not exist: create it first/);
  });

  test('unknown engine, cache mode, bad size and duration', () => {
    fs.mkdirSync(join(scratch, 'd1'));
    expectOneLineError(cli(['mount', join(scratch, 'd1'), '--engine', 'turbo']), 2, /--engine: "turbo" is not one of auto, native, fuse-native/);
    expectOneLineError(cli(['mount', join(scratch, 'd1'), '--cache', 'maybe']), 2, /--cache: "maybe" is not one of writethrough, writeback/);
    expectOneLineError(cli(['mount', join(scratch, 'd1'), '--size', 'lots']), 2, /--size: "lots" is not a size/);
    expectOneLineError(cli(['mount', join(scratch, 'd1'), '--refresh', '-5']), 2, /--refresh/);
    nothingMountedUnder();
  });

  test('RAM only (--no-persist), a non-empty directory that is not on tmpfs is refused, untouched', () => {
    const d = join(scratch, 'full');
    fs.mkdirSync(d);
    fs.writeFileSync(join(d, 'old.log'), 'keep me');
    expectOneLineError(cli(['mount', d, '--no-persist']), 2, /is not empty and not on tmpfs/);
    nothingMountedUnder();
    expect(fs.readFileSync(join(d, 'old.log'), 'utf8')).toBe('keep me');
  });

  test('a --persist directory in RAM, inside the mount, beside --backing, or over a non-empty directory is refused', () => {
    const d = join(scratch, 'p1');
    fs.mkdirSync(join(d, 'inside'), { recursive: true });
    const ram = join(scratch, 'ramdisk');
    fs.mkdirSync(ram);
    shOk(`mount -t tmpfs -o size=1m test-tmpfs '${ram}'`);
    try {
      expectOneLineError(cli(['mount', join(d, 'inside'), '--persist', ram]), 2, /--persist .* is in RAM \(tmpfs or ramfs\)/);
    } finally {
      shOk(`umount '${ram}'`);
    }
    expectOneLineError(cli(['mount', d, '--persist', join(d, 'inside')]), 2, /--persist .* is inside the mount/);
    expectOneLineError(cli(['mount', join(d, 'inside'), '--persist', scratch, '--backing', ram]), 2, /--persist: does not go with --backing/);
    fs.writeFileSync(join(d, 'inside', 'old.log'), 'keep me');
    expectOneLineError(cli(['mount', join(d, 'inside'), '--persist', join(scratch, 'd1')]), 2, /is not empty and the mount would hide its files/);
    nothingMountedUnder();
  });

  test('a backing directory that does not exist', () => {
    fs.mkdirSync(join(scratch, 'd2'));
    expectOneLineError(cli(['mount', join(scratch, 'd2'), '--backing', join(scratch, 'missing')]), 2, /backing directory .* does not exist/);
    nothingMountedUnder();
  });

  test('--size past RAM plus swap is refused: a tmpfs can never grow that large', () => {
    fs.mkdirSync(join(scratch, 'd8'));
    expectOneLineError(cli(['mount', join(scratch, 'd8'), '--size', '999T']), 2, /--size: 999T is more than this machine's memory and swap \(\d+\.\dG\)/);
    nothingMountedUnder();
  });

  test('--backing must be a tmpfs no larger than RAM plus swap (exit 2); a right one works', async () => {
    const dir = join(scratch, 'd9');
    const disk = join(scratch, 'on-disk');
    fs.mkdirSync(dir);
    fs.mkdirSync(disk);
    expect(sh(`stat -f -c %T '${disk}'`).stdout.trim()).not.toBe('tmpfs');
    expectOneLineError(cli(['mount', dir, '--backing', disk]), 2, /the backing directory .*on-disk is not on tmpfs: logshadow keeps logs in RAM/);
    nothingMountedUnder();
    const huge = join(scratch, 'huge');
    fs.mkdirSync(huge);
    const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]);
    const swapKiB = Number(/^SwapTotal:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]);
    shOk(`mount -t tmpfs -o size=${2 * (memKiB + swapKiB)}k logshadow-test-huge '${huge}'`);
    try {
      expectOneLineError(cli(['mount', dir, '--backing', huge]), 2, /the tmpfs at .*huge is [\d.]+G, more than this machine's memory and swap/);
      expect(readMounts().filter((m) => m.mountpoint === dir)).toEqual([]);
    } finally {
      shOk(`umount '${huge}'`);
    }
    const ram = join(scratch, 'ram');
    fs.mkdirSync(ram);
    shOk(`mount -t tmpfs -o size=16m logshadow-test-ram '${ram}'`);
    try {
      const m = await startMount({ engine: 'fuse-native', args: ['--backing', ram], prepare: () => undefined });
      fs.writeFileSync(join(m.dir, 'kept.log'), 'in the backing tmpfs\n');
      expect(fs.readFileSync(join(ram, 'kept.log'), 'utf8')).toBe('in the backing tmpfs\n');
      await m.stop();
    } finally {
      shOk(`umount '${ram}'`);
    }
  });

  test('a directory that is already a logshadow mount', async () => {
    const m = await startMount({ engine: 'fuse-native' });
    expectOneLineError(cli(['mount', m.dir, '--run-dir', m.runDir]), 2, /already a logshadow mount \(daemon pid \d+\)/);
    expect(await m.ask('ping')).toMatchObject({ pong: true });
    await m.stop();
  });

  test('stats and unmount of a directory that is not a mount', () => {
    fs.mkdirSync(join(scratch, 'd3'));
    expectOneLineError(cli(['stats', join(scratch, 'd3')]), 4, /is not a logshadow mount/);
    expectOneLineError(cli(['unmount', join(scratch, 'd3')]), 4, /is not a logshadow mount/);
  });

  test('a run directory that cannot be made: nothing stays mounted, not even the tmpfs', () => {
    const d = join(scratch, 'd6');
    fs.mkdirSync(d);
    fs.writeFileSync(join(scratch, 'a-file'), '');
    expectOneLineError(cli(['mount', d, '--run-dir', join(scratch, 'a-file', 'run')]), 2, /cannot create the run directory/);
    nothingMountedUnder();
  });

  test('no root', () => {
    fs.mkdirSync(join(scratch, 'd4'));
    fs.chmodSync(scratch, 0o755);
    const r = sh(`setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} ${join(__dirname, '../../dist/cli/main.js')} mount ${join(scratch, 'd4')}`);
    expectOneLineError({ status: r.status, stderr: r.stderr }, 3, /needs root/);
    nothingMountedUnder();
  });

  test('no root: every command says it is a permission matter (exit 3), never an internal error', async () => {
    const m = await startMount({ engine: 'fuse-native' });
    fs.chmodSync(m.scratch, 0o755);
    const asNobody = (args: string) => sh(`setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} ${join(__dirname, '../../dist/cli/main.js')} ${args}`);
    fs.mkdirSync(join(scratch, 'd7'));
    fs.chmodSync(scratch, 0o755);
    expectOneLineError(asNobody(`mount ${join(scratch, 'd7')} --background`), 3, /needs root/);
    expectOneLineError(asNobody(`stats ${m.dir} --run-dir ${m.runDir}`), 3, /permission denied on .*: the daemon's control socket is root's only; run this as root/);
    expectOneLineError(asNobody(`shadow ${m.dir} --run-dir ${m.runDir}`), 3, /permission denied/);
    expectOneLineError(asNobody(`unmount ${m.dir} --run-dir ${m.runDir}`), 3, /permission denied/);
    const list = asNobody(`list --run-dir ${m.runDir}`);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/logs +denied /);
    expect(list.stdout).toMatch(/its daemon is root's: run logshadow list as root/);
    expect(list.stdout).toMatch(/is root's: run logshadow list as root to see every mount/);
    expect(JSON.parse(asNobody(`list --json --run-dir ${m.runDir}`).stdout)).toMatchObject({ runDirReadable: false });
    // Still mounted and served: nobody's unmount did not pull it away.
    expect(await m.ask('ping')).toMatchObject({ pong: true });
    await m.stop();
  });

  test('shadow: a file never written is a wrong --file (exit 2); --entries and --top take numbers', async () => {
    const m = await startMount({ engine: 'fuse-native' });
    fs.writeFileSync(join(m.dir, 'real.log'), 'one line\n');
    const base = [m.dir, '--run-dir', m.runDir];
    expectOneLineError(cli(['shadow', ...base, '--file', '/nope.log']), 2, /--file \/nope\.log: no file of that name has been written through this mount/);
    const real = cli(['shadow', ...base, '--file', 'real.log']);
    expect(real.status).toBe(0);
    expect(real.stdout).toMatch(/no forecast for \/real\.log yet/);
    expectOneLineError(cli(['shadow', ...base, '--entries', 'abc']), 2, /--entries: "abc" is not a positive integer/);
    expectOneLineError(cli(['shadow', ...base, '--top', '-3']), 2, /--top: "-3" is not a positive integer/);
    expectOneLineError(cli(['stats', ...base, '--top', 'many']), 2, /--top: "many" is not a whole number/);
    expectOneLineError(cli(['stats', ...base, '--top', '3', '--all']), 2, /--all and --top ask for different tables/);
    expectOneLineError(cli(['stats', ...base, '--file', '/nope.log']), 2, /--file \/nope\.log: no file of that name has been written through this mount/);
    expect(cli(['shadow', ...base, '--entries', '0']).status).toBe(0);
    await m.stop();
  });

  test('no /dev/fuse (hidden in a private mount namespace)', () => {
    fs.mkdirSync(join(scratch, 'd5'));
    fs.writeFileSync(join(scratch, 'not-a-device'), '');
    const r = sh(`unshare --mount --propagation private sh -c "mount --bind '${join(scratch, 'not-a-device')}' /dev/fuse && exec ${process.execPath} ${join(__dirname, '../../dist/cli/main.js')} mount '${join(scratch, 'd5')}'"`);
    expectOneLineError({ status: r.status, stderr: r.stderr }, 3, /no \/dev\/fuse/);
    nothingMountedUnder();
  });

  test('--help has examples for each command', () => {
    for (const c of ['mount', 'unmount', 'stats']) {
      const r = cli([c, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n {2}logshadow /);
    }
    shOk('true');
  });
});
