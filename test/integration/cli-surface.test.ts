import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts } from '../helpers/mount';
import { makeScratch } from '../helpers/scratch';

/** The commands `logshadow --help` lists (aliases after "|" dropped), so a new one is covered too. */
function commands(): string[] {
  const help = cli(['--help']);
  expect(help.status).toBe(0);
  const section = help.stdout.split('\nCommands:\n')[1];
  return section.split('\n').map((l) => /^ {2}([a-z-]+)[| ]/.exec(l)?.[1]).filter((c): c is string => !!c && c !== 'help');
}

/** Commands whose --help is owned elsewhere and still has lines over 80 columns (see the report). */
const WIDE_HELP_KNOWN = new Set<string>();

describe('the CLI surface', () => {
  const all = commands();

  test('the commands are all there', () => {
    expect(all).toEqual(expect.arrayContaining(['mount', 'unmount', 'stats', 'shadow', 'replay', 'doctor', 'list', 'top', 'metrics', 'report', 'sync', 'recover']));
  });

  test.each(all)('%s --help: usage, options, and an Examples: section of real invocations', (name) => {
    const r = cli([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^Usage: logshadow ${name}[| ]`));
    expect(r.stdout).toMatch(/\nExamples:\n( {2}logshadow \S.*\n)+/);
    const examples = r.stdout.split('\nExamples:\n')[1].split('\n').filter((l) => l.startsWith('  logshadow '));
    for (const ex of examples) expect(ex).toMatch(new RegExp(`^ {2}logshadow (${all.join('|')})( |$)`));
    if (!WIDE_HELP_KNOWN.has(name)) for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  test('errors are one line on stderr with the README\'s exit codes', () => {
    const readme = fs.readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const code of [0, 1, 2, 3, 4, 5]) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    const notMount = makeScratch();
    try {
      const cases: Array<[string[], number, RegExp]> = [
        [['list', '--bogus'], 2, /unknown option '--bogus'/],
        [['top', notMount, '--once'], 4, /is not a logshadow mount \(see logshadow list\)/],
        [['metrics', notMount], 4, /is not a logshadow mount/],
        [['report', notMount, '--out', join(notMount, 'r.html')], 4, /is not a logshadow mount/],
        [['metrics'], 2, /missing required argument 'dir'/],
        [['top', notMount, '--interval', '10ms'], 2, /--interval: at least 100ms/],
        [['metrics', notMount, '--max-streams', '-1'], 2, /--max-streams: "-1" is not a positive integer/],
      ];
      for (const [args, status, pattern] of cases) {
        const r = cli(args);
        expect({ args, status: r.status }).toEqual({ args, status });
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^logshadow: /);
        expect(lines[0]).toMatch(pattern);
        expect(r.stdout).toBe('');
      }
    } finally {
      fs.rmSync(notMount, { recursive: true, force: true });
    }
  });

  describe('with a live mount', () => {
    afterAll(stopAllMounts);

    test('every command with --json prints an object carrying its schema; human views fit 80 columns', async () => {
      // Tiered (the native engine) when it can be, so that sync answers and stats shows durability.
      const engine = testEngines()[0];
      const m = await startMount({ engine, tiered: engine === 'native', args: ['--horizon', '1s'] });
      fs.writeFileSync(join(m.dir, 'app.log'), 'ERROR something broke\nINFO fine\n'.repeat(50));
      await new Promise((r) => setTimeout(r, 2500));
      const argsFor: Record<string, string[]> = {
        stats: [m.dir, '--run-dir', m.runDir], shadow: [m.dir, '--run-dir', m.runDir], report: [m.dir, '--run-dir', m.runDir],
        list: ['--run-dir', m.runDir], doctor: ['--no-mount-probe'], sync: [m.dir, '--run-dir', m.runDir],
      };
      const schemas: Record<string, string> = {
        stats: 'logshadow.stats/2', shadow: 'logshadow.shadow/1', list: 'logshadow.list/1', report: 'logshadow.history/1', doctor: 'logshadow.doctor/1',
        sync: 'logshadow.sync/1',
      };
      const withJson = all.filter((c) => /\n {2}--json\b/.test(cli([c, '--help']).stdout));
      expect(withJson.sort()).toEqual(Object.keys(schemas).sort());
      for (const c of withJson) {
        const r = cli([c, ...argsFor[c], '--json']);
        expect({ c, status: r.status, stderr: r.stderr }).toEqual({ c, status: 0, stderr: '' });
        const v = JSON.parse(r.stdout) as { schema?: unknown };
        expect({ c, schema: v.schema }).toEqual({ c, schema: schemas[c] });
        // Documented, field list and all.
        expect(fs.readFileSync(join(ROOT, 'docs/json.md'), 'utf8')).toContain(`## ${schemas[c]}`);
      }
      for (const args of [['stats', m.dir], ['shadow', m.dir], ['list'], ['top', m.dir, '--once']]) {
        const r = cli([...args, '--run-dir', m.runDir]);
        expect(r.status).toBe(0);
        for (const line of r.stdout.split('\n')) expect({ args, line, fits: line.length <= 80 }).toEqual({ args, line, fits: true });
      }
      await m.stop();
    });
  });
});
