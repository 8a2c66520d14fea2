import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../../helpers/cli';
import { forceCleanup } from '../../helpers/mount';
import { LOGSHADOW_FSTYPE, topMountAt } from '../../../src/util/mountinfo';
import { Children, EXAMPLES, execArgv, fileStats, parseUnit, statsOf, systemdEscapePath, unitValues, waitFor } from './example-helpers';
import { makeScratch } from '../../helpers/scratch';

/**
 * mount-examples/systemd: the template unit and the nginx drop-in are checked by
 * systemd-analyze verify (it needs no running systemd), and the unit's own Exec lines, %f
 * expanded to a temporary directory, are run against the real CLI in the order systemd runs
 * them. logshadow is not installed in /usr/bin here, so that path is replaced by a wrapper that
 * runs this checkout's CLI.
 */
const UNIT = join(EXAMPLES, 'systemd/logshadow@.service');
const VAR_LOG_UNIT = join(EXAMPLES, 'systemd/logshadow-var-log.service');
const DROP_IN = join(EXAMPLES, 'systemd/nginx.service.d/logshadow.conf');
const INSTALLED = '/usr/bin/logshadow';

const split = (values: string[]) => values.flatMap((v) => v.split(/\s+/));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('mount-examples/systemd', () => {
  const children = new Children();
  let scratch: string;
  let wrapper: string;
  let unitText: string;

  beforeAll(() => {
    scratch = makeScratch();
    wrapper = join(scratch, 'bin', 'logshadow');
    fs.mkdirSync(join(scratch, 'bin'));
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`, { mode: 0o755 });
    unitText = fs.readFileSync(UNIT, 'utf8').split(INSTALLED).join(wrapper);
  });
  afterAll(async () => {
    try {
      await children.stopAll();
    } finally {
      forceCleanup(join(scratch, 'logs'));
      forceCleanup(join(scratch, 'varlog'));
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('the template unit has what a boot-time mount needs', () => {
    const unit = parseUnit(fs.readFileSync(UNIT, 'utf8'));
    // forking: the main process is the one that holds the mount (the native engine's), named by
    // the pid file the mount writes; the daemon beside it may die without the unit failing.
    expect(unitValues(unit, 'Service', 'Type')).toEqual(['forking']);
    expect(unitValues(unit, 'Service', 'PIDFile')).toEqual(['/run/logshadow/%i.pid']);
    expect(unitValues(unit, 'Service', 'ExecStart')).toEqual([`${INSTALLED} mount %f --background --pid-file /run/logshadow/%i.pid`]);
    expect(unitValues(unit, 'Service', 'ExecStop')).toEqual([`${INSTALLED} unmount %f --force`]);
    expect(unitValues(unit, 'Service', 'KillSignal')).toEqual(['SIGTERM']);
    expect(unitValues(unit, 'Unit', 'DefaultDependencies')).toEqual(['no']);
    expect(split(unitValues(unit, 'Unit', 'After'))).toEqual(expect.arrayContaining(['local-fs.target']));
    expect(split(unitValues(unit, 'Unit', 'Before'))).toEqual(expect.arrayContaining(['sysinit.target', 'shutdown.target']));
    expect(split(unitValues(unit, 'Install', 'WantedBy'))).toEqual(['sysinit.target']);
    // The drop-in names the instance for /var/log/nginx exactly as systemd-escape spells it.
    const dropIn = parseUnit(fs.readFileSync(DROP_IN, 'utf8'));
    const instance = `logshadow@${systemdEscapePath('/var/log/nginx')}.service`;
    expect(unitValues(dropIn, 'Unit', 'Requires')).toEqual([instance]);
    expect(unitValues(dropIn, 'Unit', 'After')).toEqual([instance]);
  });

  test('systemd-analyze verify accepts the unit and the drop-in, with no warning', () => {
    const units = join(scratch, 'units');
    fs.mkdirSync(join(units, 'nginx.service.d'), { recursive: true });
    fs.writeFileSync(join(units, 'logshadow@.service'), unitText);
    fs.copyFileSync(DROP_IN, join(units, 'nginx.service.d', 'logshadow.conf'));
    // nginx's own unit, as Debian ships it, is what the drop-in extends.
    fs.copyFileSync('/lib/systemd/system/nginx.service', join(units, 'nginx.service'));
    const env = { ...process.env, SYSTEMD_UNIT_PATH: `${units}:` };
    for (const name of [join(units, `logshadow@${systemdEscapePath('/var/log/nginx')}.service`), 'nginx.service']) {
      const r = spawnSync('systemd-analyze', ['verify', name], { encoding: 'utf8', env });
      expect({ name, status: r.status, stderr: r.stderr }).toEqual({ name, status: 0, stderr: '' });
    }
    // And it does object to a broken unit: the check above can fail.
    fs.writeFileSync(join(units, 'logshadow@.service'), unitText.replace('KillSignal=', 'KillSignl='));
    const broken = spawnSync('systemd-analyze', ['verify', join(units, 'logshadow@var-log-x.service')], { encoding: 'utf8', env });
    expect(broken.stderr).toMatch(/Unknown key 'KillSignl'/);
  });

  test('ExecStart mounts %f and returns once the mount answers, leaving the pid of the process that holds it in PIDFile; ExecStop unmounts', async () => {
    const dir = join(scratch, 'logs');
    fs.mkdirSync(dir);
    const unit = parseUnit(unitText);
    const pidFile = join(scratch, 'logs.pid');
    const specifiers = { f: dir, i: systemdEscapePath(dir), I: dir.slice(1) };
    // PIDFile's directory is /run/logshadow on a real system; the test's own here.
    const lines = ['ExecStart', 'ExecStop'].map((k) => execArgv(unitValues(unit, 'Service', k)[0].replace('/run/logshadow/%i.pid', pidFile), specifiers));
    const [start, stopLine] = lines;
    expect(start).toEqual([wrapper, 'mount', dir, '--background', '--pid-file', pidFile]);
    expect(stopLine).toEqual([wrapper, 'unmount', dir, '--force']);

    const started = spawnSync(start[0], start.slice(1), { encoding: 'utf8', timeout: 60_000 });
    expect(started.status).toBe(0);
    // What systemd waits for before the units after this one: the mount is up and answers.
    expect(topMountAt(dir)?.fstype).toBe(LOGSHADOW_FSTYPE);
    const main = Number(fs.readFileSync(pidFile, 'utf8').trim());
    expect(() => process.kill(main, 0)).not.toThrow();

    const w = spawnSync('/bin/sh', ['-c', 'echo "INFO boot-time line" >> "$1"', 'sh', join(dir, 'app.log')]);
    expect(w.status).toBe(0);
    await waitFor('the line to be counted', () => fileStats(statsOf(dir), '/app.log')?.lines === 1);

    const stopped = spawnSync(stopLine[0], stopLine.slice(1), { encoding: 'utf8', timeout: 60_000 });
    expect(stopped.status).toBe(0);
    await waitFor('the main process to end', () => !alive(main), 30_000);
    // The FUSE mount is gone; the directory is on disk (tiered), the line synced into it.
    expect(topMountAt(dir)).toBeUndefined();
    expect(fs.existsSync(pidFile)).toBe(false);
    expect(fs.readFileSync(join(dir, 'app.log'), 'utf8')).toBe('INFO boot-time line\n');
  });

  test('the /var/log unit: journald\'s flush and relinquish happen inside the mount\'s lifetime; its Exec lines mount, sync and unmount', async () => {
    const text = fs.readFileSync(VAR_LOG_UNIT, 'utf8');
    const unit = parseUnit(text);
    expect(split(unitValues(unit, 'Unit', 'Before'))).toEqual(expect.arrayContaining(['systemd-journal-flush.service', 'sysinit.target', 'shutdown.target']));
    expect(unitValues(unit, 'Unit', 'RequiresMountsFor')).toEqual(['/var/log']);
    const units = join(scratch, 'units-var-log');
    fs.mkdirSync(units, { recursive: true });
    fs.writeFileSync(join(units, 'logshadow-var-log.service'), text.split(INSTALLED).join(wrapper));
    const verify = spawnSync('systemd-analyze', ['verify', join(units, 'logshadow-var-log.service')], { encoding: 'utf8', env: { ...process.env, SYSTEMD_UNIT_PATH: `${units}:` } });
    expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });

    // Its Exec lines, /var/log replaced by a scratch directory holding logs from before.
    const dir = join(scratch, 'varlog');
    fs.mkdirSync(dir);
    fs.writeFileSync(join(dir, 'syslog'), 'from the last boot\n');
    const pidFile = join(scratch, 'var-log.pid');
    const line = (k: string) => execArgv(unitValues(unit, 'Service', k)[0].replace('/run/logshadow/var-log.pid', pidFile).split('/var/log').join(dir).split(INSTALLED).join(wrapper), {});
    const start = line('ExecStart');
    expect(spawnSync(start[0], start.slice(1), { timeout: 60_000 }).status).toBe(0);
    expect(topMountAt(dir)?.fstype).toBe(LOGSHADOW_FSTYPE);
    const main = Number(fs.readFileSync(pidFile, 'utf8').trim());
    expect(fs.readFileSync(join(dir, 'syslog'), 'utf8')).toBe('from the last boot\n');
    expect(spawnSync('/bin/sh', ['-c', 'echo "this boot" >> "$1"', 'sh', join(dir, 'syslog')]).status).toBe(0);
    const stop = line('ExecStop');
    expect(spawnSync(stop[0], stop.slice(1), { timeout: 60_000 }).status).toBe(0);
    await waitFor('the main process to end', () => !alive(main), 30_000);
    expect(topMountAt(dir)).toBeUndefined();
    expect(fs.readFileSync(join(dir, 'syslog'), 'utf8')).toBe('from the last boot\nthis boot\n');
  });
});
