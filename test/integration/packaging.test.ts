import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, sh } from '../helpers/cli';
import { forceCleanup } from '../helpers/mount';
import { readMounts } from '../../src/util/mountinfo';
import { makeScratch } from '../helpers/scratch';

const pkg = JSON.parse(fs.readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

/**
 * The package as a user gets it: `npm pack`, then `npm install -g` of the tarball into a
 * throwaway prefix (dependencies come from the registry or npm's cache), then the installed
 * `logshadow` on the PATH doing what the README's quick start says.
 */
describe('the npm package', () => {
  let tmp: string;
  let dir: string;
  let runDir: string;
  let bin: string;
  beforeAll(() => {
    tmp = makeScratch('pack-');
    dir = join(tmp, 'logs');
    runDir = join(tmp, 'run');
    bin = join(tmp, 'prefix/bin/logshadow');
  });
  afterAll(() => {
    try {
      if (fs.existsSync(bin) && readMounts().some((m) => m.mountpoint === dir)) {
        spawnSync(bin, ['unmount', dir, '--discard', '--run-dir', runDir], { timeout: 60_000 });
      }
    } finally {
      forceCleanup(dir);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000, env, cwd: tmp });

  test('npm pack: the built CLI, the addon sources, no tests, no checkout leftovers', () => {
    const r = spawnSync('npm', ['pack', '--pack-destination', tmp, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    const [info] = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', pkg.bin.logshadow, 'dist/daemon/daemon.js', 'dist/metrics/prometheus.js', 'native/binding.gyp', 'native/src/engine.c']));
    for (const f of files) expect(f).not.toMatch(/^(src|test|bench|node_modules|native\/build|build-bench)\/|\.map$|\.tgz$/);
    expect(fs.existsSync(join(tmp, info.filename))).toBe(true);
    const listing = sh(`tar -xOzf '${join(tmp, info.filename)}' package/${pkg.bin.logshadow} | head -1`);
    expect(listing.stdout).toBe('#!/usr/bin/env node\n');
  }, 180_000);

  test('npm install -g of the tarball: logshadow on the PATH, the native addon built by the install script', () => {
    const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    expect(tgz).toBeDefined();
    const r = spawnSync('npm', ['install', '-g', '--prefix', join(tmp, 'prefix'), '--prefer-offline', '--no-audit', '--no-fund', join(tmp, tgz!)],
      { cwd: tmp, encoding: 'utf8', timeout: 600_000 });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    const installed = join(tmp, 'prefix/lib/node_modules/logshadow');
    expect(fs.realpathSync(bin)).toBe(join(installed, pkg.bin.logshadow));
    // npm 11 runs the package's own install script (its allow-scripts policy only warns so far).
    for (const addon of ['logshadow_engine', 'logshadow_alloc']) expect(fs.existsSync(join(installed, `native/build/Release/${addon}.node`))).toBe(true);

    const onPath = sh(`PATH='${join(tmp, 'prefix/bin')}':"$PATH"; command -v logshadow && logshadow --version`);
    expect(onPath.stdout).toBe(`${bin}\n${pkg.version}\n`);
  }, 600_000);

  test('the installed copy: doctor, then the README quick start (mount, stats, list, unmount)', () => {
    expect(fs.existsSync(bin)).toBe(true);
    const installed = join(tmp, 'prefix/lib/node_modules/logshadow');
    const doctor = run(['doctor', '--json']);
    expect(doctor.status).toBe(0);
    const report = JSON.parse(doctor.stdout) as { schema: string; ready: boolean; checks: Array<{ id: string; status: string; detail: string }> };
    expect(report.schema).toBe('logshadow.doctor/1');
    expect(report.ready).toBe(true);
    const engine = report.checks.find((c) => c.id === 'native-engine')!;
    expect(engine.status).toBe('ok');
    // The installed package's own addon, not the checkout's.
    expect(engine.detail).toContain(installed);

    fs.mkdirSync(dir);
    const mount = run(['mount', dir, '--background', '--size', '16M', '--run-dir', runDir]);
    expect({ status: mount.status, stderr: mount.stderr }).toEqual({ status: 0, stderr: '' });
    expect(mount.stdout).toMatch(/mounted \(daemon pid \d+/);
    expect(sh(`echo 'ERROR quick start' >> '${dir}/app.log' && echo 'INFO works' >> '${dir}/app.log'`).status).toBe(0);
    const stats = run(['stats', dir, '--json', '--run-dir', runDir]);
    expect(stats.status).toBe(0);
    const s = JSON.parse(stats.stdout) as { engine: string; files: Array<{ key: string; lines: number; levels: Record<string, number> }> };
    expect(s.engine).toBe('native');
    expect(s.files.find((f) => f.key === '/app.log')).toMatchObject({ lines: 2, levels: expect.objectContaining({ error: 1, info: 1 }) });
    const list = run(['list', '--json', '--run-dir', runDir]);
    expect((JSON.parse(list.stdout) as { mounts: Array<{ mountpoint: string; state: string }> }).mounts.find((x) => x.mountpoint === dir)?.state).toBe('ok');
    const unmount = run(['unmount', dir, '--run-dir', runDir]);
    expect(unmount.status).toBe(0);
    expect(unmount.stdout).toMatch(/unmounted/);
    expect(readMounts().filter((x) => x.mountpoint === dir)).toEqual([]);
    // Tiered by default over a disk directory: the log is on disk once unmounted.
    expect(fs.readFileSync(join(dir, 'app.log'), 'utf8')).toBe('ERROR quick start\nINFO works\n');
  }, 180_000);
});
