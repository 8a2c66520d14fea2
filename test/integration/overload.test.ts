import * as fs from 'node:fs';
import { join } from 'node:path';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { sleep, untilResolved } from '../helpers/wait';
import { Children } from './examples/example-helpers';
import { request } from '../../src/control/client';
import { socketPath } from '../../src/control/paths';

/**
 * Writers that outpace the profiler on purpose: a ring of 256 slots, fio jobs of 256 B writes
 * and shell loops that open, append one WARN line and close, all at once. Records are dropped;
 * lines, bytes and levels must not be, the counts that became estimates must say so, and the
 * daemon must keep answering meanwhile. (How fast it answers is the overload benchmark's
 * business: bench/overload.ts.)
 */
const LOOPS = 3;
const LINES = 3000;
const warnLine = (k: number, i: number) => `2026-12-03 10:00:00 WARN loop ${k} line ${i}`;

interface Stream { key: string; bytes: number; lines: number; levels: Record<string, number>; unrecordedBytes: number }
interface Stats {
  totals: { bytes: number; lines: number; unrecordedBytes: number; estimated: string[] };
  droppedRecords: number;
  backlog: { records: number; bytes: number };
  files: Stream[];
}

describe.each(testEngines())('writers that outpace the profiler (%s engine)', (engine) => {
  const children = new Children();
  let m: MountHandle;
  afterAll(async () => {
    await children.stopAll(2000);
    await stopAllMounts();
  });

  test('a full ring drops records, never lines, bytes or levels, and the daemon answers throughout', async () => {
    m = await startMount({ engine, args: ['--ring-capacity', '256', '--size', '512M'] });
    const fio = children.start('fio', ['--name=overload', `--directory=${m.dir}`, '--rw=write', '--bs=256', '--ioengine=sync',
      '--size=16m', '--time_based', '--runtime=6', '--numjobs=2', '--output=/dev/null']);
    const script = 'for i in $(seq 1 "$2"); do echo "2026-12-03 10:00:00 WARN loop $1 line $i" >> "$3/warn$1.log"; done';
    const loops = Array.from({ length: LOOPS }, (_, k) => children.start('bash', ['-c', script, 'loop', String(k), String(LINES), m.dir]).exited);
    let writing = true;
    const done = Promise.all([fio.exited, ...loops]).then((codes) => {
      writing = false;
      return codes;
    });
    // A request that finds no answer within 10 s throws: the daemon must not stall under load.
    const stats = (params: Record<string, unknown>) => request<Stats>(socketPath(m.runDir, m.dir), 'stats', params, 10_000);
    let answers = 0;
    while (writing) {
      await stats({ top: 0 });
      answers++;
      await sleep(300);
    }
    expect(await done).toEqual([0, ...loops.map(() => 0)]);
    expect(answers).toBeGreaterThan(3);

    // Once the profiler has caught up (nothing in the ring, nothing left to read), every count
    // that is not marked as an estimate is exact.
    const s = await untilResolved('the profiler to catch up', async () => {
      const r = await stats({});
      if (r.backlog.records > 0 || r.backlog.bytes > 0) throw new Error(`behind by ${JSON.stringify(r.backlog)}`);
      return r;
    }, 120_000);
    expect(s.droppedRecords).toBeGreaterThan(0);
    expect(s.totals.estimated).toEqual(['writes', 'apps']);
    let onDisk = 0;
    for (const name of fs.readdirSync(m.dir)) onDisk += fs.statSync(join(m.dir, name)).size;
    expect(s.totals.bytes).toBe(onDisk);
    expect(s.totals.unrecordedBytes).toBeGreaterThan(0);
    for (let k = 0; k < LOOPS; k++) {
      const text = fs.readFileSync(join(m.dir, `warn${k}.log`), 'utf8');
      // Every line landed, whole and in order (nothing the profiler does touches the files)...
      expect(text).toBe(Array.from({ length: LINES }, (_, i) => warnLine(k, i + 1) + '\n').join(''));
      // ...and every one is counted, with its level, against the file's exact size.
      const f = s.files.find((x) => x.key === `/warn${k}.log`)!;
      expect({ bytes: f.bytes, lines: f.lines, warn: f.levels.warn }).toEqual({ bytes: Buffer.byteLength(text), lines: LINES, warn: LINES });
    }
    await m.stop();
  }, 240_000);
});
