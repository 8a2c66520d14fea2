import * as fs from 'node:fs';
import { join } from 'node:path';
import { CheckpointWriter } from '../../../src/daemon/checkpoint-writer';
import { readCheckpoint } from '../../../src/daemon/checkpoint-file';
import { Profiler } from '../../../src/profile/profiler';
import { FakeEngine } from '../../helpers/fake-engine';

describe('CheckpointWriter', () => {
  let engine: FakeEngine;
  let profiler: Profiler;
  let file: string;

  beforeEach(() => {
    engine = FakeEngine.inShm();
    profiler = new Profiler(engine, { refreshMs: 250, horizonMs: 1000 });
    file = join(engine.dir, '..', `checkpoint-${process.pid}.json`);
    for (let i = 0; i < 300; i++) {
      const h = engine.open(`/s${i}.log`, 'a', 100 + (i % 7), `app${i % 7}`);
      engine.write(h, `INFO line ${i}\nERROR broke ${i}\n`);
      engine.close(h);
    }
    profiler.tick();
  });
  afterEach(() => {
    profiler.close();
    engine.cleanup();
    fs.rmSync(file, { force: true });
  });

  const ring = { tail: 7, dropped: 0 };

  test('written a few states per step, the file says what a whole checkpoint says', () => {
    const w = new CheckpointWriter(file);
    w.begin(profiler.checkpointParts(42, ring, 1_000), profiler.ticks);
    let steps = 1;
    // a deadline already past: one piece of states per step
    while (!w.step(0)) steps++;
    expect(steps).toBeGreaterThan(5);
    expect(w.busy).toBe(false);
    const whole = profiler.checkpoint(42, ring, 1_000);
    expect(whole.files).toHaveLength(300);
    expect(readCheckpoint(file, 42)).toEqual(JSON.parse(JSON.stringify(whole)));
  });

  test('a tick of the profiler while it is written marks it overtaken: nothing half-old is written', () => {
    const w = new CheckpointWriter(file);
    w.begin(profiler.checkpointParts(42, ring), profiler.ticks);
    expect(w.step(0)).toBe(false);
    expect(w.overtaken(profiler.ticks)).toBe(false);
    profiler.tick();
    expect(w.overtaken(profiler.ticks)).toBe(true);
    w.drop();
    expect(w.busy).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });
});
