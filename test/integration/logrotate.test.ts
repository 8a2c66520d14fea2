import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { cli, ROOT, shOk } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { sleep } from '../helpers/wait';

const WRITER = join(ROOT, 'test/fixtures/rotating-writer.js');
const TOTAL = 3000;

/** Starts the writer (20 lines every 5 ms, about 0.75 s) and resolves its pid and its exit. */
function startWriter(file: string): { pid: Promise<number>; done: Promise<number | null> } {
  const p = spawn(process.execPath, [WRITER, file, String(TOTAL), '20', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = new Promise<number>((resolve) => p.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const done = new Promise<number | null>((resolve) => p.on('exit', resolve));
  return { pid, done };
}

/** Every rotated and current file's lines: each must be whole, and is returned by sequence number. */
function collect(dir: string): number[] {
  const seqs: number[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('app.log'))) {
    const text = fs.readFileSync(join(dir, f), 'utf8');
    expect(text.includes('\0')).toBe(false);
    for (const line of text.split('\n')) {
      if (!line) continue;
      const m = /^seq=(\d{6}) the quick brown fox$/.exec(line);
      expect(m).not.toBeNull();
      seqs.push(Number(m![1]));
    }
  }
  return seqs.sort((a, b) => a - b);
}


describe.each(testEngines())("Debian's logrotate on files in the mount (%s engine)", (engine) => {
  let m: MountHandle;

  beforeAll(async () => {
    m = await startMount({ engine });
  });
  afterAll(stopAllMounts);

  /**
   * The writer on <dir>/app.log, rotated three times while it writes (in create mode it is told
   * to reopen), until it exits.
   */
  async function rotateWhileWriting(mode: 'create' | 'copytruncate', dir: string, on: MountHandle = m): Promise<void> {
    fs.mkdirSync(dir);
    const w = startWriter(join(dir, 'app.log'));
    const pid = await w.pid;
    const postrotate = mode === 'create' ? `  postrotate\n    kill -HUP ${pid}\n  endscript\n` : '';
    const conf = join(on.scratch, `${mode}.conf`);
    fs.writeFileSync(conf, `${dir}/app.log {\n  rotate 50\n  ${mode}\n  missingok\n  nocompress\n${postrotate}}\n`);
    for (let r = 0; r < 3; r++) {
      await sleep(150);
      shOk(`logrotate -f -s '${on.scratch}/${mode}.state' '${conf}'`);
    }
    expect(await w.done).toBe(0);
  }

  test('create mode with a writer that reopens on SIGHUP: no line lost or duplicated', async () => {
    const dir = join(m.dir, 'create');
    await rotateWhileWriting('create', dir);
    expect(fs.readdirSync(dir).filter((n) => /^app\.log\.\d+$/.test(n)).length).toBe(3);
    expect(collect(dir)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
  });

  test('copytruncate mode: lines are whole, and only those written between copy and truncate are lost', async () => {
    const dir = join(m.dir, 'copytruncate');
    await rotateWhileWriting('copytruncate', dir);
    const seqs = collect(dir);
    expect(new Set(seqs).size).toBe(seqs.length); // nothing duplicated
    // logrotate documents a loss window per rotation: whatever is missing comes in at most one
    // contiguous run per rotation, and it is small.
    const missing = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !seqs.includes(i));
    let runs = 0;
    for (let i = 0; i < missing.length; i++) if (i === 0 || missing[i] !== missing[i - 1] + 1) runs++;
    expect(runs).toBeLessThanOrEqual(3);
    expect(missing.length).toBeLessThan(TOTAL * 0.1);
  });

  test('copytruncate counting: every line the writer wrote is profiled before its truncation, and the copies are counted apart', async () => {
    // A refresh far longer than the test: the only reads are those the truncations ask for.
    const quiet = await startMount({ engine, args: ['--refresh', '30s'] });
    await rotateWhileWriting('copytruncate', join(quiet.dir, 'ct'), quiet);
    const r = cli(['stats', quiet.dir, '--json', '--run-dir', quiet.runDir]);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    const line = 'seq=000000 the quick brown fox\n'.length;
    const app = s.files.find((f: { key: string }) => f.key === '/ct/app.log');
    // Also the lines that copytruncate's window cut out of the files: they were read first.
    expect(app).toMatchObject({ lines: TOTAL, bytes: TOTAL * line, unreadBytes: 0 });
    expect(app.levels.unknown).toBe(TOTAL);
    if (s.knowsCaller) {
      // logrotate's copies are not application writes.
      expect(s.totals).toMatchObject({ writes: TOTAL, bytes: TOTAL * line, lines: TOTAL });
      expect(s.totals.copies.files).toBe(3);
      expect(s.totals.copies.bytes).toBeGreaterThan(0);
      expect(s.apps.map((a: { key: string }) => a.key)).not.toContain('logrotate');
    }
    await quiet.stop();
  });
});
