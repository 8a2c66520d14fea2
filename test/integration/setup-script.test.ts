import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli';
import { makeScratch } from '../helpers/scratch';

/**
 * scripts/setup itself, run for real in a copy of the checkout, with npm, apt-get and ldconfig
 * replaced by stand-ins on the PATH that record their calls: whether it installs, whether it
 * rebuilds the native addons, decided by the script's own logic on this machine.
 */
describe('scripts/setup', () => {
  let tree: string;
  let bin: string;
  const calls = () => (fs.existsSync(join(tree, 'calls')) ? fs.readFileSync(join(tree, 'calls'), 'utf8').trim().split('\n') : []);
  const setup = () => {
    fs.rmSync(join(tree, 'calls'), { force: true });
    return spawnSync(join(tree, 'scripts/setup'), [], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CALLS: join(tree, 'calls') },
    });
  };
  const stub = (name: string, body: string) => {
    fs.writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "$CALLS"\n${body}\n`, { mode: 0o755 });
  };

  beforeAll(() => {
    tree = makeScratch('setup');
    bin = join(tree, 'bin');
    fs.mkdirSync(bin);
    fs.cpSync(join(ROOT, 'scripts'), join(tree, 'scripts'), { recursive: true });
    fs.cpSync(join(ROOT, 'native'), join(tree, 'native'), { recursive: true, filter: (src) => !src.includes('/native/build') });
    for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(join(ROOT, f), join(tree, f));
    fs.symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
    // npm builds nothing here: "build:native" leaves the two addons, "build:ts" the CLI.
    stub('npm', [
      'case "$*" in',
      '  *build:native*) mkdir -p native/build/Release && touch native/build/Release/logshadow_engine.node native/build/Release/logshadow_alloc.node ;;',
      '  *build:ts*) mkdir -p dist/cli && touch dist/cli/main.js ;;',
      'esac',
    ].join('\n'));
    stub('apt-get', 'exit 100');
  });
  afterAll(() => fs.rmSync(tree, { recursive: true, force: true }));

  test('an ldconfig that dies of SIGPIPE after printing the library (grep -q stops reading) does not make it "missing"', () => {
    // The real listing, then enough lines that a reader which stops at the first match leaves the
    // writer to die of SIGPIPE, every time.
    stub('ldconfig', `/sbin/ldconfig "$@"\nyes '\tlibfiller.so (libc6,x86-64) => /usr/lib/libfiller.so' | head -n 200000`);
    try {
      const r = setup();
      expect(calls().filter((c) => c.startsWith('apt-get'))).toEqual([]);
      expect(r.stdout).not.toMatch(/installing/);
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(join(bin, 'ldconfig'));
    }
  });

  test('the native addons are rebuilt only when something under native/ changed', () => {
    const builds = () => calls().filter((c) => c.includes('build:native')).length;
    setup();
    expect(setup().stdout).toMatch(/native addons up to date/);
    expect(builds()).toBe(0);
    fs.appendFileSync(join(tree, 'native/src/ring.c'), '\n/* changed */\n');
    expect(setup().status).toBe(0);
    expect(builds()).toBe(1);
    expect(setup().stdout).toMatch(/native addons up to date/);
    expect(builds()).toBe(0);
    // A build that is gone is built again even though its sources did not change.
    fs.rmSync(join(tree, 'native/build'), { recursive: true });
    setup();
    expect(builds()).toBe(1);
  });
});
