import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, cli } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { makeScratch } from '../helpers/scratch';
import { sleep, until } from '../helpers/wait';

const FIXTURES = join(ROOT, 'test/fixtures');
const haveTmux = spawnSync('tmux', ['-V']).status === 0;

/** File names in the FILES table of a frame, in the order shown. */
function fileOrder(frame: string): string[] {
  const lines = frame.split('\n');
  const start = lines.findIndex((l) => /^FILES \(\d+\)/.test(l));
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && lines[i].startsWith('/'); i++) out.push(lines[i].split(/\s+/)[0]);
  return out;
}

/** A workload whose busiest file, fastest file, most erroneous file and first name all differ. */
function workload(m: MountHandle): ChildProcess[] {
  const run = (args: string[]) => spawn(process.execPath, args, { stdio: 'ignore' });
  const procs = [
    run([join(FIXTURES, 'steady-writer.js'), join(m.dir, 'zulu.log'), '90', '10', '50', '100']),
    run([join(FIXTURES, 'steady-writer.js'), join(m.dir, 'alpha.log'), '90', '1', '200', '40']),
  ];
  const r = spawnSync(process.execPath, [join(FIXTURES, 'level-writer.js'), join(m.dir, 'errors.log'), '200', 'text', 'e'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return procs;
}

/** A private tmux server (its own socket): the test's terminal, with nothing shared with anyone. */
class Tmux {
  constructor(private readonly socket: string) {}

  run(args: string[]): string {
    const r = spawnSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  capture(session: string): string {
    return this.run(['capture-pane', '-p', '-t', session]);
  }

  killServer(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server']);
  }
}

/** The pid of the process a pane's shell runs (the pane's own pid is the shell's). */
function childOf(ppid: number, name: RegExp): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== ppid) continue;
      if (name.test(fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '))) return Number(entry);
    } catch {
      // the process went away while we looked
    }
  }
  return undefined;
}

const ttyModes = (stty: string) => ({ icanon: /(^|\s)icanon(\s|$)/.test(stty), echo: /(^|\s)echo(\s|$)/.test(stty) });

describe('logshadow top', () => {
  const engine = testEngines()[0];
  let m: MountHandle;
  let writers: ChildProcess[] = [];
  let tmux: Tmux | null = null;

  beforeAll(async () => {
    m = await startMount({ engine, args: ['--horizon', '2s'] });
    writers = workload(m);
    // Enough for rates, forecasts and a scored window or two.
    await sleep(5000);
  });
  afterEach(() => {
    tmux?.killServer();
    tmux = null;
  });
  afterAll(async () => {
    for (const w of writers) if (w.exitCode === null) w.kill('SIGKILL');
    await stopAllMounts();
  });

  test('--once: one frame of the real workload, no terminal control, 80 columns', () => {
    const r = cli(['top', m.dir, '--once', '--run-dir', m.runDir]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('\u001b'); // no escape sequence at all
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(r.stdout).toMatch(/^RAM disk \[[#.]+\] \d+% used of 64\.0MiB/m);
    expect(r.stdout).toMatch(/full in \S+ at the forecast mean/);
    expect(r.stdout).toMatch(/^FILES \(3\) +BYTES +RATE +ERR +MIX +NEXT \[90%\] +CONF +HIT$/m);
    expect(fileOrder(r.stdout)[0]).toBe('/zulu.log');
    expect(new Set(fileOrder(r.stdout))).toEqual(new Set(['/zulu.log', '/alpha.log', '/errors.log']));
    // The steady writer's row: a rate, a forecast with its interval, a confidence, level mix all info.
    expect(r.stdout).toMatch(/^\/zulu\.log +\S+ +[\d.]+KiB\/s +0% +I100 +[\d.]+KiB \d+[KM]?-\d+[KM]? +[01]\.\d\d /m);
    expect(r.stdout).toMatch(/^\/errors\.log .* 25% +E25 /m);
    expect(fileOrder(cli(['top', m.dir, '--once', '--sort', 'n', '--run-dir', m.runDir]).stdout)).toEqual(['/alpha.log', '/errors.log', '/zulu.log']);
    const narrow = cli(['top', m.dir, '--once', '--width', '50', '--run-dir', m.runDir]).stdout;
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(50);
  });

  test('without a terminal, without a mount, with a bad key: one line and the documented status', () => {
    const noTty = cli(['top', m.dir, '--run-dir', m.runDir]);
    expect(noTty.status).toBe(2);
    expect(noTty.stderr).toBe('logshadow: top needs a terminal on stdout: use --once for a single frame\n');
    const notMounted = cli(['top', ROOT, '--once']);
    expect(notMounted.status).toBe(4);
    expect(notMounted.stderr.trim().split('\n')).toHaveLength(1);
    const badSort = cli(['top', m.dir, '--once', '--sort', 'x', '--run-dir', m.runDir]);
    expect(badSort.status).toBe(2);
    expect(badSort.stderr).toMatch(/^logshadow: --sort: "x" is not one of b, r, e, c, n\n$/);
  });

  (haveTmux ? test : test.skip)('in a real terminal (tmux): live frames, sort keys, q exits 0 and gives the terminal back', async () => {
    const scratch = makeScratch('tmux-');
    tmux = new Tmux(join(scratch, 'tmux.sock'));
    const exitFile = join(scratch, 'exit');
    const sttyFile = join(scratch, 'stty');
    const cmd = `${process.execPath} ${CLI} top ${m.dir} --run-dir ${m.runDir} --interval 500ms; echo $? > ${exitFile}; stty -a > ${sttyFile}`;
    tmux.run(['new-session', '-d', '-s', 'top', '-x', '100', '-y', '40', cmd]);
    tmux.run(['set-option', '-t', 'top', 'remain-on-exit', 'on']);
    const tty = tmux.run(['display-message', '-p', '-t', 'top', '#{pane_tty}']).trim();
    try {
      const first = await until('a frame with the three files', () => {
        const f = tmux!.capture('top');
        return fileOrder(f).length === 3 ? f : undefined;
      });
      for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
      expect(first).toMatch(/^logshadow top /m);
      expect(first).toMatch(/^RAM disk \[/m);
      // 100 columns: room for the reservation column too.
      expect(first).toMatch(/^FILES \(3\) .* RSVD +HIT$/m);
      expect(first).toMatch(/^sort: \[b\]ytes \[r\]ate \[e\]rrors \[c\]onfidence \[n\]ame +\[q\]uit +\(by bytes, every 0\.5s\)$/m);
      expect(fileOrder(first)[0]).toBe('/zulu.log');
      // While top runs, the terminal is raw: no line editing, no echo.
      expect(ttyModes(spawnSync('stty', ['-a', '-F', tty], { encoding: 'utf8' }).stdout)).toEqual({ icanon: false, echo: false });

      tmux.run(['send-keys', '-t', 'top', 'n']);
      await until('sorted by name', () => {
        const f = tmux!.capture('top');
        return /\(by name,/.test(f) && fileOrder(f).join(' ') === '/alpha.log /errors.log /zulu.log';
      });
      tmux.run(['send-keys', '-t', 'top', 'e']);
      await until('sorted by errors', () => {
        const f = tmux!.capture('top');
        return /\(by errors,/.test(f) && fileOrder(f)[0] === '/errors.log';
      });
      tmux.run(['send-keys', '-t', 'top', 'r']);
      await until('sorted by rate', () => {
        const f = tmux!.capture('top');
        return /\(by rate,/.test(f) && fileOrder(f)[0] === '/zulu.log';
      });
      // Arrow keys are escape sequences ("\x1b[B", "\x1b[C"): their letters are not sort keys.
      tmux.run(['send-keys', '-t', 'top', 'Down', 'Right']);
      await sleep(1200);
      expect(tmux.capture('top')).toMatch(/\(by rate,/);

      tmux.run(['send-keys', '-t', 'top', 'q']);
      await until('top to exit', () => fs.existsSync(sttyFile) && fs.readFileSync(sttyFile, 'utf8').length > 0);
      expect(fs.readFileSync(exitFile, 'utf8').trim()).toBe('0');
      expect(ttyModes(fs.readFileSync(sttyFile, 'utf8'))).toEqual({ icanon: true, echo: true });
      // The frames were on the alternate screen: the main screen is as it was.
      expect(tmux.capture('top')).not.toMatch(/FILES \(/);
    } finally {
      tmux.killServer();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 90_000);

  (haveTmux ? test : test.skip)('Ctrl-C quits with 0 and SIGTERM with 143, the terminal given back either way', async () => {
    const scratch = makeScratch('tmux-');
    tmux = new Tmux(join(scratch, 'tmux.sock'));
    try {
      for (const how of ['ctrl-c', 'sigterm'] as const) {
        const exitFile = join(scratch, `${how}.exit`);
        const sttyFile = join(scratch, `${how}.stty`);
        const cmd = `${process.execPath} ${CLI} top ${m.dir} --run-dir ${m.runDir}; echo $? > ${exitFile}; stty -a > ${sttyFile}`;
        tmux.run(['new-session', '-d', '-s', how, '-x', '80', '-y', '24', cmd]);
        await until('a frame', () => /^FILES \(3\)/m.test(tmux!.capture(how)));
        const frame = tmux.capture(how);
        for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
        expect(frame.split('\n').filter((l) => l.length).length).toBeLessThanOrEqual(24);
        if (how === 'ctrl-c') tmux.run(['send-keys', '-t', how, 'C-c']);
        else {
          const shell = Number(tmux.run(['display-message', '-p', '-t', how, '#{pane_pid}']).trim());
          const top = await until('the top process', () => childOf(shell, /main\.js top /));
          process.kill(top, 'SIGTERM');
        }
        await until(`top to exit on ${how}`, () => fs.existsSync(sttyFile) && fs.readFileSync(sttyFile, 'utf8').length > 0);
        expect(fs.readFileSync(exitFile, 'utf8').trim()).toBe(how === 'ctrl-c' ? '0' : '143');
        expect(ttyModes(fs.readFileSync(sttyFile, 'utf8'))).toEqual({ icanon: true, echo: true });
      }
    } finally {
      tmux.killServer();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 90_000);
});
