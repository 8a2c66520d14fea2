import * as fs from 'node:fs';
import { join } from 'node:path';
import { filesMadeAfter, locateFile } from '../../../src/daemon/checkpoint-file';
import type { Checkpoint } from '../../../src/profile/checkpoint';
import { Profiler, type ProfilerOptions } from '../../../src/profile/profiler';
import { FakeEngine } from '../../helpers/fake-engine';

/**
 * A daemon taking over from one that died (Profiler.checkpoint, then resume in a new profiler on
 * the same ring and files), against a fake engine: real ring, real files in /dev/shm, the real
 * checkpoint round trip through JSON and the real walk of the directory. The native engine's side
 * of it (kill -9, the engine starting the next daemon) is in daemon-restart.test.ts.
 */
describe('a takeover', () => {
  let engine: FakeEngine;
  const profilers: Profiler[] = [];
  const options = (more: Partial<ProfilerOptions> = {}) => ({ refreshMs: 250, horizonMs: 1000, ...more });
  const profiler = (more: Partial<ProfilerOptions> = {}) => {
    const p = new Profiler(engine, options(more));
    profilers.push(p);
    return p;
  };
  /** The successor of `old`, resumed from its checkpoint as the daemon resumes one from disk. */
  const takeOver = (old: Profiler, more: Partial<ProfilerOptions> = {}): Profiler => {
    const cp = JSON.parse(JSON.stringify(old.checkpoint(1, { tail: engine.ring.tail, dropped: engine.ring.dropped }))) as Checkpoint;
    const next = profiler(more);
    const open = (p: string) => {
      try {
        return fs.openSync(join(engine.dir, p), 'r');
      } catch {
        return -1;
      }
    };
    next.resume(cp, 0, (dev, ino, p) => locateFile(engine.dir, open, dev, ino, p), (ms, max) => filesMadeAfter(engine.dir, open, ms, max));
    return next;
  };

  beforeEach(() => {
    engine = FakeEngine.inShm();
  });
  afterEach(() => {
    for (const p of profilers.splice(0)) p.close();
    engine.cleanup();
  });

  test('a copy made in the mount (cp of a log) is not counted again as lines or bytes', () => {
    const p1 = profiler();
    const h = engine.open('/app.log', 'a', 100, 'app');
    for (let i = 0; i < 10; i++) engine.write(h, `INFO line ${i}\n`);
    engine.close(h);
    p1.tick();
    const src = engine.open('/app.log', 'r', 200, 'cp');
    const dst = engine.open('/app.log.1', 'w', 200, 'cp');
    engine.write(dst, fs.readFileSync(join(engine.dir, 'app.log')));
    engine.close(dst);
    engine.close(src);
    p1.tick();
    const before = p1.snapshot().totals;
    expect(before.copies.bytes).toBe(120);
    const p2 = takeOver(p1);
    p2.tick();
    expect(p2.snapshot().totals).toMatchObject({ lines: before.lines, bytes: before.bytes });
  });

  test('a file made while no daemon looked is read from its start, also when the file table is full', () => {
    const small = { maxInodes: 8, maxFileStreams: 8 };
    const p1 = profiler(small);
    for (let i = 0; i < 8; i++) {
      const h = engine.open(`/old${i}.log`);
      engine.write(h, 'INFO x\n');
      engine.close(h);
    }
    p1.tick();
    expect(p1.knownFiles).toBe(8);
    fs.writeFileSync(join(engine.dir, 'made.log'), 'ERROR made while none looked\nINFO and more\n');
    const p2 = takeOver(p1, small);
    p2.tick();
    const s = p2.snapshot();
    expect(s.totals).toMatchObject({ lines: 10, bytes: 8 * 7 + 43 });
    expect(s.totals.levels.error).toBe(1);
    expect(s.totals.gap.bytes).toBe(43);
  });

  test('a file opened and not written yet is counted from where it stood at the open, and what was caught up with is not counted again', () => {
    fs.writeFileSync(join(engine.dir, 'app.log'), 'INFO there before\n');
    const p1 = profiler();
    const h = engine.open('/app.log', 'a', 100, 'app');
    p1.tick();
    // written while no daemon looks: the successor reads it from the files
    fs.appendFileSync(join(engine.dir, 'app.log'), 'ERROR under watch\n');
    const p2 = takeOver(p1);
    p2.tick();
    expect(p2.snapshot().totals).toMatchObject({ lines: 1, bytes: 18 });
    const p3 = takeOver(p2);
    p3.tick();
    expect(p3.snapshot().totals).toMatchObject({ lines: 1, bytes: 18 });
    expect(p3.snapshot().totals.levels.error).toBe(1);
    engine.close(h);
  });

  test('a file that was there before, whose first write is still in the ring when the checkpoint is made, is read from where the open found it', () => {
    fs.writeFileSync(join(engine.dir, 'app.log'), 'INFO there before the open\n');
    const p1 = profiler();
    const h = engine.open('/app.log', 'a', 100, 'app');
    engine.write(h, 'ERROR first under watch\n');
    // The write landed; its record is claimed and not yet published when the tick looks.
    const seq = new Uint32Array(engine.ring.buffer);
    const slot = 16 + ((engine.ring.head - 1) & (engine.ring.capacity - 1)) * 8;
    seq[slot] -= 1;
    p1.tick();
    seq[slot] += 1;
    // The successor skips the records made before it attached: the file tells what they wrote.
    engine.ring.skipTo(engine.ring.head);
    const p2 = takeOver(p1);
    p2.tick();
    expect(p2.snapshot().totals).toMatchObject({ lines: 1, bytes: 24 });
    expect(p2.snapshot().totals.levels.error).toBe(1);
    engine.close(h);
  });
});
