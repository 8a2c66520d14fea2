import * as fs from 'node:fs';
import { join } from 'node:path';
import { cli, ROOT } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts } from '../helpers/mount';

/** What the docs tell a newcomer to run must work from a checkout, as written. */
describe('documented examples', () => {
  afterAll(stopAllMounts);

  const replays = [
    ...fs.readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n'),
    ...fs.readFileSync(join(ROOT, 'mount-examples/README.md'), 'utf8').split('\n'),
    ...cli(['replay', '--help']).stdout.split('\n'),
  ].map((l) => /^\s*logshadow replay (\S+) (\S+)(.*?)(\s+#.*)?$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);

  test('every replay example names a log that is in the repository', () => {
    expect(replays.length).toBeGreaterThanOrEqual(3);
    for (const [, log] of replays) expect([log, fs.existsSync(join(ROOT, log))]).toEqual([log, true]);
  });

  test("the README's replay example runs from a checkout into a real mount", async () => {
    const [, log, target, rest] = replays[0];
    const m = await startMount({ engine: testEngines()[0] });
    const into = join(m.dir, target.split('/').pop()!);
    const r = cli(['replay', join(ROOT, log), into, ...rest.trim().split(/\s+/).filter(Boolean), '--quiet']);
    expect(r.stderr).toBe('');
    const lines = fs.readFileSync(join(ROOT, log), 'utf8').trimEnd().split('\n').length;
    expect(r.stdout).toMatch(new RegExp(`^replay: wrote ${lines} lines`));
    expect(fs.readFileSync(into, 'utf8')).toBe(fs.readFileSync(join(ROOT, log), 'utf8'));
    await m.stop();
  });
});
