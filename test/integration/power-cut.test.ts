import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli } from '../helpers/cli';
import { LoopDisk, mountCopy } from '../helpers/loop-disk';
import { forceCleanup } from '../helpers/mount';
import { testEngines } from '../helpers/engines';
import { makeScratch } from '../helpers/scratch';
import { sleep, untilResolved } from '../helpers/wait';
import { request } from '../../src/control/client';
import { mountKey, recordPath, socketPath } from '../../src/control/paths';

const WRITER = join(ROOT, 'test/fixtures/durable-writer.js');
const CLI = join(ROOT, 'dist/cli/main.js');
/** A refresh tick plus a sync on a loop device, with room for a loaded CI machine. */
const SEVERITY_BOUND_MS = 250 + 1250;

interface Checkpoint {
  t: number;
  a1: number;
  a2: number;
  b: number;
}

/**
 * How many whole lines the copy of one file holds, checked to be exactly a prefix of what was
 * written to that file: its lines in order from the first, then at most the beginning of the
 * next one. No hole, no garbage, no line of another file.
 */
function prefixOf(path: string, lineOf: (seq: number) => string): number {
  if (!fs.existsSync(path)) return -1;
  const text = fs.readFileSync(path, 'latin1');
  let pos = 0;
  let seq = 0;
  for (;;) {
    const line = lineOf(seq) + '\n';
    if (text.startsWith(line, pos)) {
      pos += line.length;
      seq++;
      continue;
    }
    expect(line.startsWith(text.slice(pos))).toBe(true);
    return seq - 1;
  }
}

const aLine = (gen: number) => (seq: number) => `a gen=${gen} seq=${seq} ${'i'.repeat(40 + (seq % 50))}`;
const bLine = (seq: number) => `2026-12-03 10:00:00 ERROR b seq=${seq} something failed`;

describe.each(testEngines())('a power cut on a tiered mount over a real ext4 disk (%s engine)', (engine) => {
  const scratch = makeScratch('powercut');
  // No timed journal commit: only what was fsynced is on the disk, and the copy of the image
  // is taken while nothing writes to it (see LoopDisk.snapshot).
  const disk = new LoopDisk(scratch, 256, 'commit=600');
  const copyMnt = join(scratch, 'copy');
  let logs = '';
  let runDir = '';

  afterAll(() => {
    if (logs) forceCleanup(logs);
    spawnSync('umount', ['--lazy', copyMnt]);
    if (runDir) spawnSync('umount', ['--lazy', join(runDir, 'ram', mountKey(logs))]);
    disk.destroy();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('loses no line acknowledged before the last completed sync, no --sync-on line older than a tick and a sync, and leaves every file a prefix of itself', async () => {
    disk.create();
    logs = join(disk.mnt, 'logs');
    runDir = join(scratch, 'run');
    fs.mkdirSync(logs);
    // No interval sync during the test: what is on disk comes from the explicit sync, the
    // severity syncs of b.log, and whatever ext4 itself writes back.
    const daemon = spawn(process.execPath, [CLI, 'mount', logs, '--run-dir', runDir, '--engine', engine, '--size', '128M', '--max-unsynced', '96M', '--sync-interval', '1h', '--sync-on', 'error'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    daemon.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await untilResolved('the mount', () => request(socketPath(runDir, logs), 'ping', {}, 500));

    const writer = spawn(process.execPath, [WRITER, logs, '6'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const checkpoints: Checkpoint[] = [];
    let buffered = '';
    writer.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) checkpoints.push(JSON.parse(p) as Checkpoint);
    });
    const writerDone = new Promise((r) => writer.on('exit', r));

    // Halfway through the second generation of a.log: `logshadow sync`.
    await sleep(4000);
    const beforeSync = checkpoints[checkpoints.length - 1];
    const sync = cli(['sync', logs, '--json', '--run-dir', runDir]);
    expect(sync.status).toBe(0);
    await sleep(1200);

    // The cut: every process of the mount dies at once (the daemon first: it would otherwise see
    // the native engine end and say so), then the disk is copied as it stands.
    const record = JSON.parse(fs.readFileSync(recordPath(runDir, logs), 'utf8')) as { enginePid?: number };
    process.kill(daemon.pid!, 'SIGKILL');
    if (record.enginePid) process.kill(record.enginePid, 'SIGKILL');
    const cutAt = Date.now();
    disk.snapshot(join(scratch, 'cut.img'));
    await writerDone;
    mountCopy(join(scratch, 'cut.img'), copyMnt);

    const a1 = prefixOf(join(copyMnt, 'logs/a.log.1'), aLine(1));
    const a2 = prefixOf(join(copyMnt, 'logs/a.log'), aLine(2));
    const b = prefixOf(join(copyMnt, 'logs/b.log'), bLine);
    // Everything acknowledged before the sync began is there.
    expect(a1).toBeGreaterThanOrEqual(beforeSync.a1);
    expect(a2).toBeGreaterThanOrEqual(beforeSync.a2);
    expect(b).toBeGreaterThanOrEqual(beforeSync.b);
    // Every ERROR line acknowledged more than a tick and a sync before the cut is there.
    const old = checkpoints.filter((c) => c.t <= cutAt - SEVERITY_BOUND_MS).pop()!;
    expect(b).toBeGreaterThanOrEqual(old.b);
    // And the cut did lose something (else the test proves nothing): a.log's unsynced tail.
    const last = checkpoints[checkpoints.length - 1];
    expect(a2).toBeLessThan(last.a2);
    expect(log).not.toMatch(/error:/);
  });
});
