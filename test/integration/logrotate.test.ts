import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, shOk } from '../helpers/cli';
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

  function rotate(mode: 'create' | 'copytruncate', dir: string, postrotate = ''): void {
    const conf = join(m.scratch, `${mode}.conf`);
    fs.writeFileSync(
      conf,
      `${dir}/app.log {\n  rotate 50\n  ${mode}\n  missingok\n  nocompress\n${postrotate ? `  postrotate\n    ${postrotate}\n  endscript\n` : ''}}\n`,
    );
    shOk(`logrotate -f -s '${m.scratch}/${mode}.state' '${conf}'`);
  }

  test('create mode with a writer that reopens on SIGHUP: no line lost or duplicated', async () => {
    const dir = join(m.dir, 'create');
    fs.mkdirSync(dir);
    const w = startWriter(join(dir, 'app.log'));
    const pid = await w.pid;
    for (let r = 0; r < 3; r++) {
      await sleep(150);
      rotate('create', dir, `kill -HUP ${pid}`);
    }
    expect(await w.done).toBe(0);
    expect(fs.readdirSync(dir).filter((n) => /^app\.log\.\d+$/.test(n)).length).toBe(3);
    expect(collect(dir)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
  });

  test('copytruncate mode: lines are whole, and only those written between copy and truncate are lost', async () => {
    const dir = join(m.dir, 'copytruncate');
    fs.mkdirSync(dir);
    const w = startWriter(join(dir, 'app.log'));
    await w.pid;
    for (let r = 0; r < 3; r++) {
      await sleep(150);
      rotate('copytruncate', dir);
    }
    expect(await w.done).toBe(0);
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
});
