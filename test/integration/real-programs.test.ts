import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, sh, shOk } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';

const FIXTURES = join(ROOT, 'test/fixtures');

function runNode(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT });
    p.on('error', reject);
    p.on('exit', (code) => resolve(code));
  });
}

/** Lines of the form `writer=<id> seq=<n> xxx`, checked whole. */
function checkAppenderLines(text: string, writers: number, perWriter: number, width: number): void {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.length).toBe(writers * perWriter);
  const seen = Array.from({ length: writers }, () => new Uint8Array(perWriter));
  for (const line of lines) {
    const m = /^writer=(\d+) seq=(\d+) x+$/.exec(line);
    expect(m).not.toBeNull();
    expect(line.length).toBe(width - 1);
    seen[Number(m![1])][Number(m![2])]++;
  }
  for (const s of seen) expect(s.every((v) => v === 1)).toBe(true);
}

describe.each(testEngines())('real programs through the mount (%s engine)', (engine) => {
  let m: MountHandle;

  beforeAll(async () => {
    m = await startMount({ engine });
  });
  afterAll(stopAllMounts);

  test('8 processes appending 10,000 lines each with O_APPEND: every line present, whole', async () => {
    const file = join(m.dir, 'shared.log');
    const codes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => runNode([join(FIXTURES, 'appender.js'), file, String(i), '10000', '64'])),
    );
    expect(codes).toEqual(Array(8).fill(0));
    checkAppenderLines(fs.readFileSync(file, 'utf8'), 8, 10_000, 64);
  }, 300_000);

  test("winston's file transport with size-based rotation: every line in exactly one file", async () => {
    const dir = join(m.dir, 'winston');
    fs.mkdirSync(dir);
    const lines = 10_000;
    expect(await runNode([join(FIXTURES, 'winston-app.js'), dir, String(lines), '100000'])).toBe(0);
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('app'));
    expect(files.length).toBeGreaterThan(3); // it really rotated
    const ids = new Uint8Array(lines);
    for (const f of files) {
      for (const line of fs.readFileSync(join(dir, f), 'utf8').split('\n')) {
        if (!line) continue;
        const mm = /^(INFO|DEBUG|WARN|ERROR) request id=(\d+) p{40}$/.exec(line);
        expect(mm).not.toBeNull();
        ids[Number(mm![2])]++;
      }
    }
    expect(ids.every((v) => v === 1)).toBe(true);
  }, 300_000);

  test('fio --verify=crc32c: sequential appends and random writes verify clean', () => {
    const base = `fio --directory='${m.dir}' --ioengine=sync --size=8m --verify=crc32c --do_verify=1 --output-format=terse --minimal --verify_state_save=0`;
    const seq = sh(`${base} --name=seq --rw=write --bs=4k`, { timeoutMs: 300_000 });
    expect(seq.status).toBe(0);
    const rand = sh(`${base} --name=rand --rw=randwrite --bs=4k --randrepeat=1`, { timeoutMs: 300_000 });
    expect(rand.status).toBe(0);
    const big = sh(`${base} --name=big --rw=write --bs=256k`, { timeoutMs: 300_000 });
    expect(big.status).toBe(0);
    expect(seq.stderr + rand.stderr + big.stderr).not.toMatch(/verify|bad magic|crc/i);
    shOk(`rm -f '${m.dir}'/seq.* '${m.dir}'/rand.* '${m.dir}'/big.*`);
  }, 600_000);
});
