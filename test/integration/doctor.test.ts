import * as fs from 'node:fs';
import { join } from 'node:path';
import { CLI, cli, sh } from '../helpers/cli';
import type { DoctorReport } from '../../src/doctor/doctor';
import { readMounts } from '../../src/util/mountinfo';
import { makeScratch } from '../helpers/scratch';

/**
 * `logshadow doctor` on this machine (where a mount works), and with one requirement taken away
 * at a time: inside a private mount namespace a regular file is bind-mounted over /dev/fuse, the
 * libfuse 2 library or the native engine addon, so only that child process sees the gap.
 */
const IDS = ['dev-fuse', 'privileges', 'libfuse2', 'libfuse3', 'native-engine', 'alloc-addon', 'unmount-helper', 'tmpfs', 'node', 'dead-mounts'];

function hidden(target: string, replacement: string, args: string): ReturnType<typeof sh> {
  return sh(`unshare --mount --propagation private sh -c "mount --bind '${replacement}' '${target}' && exec '${process.execPath}' '${CLI}' doctor ${args}"`);
}

function report(stdout: string): DoctorReport {
  return JSON.parse(stdout) as DoctorReport;
}

function check(r: DoctorReport, id: string) {
  const c = r.checks.find((x) => x.id === id);
  expect(c).toBeDefined();
  return c!;
}

/** The one stderr line a failing doctor ends with. */
function expectNotReadyLine(stderr: string, title: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toBe(`logshadow: not ready to mount: ${title} (see the fixes above)`);
}

describe('logshadow doctor', () => {
  let scratch: string;
  let emptyFile: string;
  let garbageFile: string;
  beforeAll(() => {
    scratch = makeScratch();
    emptyFile = join(scratch, 'empty');
    fs.writeFileSync(emptyFile, '');
    garbageFile = join(scratch, 'garbage.node');
    fs.writeFileSync(garbageFile, 'not an ELF object\n');
  });
  afterAll(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('here every required check passes: exit 0, one line per check, ready', () => {
    const r = cli(['doctor']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^ready to mount \(engine auto\)/);
    for (const title of ['/dev/fuse', 'root and CAP_SYS_ADMIN', 'libfuse 2', 'libfuse 3', 'unmount helper', 'tmpfs', 'Node.js']) {
      expect(lines.some((l) => /^ok +/.test(l) && l.includes(title))).toBe(true);
    }
    expect(r.stdout).not.toMatch(/^FAIL/m);
  });

  test('a trial tmpfs that will not unmount is reported, never passed off as unmounted', () => {
    const bin = join(scratch, 'failing-umount');
    fs.mkdirSync(bin);
    fs.writeFileSync(join(bin, 'umount'), '#!/bin/sh\necho "umount: target is busy." >&2\nexit 32\n', { mode: 0o755 });
    const r = sh(`PATH='${bin}':"$PATH" '${process.execPath}' '${CLI}' doctor --json`);
    const trial = readMounts().filter((m) => m.source === 'logshadow-doctor');
    for (const m of trial) sh(`umount '${m.mountpoint}' && rmdir '${m.mountpoint}'`);
    expect(trial).toHaveLength(1);
    const tmpfs = check(report(r.stdout), 'tmpfs');
    expect(tmpfs.status).toBe('fail');
    expect(tmpfs.detail).toBe(`a 1 MiB tmpfs mounts, but does not unmount (umount: target is busy.): it is still mounted at ${trial[0].mountpoint}`);
    expect(tmpfs.fix).toBe(`umount ${trial[0].mountpoint}`);
  });

  test('--json: every check, none failed, the tmpfs mount trial really ran and left nothing', () => {
    const r = cli(['doctor', '--json']);
    expect(r.status).toBe(0);
    const rep = report(r.stdout);
    expect(rep.schema).toBe('logshadow.doctor/1');
    expect(rep.ready).toBe(true);
    expect(rep.checks.map((c) => c.id)).toEqual(IDS);
    for (const id of ['dev-fuse', 'privileges', 'libfuse2', 'libfuse3', 'unmount-helper', 'tmpfs', 'node']) {
      expect(check(rep, id).status).toBe('ok');
      expect(check(rep, id).fix).toBeNull();
    }
    for (const c of rep.checks) if (c.status !== 'ok') expect(c.fix).toMatch(/\S/);
    expect(check(rep, 'tmpfs').detail).toMatch(/a 1 MiB tmpfs mounts and unmounts/);
    expect(readMounts().filter((m) => m.source === 'logshadow-doctor')).toEqual([]);
    expect(fs.readdirSync('/tmp').filter((n) => n.startsWith('logshadow-doctor-'))).toEqual([]);
    expect(check(report(cli(['doctor', '--json', '--no-mount-probe']).stdout), 'tmpfs').detail).toMatch(/mount trial skipped/);
  });

  test('/dev/fuse hidden (a regular file bound over it): that check fails with its fix, exit 3', () => {
    const r = hidden('/dev/fuse', emptyFile, '');
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^FAIL +\/dev\/fuse +\/dev\/fuse is not a character device \(a regular file\)\n +fix: modprobe fuse; in a container: docker run --device \/dev\/fuse --cap-add SYS_ADMIN\n/);
    expect(r.stdout).toMatch(/^not ready to mount \(engine auto\): \/dev\/fuse$/m);
    expectNotReadyLine(r.stderr, '/dev/fuse');
    const j = hidden('/dev/fuse', emptyFile, '--json');
    expect(j.status).toBe(3);
    const rep = report(j.stdout);
    expect(rep.ready).toBe(false);
    expect(rep.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['dev-fuse']);
    expect(check(rep, 'dev-fuse').fix).toContain('modprobe fuse');
  });

  test('libfuse.so.2 unloadable: fails for --engine fuse-native; with auto only the native engine can save it', () => {
    const lib = fs.realpathSync('/usr/lib/x86_64-linux-gnu/libfuse.so.2');
    const r = hidden(lib, emptyFile, '--engine fuse-native');
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^FAIL +libfuse 2 \(fuse-native engine\) +fuse-native's binding does not load: .*libfuse\.so\.2.*\n +fix: apt-get install libfuse2\n/m);
    expectNotReadyLine(r.stderr, 'libfuse 2 (fuse-native engine)');

    const auto = hidden(lib, emptyFile, '--json');
    const rep = report(auto.stdout);
    const nativeUsable = check(rep, 'native-engine').status === 'ok';
    expect(check(rep, 'libfuse2').status).toBe(nativeUsable ? 'warn' : 'fail');
    expect(auto.status).toBe(nativeUsable ? 0 : 3);
  });

  test('the native engine addon unloadable: a warning, and a failure when --engine native is asked for', () => {
    const addon = join(__dirname, '../../native/build/Release/logshadow_engine.node');
    const built = fs.existsSync(addon);
    const run = (args: string) => (built ? hidden(addon, garbageFile, args) : cli(['doctor', ...args.split(' ').filter(Boolean)]));
    const auto = report(run('--json').stdout);
    expect(check(auto, 'native-engine').status).toBe('warn');
    expect(check(auto, 'native-engine').detail).toMatch(built ? /^built but does not load: / : /^not built/);
    expect(check(auto, 'native-engine').fix).toMatch(/^npm run build:native/);
    const native = run('--engine native');
    expect(native.status).toBe(3);
    expect(native.stdout).toMatch(/^FAIL +native engine addon +/m);
    expectNotReadyLine(native.stderr, 'native engine addon');
  });

  test('root without CAP_SYS_ADMIN, and not root at all: the privileges check fails with its fix', () => {
    const noCap = sh(`setpriv --bounding-set -sys_admin --inh-caps -sys_admin '${process.execPath}' '${CLI}' doctor --json`);
    expect(noCap.status).toBe(3);
    const a = report(noCap.stdout);
    expect(check(a, 'privileges')).toMatchObject({ status: 'fail', fix: 'in a container: docker run --device /dev/fuse --cap-add SYS_ADMIN' });
    expect(check(a, 'privileges').detail).toMatch(/CAP_SYS_ADMIN absent/);
    expect(check(a, 'tmpfs').detail).toMatch(/mount trial skipped/);

    const nobody = sh(`setpriv --reuid=65534 --regid=65534 --clear-groups '${process.execPath}' '${CLI}' doctor --json`);
    expect(nobody.status).toBe(3);
    const b = report(nobody.stdout);
    expect(check(b, 'privileges')).toMatchObject({ status: 'fail', fix: 'run logshadow as root (sudo logshadow ...)' });
    expect(check(b, 'unmount-helper').detail).toMatch(/fusermount3?$/);
  });

  test('bad --engine is a usage error; --help has examples', () => {
    const bad = cli(['doctor', '--engine', 'turbo']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('logshadow: --engine: "turbo" is not one of auto, native, fuse-native');
    const help = cli(['doctor', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}logshadow doctor/);
  });
});
