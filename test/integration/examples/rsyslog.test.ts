import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { startMount, stopAllMounts, type MountHandle } from '../../helpers/mount';
import { Children, EXAMPLES, fileStats, statsOf, stop, waitFor } from './example-helpers';

/**
 * mount-examples/rsyslog/30-logshadow.conf, with /var/log/apps pointed at a mount, included by a
 * private rsyslogd (its own imuxsock socket, not /dev/log); messages sent with logger(1).
 */
function logger(socket: string, args: string[], input?: string): void {
  const r = spawnSync('logger', ['--socket-errors=on', '-u', socket, ...args], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`logger ${args.join(' ')} failed: ${r.stderr}`);
}

function linesOf(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('mount-examples/rsyslog', () => {
  const children = new Children();
  let m: MountHandle;

  beforeAll(async () => {
    m = await startMount({ engine: 'auto' });
  });
  afterAll(async () => {
    try {
      await children.stopAll();
    } finally {
      await stopAllMounts();
    }
  });

  test('omfile actions write into the mount: a fixed file and one file per program', async () => {
    const example = fs.readFileSync(join(EXAMPLES, 'rsyslog/30-logshadow.conf'), 'utf8');
    expect(example).toMatch(/type="omfile"/);
    const included = join(m.scratch, '30-logshadow.conf');
    fs.writeFileSync(included, example.split('/var/log/apps').join(m.dir));
    const spool = join(m.scratch, 'spool');
    fs.mkdirSync(spool);
    const socket = join(m.scratch, 'log.sock');
    const conf = join(m.scratch, 'rsyslog.conf');
    fs.writeFileSync(conf, [
      `global(workDirectory="${spool}")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${socket}" CreatePath="on" RateLimit.Interval="0")`,
      `include(file="${included}")`,
      '',
    ].join('\n'));
    const check = spawnSync('rsyslogd', ['-N1', '-f', conf], { encoding: 'utf8' });
    expect(check.status).toBe(0);

    const pidFile = join(m.scratch, 'rsyslogd.pid');
    const rsyslogd = children.start('rsyslogd', ['-n', '-f', conf, '-i', pidFile]);
    await waitFor('rsyslogd to open its socket', () => fs.existsSync(socket) || rsyslogd.proc.exitCode !== null);
    expect(rsyslogd.proc.exitCode).toBeNull();

    const appLines = Array.from({ length: 30 }, (_, i) => `request ${i} done`);
    logger(socket, ['-t', 'myapp', '-p', 'user.info'], appLines.join('\n') + '\n');
    for (let i = 0; i < 10; i++) logger(socket, ['-t', 'billing', '-p', 'local3.warning', `charge ${i} declined`]);
    logger(socket, ['-t', 'other', '-p', 'user.info', 'not routed by the example']);

    const myapp = join(m.dir, 'myapp.log');
    const billing = join(m.dir, 'billing.log');
    await waitFor('40 lines in the mount', () => linesOf(myapp).length === 30 && linesOf(billing).length === 10);
    // user.info is PRI 14, local3.warning 156: the template keeps the severity the file formats drop.
    linesOf(myapp).forEach((line, i) => expect(line).toMatch(new RegExp(`^<14>\\d{4}-\\d\\d-\\d\\dT[\\d:.]+[+-]\\d\\d:\\d\\d \\S+ myapp: request ${i} done$`)));
    linesOf(billing).forEach((line, i) => expect(line).toMatch(new RegExp(`^<156>\\S+ \\S+ billing: charge ${i} declined$`)));
    expect(fs.readdirSync(m.dir).sort()).toEqual(['billing.log', 'myapp.log']);

    await waitFor('the profiler to count both files', () => {
      const s = statsOf(m.dir, m.runDir);
      return fileStats(s, '/myapp.log')?.lines === 30 && fileStats(s, '/billing.log')?.lines === 10;
    });
    const s = statsOf(m.dir, m.runDir);
    expect(fileStats(s, '/myapp.log')!.bytes).toBe(fs.statSync(myapp).size);
    expect(fileStats(s, '/myapp.log')!.levels).toMatchObject({ info: 30, unknown: 0 });
    expect(fileStats(s, '/billing.log')!.levels).toMatchObject({ warn: 10, unknown: 0 });
    expect(fileStats(s, '/myapp.log')!.format).toBe('syslog');
    expect(fileStats(s, '/billing.log')!.writes).toBeGreaterThanOrEqual(1);

    await stop(rsyslogd.proc);
  });
});
