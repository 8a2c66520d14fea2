import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, shOk } from '../../helpers/cli';
import { startMount, stopAllMounts, type MountHandle } from '../../helpers/mount';
import { EXAMPLES, sleep } from './example-helpers';

/**
 * mount-examples/logrotate/*.conf run by Debian's logrotate against a writer logging into a real
 * mount, with the archive directory outside it (on the disk under /tmp here).
 */
const WRITER = join(ROOT, 'test/fixtures/rotating-writer.js');
const TOTAL = 3000;

function startWriter(file: string): { pid: Promise<number>; done: Promise<number | null>; kill: () => void } {
  const p = spawn(process.execPath, [WRITER, file, String(TOTAL), '20', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = new Promise<number>((resolve) => p.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const done = new Promise<number | null>((resolve) => p.on('exit', resolve));
  return { pid, done, kill: () => p.exitCode === null && p.signalCode === null && p.kill('SIGKILL') };
}

/** Sequence numbers of every line in these texts; each line must be whole. */
function seqs(texts: string[]): number[] {
  const out: number[] = [];
  for (const text of texts) {
    expect(text.includes('\0')).toBe(false);
    for (const line of text.split('\n')) {
      if (!line) continue;
      const mm = /^seq=(\d{6}) the quick brown fox$/.exec(line);
      expect(mm).not.toBeNull();
      out.push(Number(mm![1]));
    }
  }
  return out;
}

describe('mount-examples/logrotate', () => {
  let m: MountHandle;
  const writers: Array<() => void> = [];

  beforeAll(async () => {
    m = await startMount({ engine: 'auto' });
  });
  afterAll(async () => {
    try {
      for (const kill of writers) kill();
    } finally {
      await stopAllMounts();
    }
  });

  /** The example with its paths pointed here: the log directory in the mount, the archive and pid file outside. */
  function setUp(example: string, name: string): { logDir: string; archive: string; pidFile: string; rotate: () => void } {
    const logDir = join(m.dir, name);
    const archive = join(m.scratch, `${name}-archive`);
    const pidFile = join(m.scratch, `${name}.pid`);
    fs.mkdirSync(logDir);
    const text = fs.readFileSync(join(EXAMPLES, 'logrotate', example), 'utf8');
    for (const path of ['/var/log/myapp', '/var/log-archive/myapp']) expect(text).toContain(path);
    const conf = join(m.scratch, example);
    fs.writeFileSync(conf, text.split('/var/log-archive/myapp').join(archive).split('/var/log/myapp').join(logDir).split('/run/myapp.pid').join(pidFile));
    return { logDir, archive, pidFile, rotate: () => void shOk(`logrotate -f -s '${m.scratch}/${name}.state' '${conf}'`) };
  }

  function archived(archive: string): string[] {
    const names = fs.readdirSync(archive).sort();
    for (const n of names) expect(n).toMatch(/^app\.log\.\d+\.gz$/);
    return names.map((n) => gunzipSync(fs.readFileSync(join(archive, n))).toString('utf8'));
  }

  test('create mode (renamecopy to an archive off the RAM disk, compressed, SIGHUP): no line lost or duplicated', async () => {
    const { logDir, archive, pidFile, rotate } = setUp('myapp-create.conf', 'create');
    const w = startWriter(join(logDir, 'app.log'));
    writers.push(w.kill);
    fs.writeFileSync(pidFile, `${await w.pid}\n`);
    for (let r = 0; r < 3; r++) {
      await sleep(150);
      rotate();
    }
    expect(await w.done).toBe(0);
    // Only the live file stays in RAM; the three rotated ones are compressed on disk.
    expect(fs.readdirSync(logDir)).toEqual(['app.log']);
    expect(fs.statSync(join(logDir, 'app.log')).mode & 0o777).toBe(0o640);
    const old = archived(archive);
    expect(old).toHaveLength(3);
    const all = seqs([...old.reverse(), fs.readFileSync(join(logDir, 'app.log'), 'utf8')]);
    expect(all).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
  });

  test('copytruncate variant: copies go to the archive compressed; lines whole, only the copy-to-truncate window lost', async () => {
    const { logDir, archive, rotate } = setUp('myapp-copytruncate.conf', 'copytruncate');
    const w = startWriter(join(logDir, 'app.log'));
    writers.push(w.kill);
    await w.pid;
    for (let r = 0; r < 3; r++) {
      await sleep(150);
      rotate();
    }
    expect(await w.done).toBe(0);
    expect(fs.readdirSync(logDir)).toEqual(['app.log']);
    const old = archived(archive);
    expect(old).toHaveLength(3);
    const all = seqs([...old.reverse(), fs.readFileSync(join(logDir, 'app.log'), 'utf8')]);
    expect(new Set(all).size).toBe(all.length);
    // Each rotation may lose one contiguous run (written between copy and truncate), small.
    const have = new Set(all);
    const missing = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !have.has(i));
    let runs = 0;
    for (let i = 0; i < missing.length; i++) if (i === 0 || missing[i] !== missing[i - 1] + 1) runs++;
    expect(runs).toBeLessThanOrEqual(3);
    expect(missing.length).toBeLessThan(TOTAL * 0.1);
  });
});
