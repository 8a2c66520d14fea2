import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli, sh } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { makeScratch } from '../helpers/scratch';
import { sleep, until } from '../helpers/wait';

const WRITER = join(ROOT, 'test/fixtures/steady-writer.js');
const PAGE = 4096;

interface Prealloc {
  enabled: boolean;
  reason?: string;
  budgetBytes: number;
  aheadBytes: number;
  reservations: number;
  reservedBytes: number;
  hitBytes: number;
  releasedUnusedBytes: number;
}
interface FileStats { key: string; model: { confidence: number } | null; prealloc: { reservedBytes: number } | null }
interface Stats { prealloc: Prealloc; files: FileStats[]; space: { freeBytes: number; sizeBytes: number } }

function stats(m: MountHandle): Stats {
  const r = cli(['stats', m.dir, '--json', '--run-dir', m.runDir]);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Stats;
}

/** Bytes allocated to the file beyond its last (partial) page. */
function allocatedAhead(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const st = fs.statSync(file);
  return st.blocks * 512 - Math.ceil(st.size / PAGE) * PAGE;
}

/**
 * The most reserved ahead of `file` over `ms`: a reservation is drawn down by the appends and
 * topped up on the next tick, and the tick just after a stream turns confident may still hold its
 * earlier, smaller one, so one look at a random moment says little.
 */
async function mostAhead(file: string, ms = 1500): Promise<number> {
  let most = 0;
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) most = Math.max(most, allocatedAhead(file));
  return most;
}

function writer(file: string, seconds: number, perTick = 10, intervalMs = 50, width = 100): ChildProcess {
  return spawn(process.execPath, [WRITER, file, String(seconds), String(perTick), String(intervalMs), String(width)], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Whether the stream's model is in the policy's aggressive regime (confidence >= 0.7). */
function confident(m: MountHandle, key: string): boolean {
  const f = stats(m).files.find((x) => x.key === key);
  return (f?.model?.confidence ?? 0) >= 0.7;
}

// Short horizon and lifetime so that confidence builds and reservations expire within seconds.
const ARGS = ['--horizon', '2s', '--refresh', '100ms', '--prealloc-lifetime', '3s'];

describe.each(testEngines())('pre-allocation (%s engine)', (engine) => {
  const procs: ChildProcess[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
    await stopAllMounts();
  });

  test('a steady writer: blocks run ahead of its size, reserved only once confident; released after it stops; none left after unmount', async () => {
    const m = await startMount({ engine, args: ARGS });
    const file = join(m.dir, 'steady.log');
    const w = writer(file, 12);
    procs.push(w);
    const samples: Array<{ confidence: number; reserved: number }> = [];
    await until('a reservation', () => {
      const f = stats(m).files.find((x) => x.key === '/steady.log');
      if (f?.model) samples.push({ confidence: f.model.confidence, reserved: f.prealloc?.reservedBytes ?? 0 });
      return (f?.prealloc?.reservedBytes ?? 0) > 0 && allocatedAhead(file) > 0;
    }, 20_000);
    // A new stream waits for evidence: nothing was reserved while its confidence was low.
    for (const s of samples) if (s.confidence < 0.3) expect(s.reserved).toBe(0);
    const s = stats(m);
    expect(s.prealloc.enabled).toBe(true);
    expect(s.prealloc.aheadBytes).toBeGreaterThanOrEqual(16 * 1024);
    // What stat(2) sees ahead of the end of file is what the allocator says it reserved.
    expect(Math.abs(allocatedAhead(file) - s.prealloc.aheadBytes)).toBeLessThanOrEqual(2 * PAGE);
    // Writes land in the reservation.
    await sleep(1500);
    const later = stats(m).prealloc;
    expect(later.hitBytes).toBeGreaterThan(0);

    await new Promise((r) => w.on('exit', r));
    await until('the reservation to be released', () => stats(m).prealloc.reservations === 0 && allocatedAhead(file) === 0, 15_000);
    expect(stats(m).prealloc.releasedUnusedBytes).toBeGreaterThan(0);

    // Unmount (keeping the tmpfs) leaves no block allocated beyond any file's size.
    const w2 = writer(join(m.dir, 'second.log'), 30);
    procs.push(w2);
    await until('a second reservation', () => stats(m).prealloc.reservations > 0, 20_000);
    w2.kill('SIGTERM');
    await new Promise((r) => w2.on('exit', r));
    expect(cli(['unmount', m.dir, '--run-dir', m.runDir]).status).toBe(0);
    for (const name of fs.readdirSync(m.dir)) expect(allocatedAhead(join(m.dir, name))).toBe(0);
  }, 120_000);

  test('a runaway writer fills the tmpfs: the reserved stream keeps writing into its reservation; the runaway gets ENOSPC', async () => {
    const m = await startMount({ engine, args: [...ARGS, '--prealloc-lifetime', '30s'] });
    const file = join(m.dir, 'important.log');
    const w = writer(file, 60, 20, 50);
    procs.push(w);
    await until('a reservation of 64 KiB or more', () => allocatedAhead(file) >= 64 * 1024, 30_000);
    w.kill('SIGUSR1'); // pause, keeping the file open
    await sleep(200);
    const ahead = allocatedAhead(file);
    const before = fs.readFileSync(file);

    const runaway = sh(`dd if=/dev/zero of='${m.dir}/runaway.bin' bs=64k`, { timeoutMs: 60_000 });
    expect(runaway.stderr).toMatch(/No space left on device/);
    expect(sh(`dd if=/dev/zero of='${m.dir}/other.log' bs=4k count=4`).stderr).toMatch(/No space left on device/);

    // The reserved file takes (almost) its whole reservation, written by another process.
    const chunk = 'R'.repeat(1023) + '\n';
    const n = Math.floor((ahead - PAGE) / chunk.length);
    const r = sh(`node -e 'const fs=require("fs");const fd=fs.openSync(process.argv[1],"a");for(let i=0;i<${n};i++)fs.writeSync(fd,process.argv[2]);' '${file}' '${chunk}'`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const after = fs.readFileSync(file);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after.subarray(before.length).toString()).toBe(chunk.repeat(n));
    expect(stats(m).prealloc.enabled).toBe(true); // the daemon lives
    w.kill('SIGTERM');
  }, 120_000);

  test('the budget is never exceeded, and below 5% free space new reservations are smaller', async () => {
    const m = await startMount({ engine, args: [...ARGS, '--prealloc-budget', '192k'] });
    const ws = [0, 1, 2, 3].map((i) => writer(join(m.dir, `w${i}.log`), 14, 10, 50));
    procs.push(...ws);
    let maxAhead = 0;
    for (let t = 0; t < 40; t++) {
      const s = stats(m);
      maxAhead = Math.max(maxAhead, s.prealloc.aheadBytes);
      expect(s.prealloc.aheadBytes).toBeLessThanOrEqual(s.prealloc.budgetBytes);
      await sleep(250);
    }
    expect(maxAhead).toBeGreaterThan(0);
    for (const w of ws) w.kill('SIGTERM');

    // Fill to 97% and start a fresh writer: what it gets is a throttled share of an unthrottled one.
    const fresh = await startMount({ engine, args: ARGS });
    const unthrottled = join(fresh.dir, 'a.log');
    const w1 = writer(unthrottled, 10, 20, 50);
    procs.push(w1);
    await until('a confident, reserved stream', () => confident(fresh, '/a.log') && allocatedAhead(unthrottled) > 0, 20_000);
    const normal = await mostAhead(unthrottled);
    w1.kill('SIGTERM');
    await new Promise((r) => w1.on('exit', r));
    const st = fs.statfsSync(fresh.dir);
    const fillTo = Math.floor(st.blocks * st.bsize * 0.97);
    const used = (st.blocks - st.bavail) * st.bsize;
    sh(`dd if=/dev/zero of='${fresh.dir}/filler.bin' bs=1M count=${Math.floor((fillTo - used) / (1024 * 1024))}`);
    const tight = join(fresh.dir, 'b.log');
    const w2 = writer(tight, 10, 20, 50);
    procs.push(w2);
    // Compared at the same confidence: what differs is only the free space.
    await until('the second stream to be as confident', () => confident(fresh, '/b.log'), 20_000);
    const throttled = await mostAhead(tight);
    expect(throttled).toBeLessThan(normal);
    w2.kill('SIGTERM');
  }, 180_000);

  test('space is given back only once no writer has the file open (a punch could zero an append in flight)', async () => {
    const m = await startMount({ engine, args: ARGS });
    const file = join(m.dir, 'held.log');
    const w = writer(file, 60, 20, 50);
    procs.push(w);
    await until('a reservation', () => allocatedAhead(file) > 0, 30_000);
    w.kill('SIGUSR1'); // stops writing, keeps the file open
    await sleep(5000); // longer than the 3 s lifetime
    expect(allocatedAhead(file)).toBeGreaterThan(0);
    const held = stats(m).prealloc as Prealloc & { releasing: number };
    expect(held.reservations).toBe(1);
    expect(held.releasing).toBe(1);
    w.kill('SIGTERM'); // closes the file
    await new Promise((r) => w.on('exit', r));
    await until('the reservation to be given back', () => allocatedAhead(file) === 0 && stats(m).prealloc.reservations === 0, 10_000);
  }, 120_000);

  test('giving space back never touches data: bursts, idle gaps, a falling forecast and a rotation, every line whole', async () => {
    // A one-second horizon and lifetime make reservations come and go all through the run.
    const m = await startMount({ engine, args: ['--horizon', '1s', '--refresh', '50ms', '--prealloc-lifetime', '1s'] });
    const file = join(m.dir, 'bursty.log');
    const w = spawn(process.execPath, ['-e', `
      const fs = require('fs');
      let fd = fs.openSync(process.argv[1], 'a');
      let i = 0;
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      (async () => {
        for (let round = 0; round < 8; round++) {
          const n = [200, 2000, 50, 800][round % 4];
          for (let k = 0; k < n; k++) fs.writeSync(fd, 'INFO burst line ' + String(i++).padStart(7, '0') + ' ' + 'y'.repeat(80) + '\\n');
          if (round === 4) fs.renameSync(process.argv[1], process.argv[1] + '.1');
          await sleep(round % 2 ? 1500 : 300);
        }
        fs.closeSync(fd);
        process.stdout.write(String(i));
      })();`, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(w);
    let out = '';
    w.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => w.on('exit', r));
    const total = Number(out);
    expect(total).toBeGreaterThan(5000);
    const text = fs.readFileSync(`${file}.1`, 'utf8');
    expect(text.includes('\0')).toBe(false);
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(total);
    lines.forEach((l, i) => expect(l).toBe('INFO burst line ' + String(i).padStart(7, '0') + ' ' + 'y'.repeat(80)));
    // Reservations were made and given back during the run.
    const p = stats(m).prealloc;
    expect(p.reservedBytes).toBeGreaterThan(0);
  }, 120_000);

  test('without the allocation addon the daemon runs and says pre-allocation is off', async () => {
    // A copy of the package with no native build: the addon genuinely cannot be loaded.
    const pkg = makeScratch('pkg-');
    try {
      fs.cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
      fs.copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
      fs.symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
      const scratch = makeScratch();
      const dir = join(scratch, 'logs');
      fs.mkdirSync(dir);
      const run = join(scratch, 'run');
      const bin = join(pkg, 'dist/cli/main.js');
      const up = sh(`${process.execPath} ${bin} mount ${dir} --engine fuse-native --run-dir ${run} --background --size 16M --no-persist`);
      expect(up.status).toBe(0);
      try {
        fs.writeFileSync(join(dir, 'a.log'), 'INFO still logging\n');
        const s = JSON.parse(sh(`${process.execPath} ${bin} stats ${dir} --json --run-dir ${run}`).stdout) as Stats;
        expect(s.prealloc.enabled).toBe(false);
        expect(s.prealloc.reason).toMatch(/allocation addon is unavailable: .*not built/);
        expect(fs.readFileSync(join(dir, 'a.log'), 'utf8')).toBe('INFO still logging\n');
        const log = fs.readdirSync(run).find((f) => f.endsWith('.log'))!;
        expect(fs.readFileSync(join(run, log), 'utf8')).toMatch(/pre-allocation is off/);
      } finally {
        sh(`${process.execPath} ${bin} unmount ${dir} --discard --run-dir ${run}`);
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    } finally {
      fs.rmSync(pkg, { recursive: true, force: true });
    }
  }, 60_000);
});
