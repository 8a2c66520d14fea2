import * as fs from 'node:fs';
import { join } from 'node:path';
import { Allocator } from '../../../src/alloc/allocator';
import { loadNativeAlloc } from '../../../src/engine/native/alloc-addon';
import type { AllocationPolicy } from '../../../src/alloc/policy';
import type { Logger } from '../../../src/util/logger';
import { Profiler } from '../../../src/profile/profiler';
import { ShadowLog } from '../../../src/shadow/shadow-log';
import { FakeEngine } from '../../helpers/fake-engine';

/**
 * The allocator against a fake engine: real files in /dev/shm (tmpfs, so reserved blocks show in
 * st_blocks), the real fallocate addon, a policy that always wants the same amount, and time
 * passed in by hand. No mount, no root.
 */
const alloc = loadNativeAlloc();
if (!alloc.ok) throw new Error(`the allocation addon is needed: ${alloc.reason}`);

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;
const fixed = (bytes: number): AllocationPolicy => ({ name: 'fixed', target: () => bytes });
const KiB = 1024;

describe('allocator', () => {
  let engine: FakeEngine;
  let profiler: Profiler;
  let shadow: ShadowLog;
  let allocator: Allocator;
  let now = 0;

  function setup(policy: AllocationPolicy, budgetBytes = 1 << 20): void {
    engine = FakeEngine.inShm();
    profiler = new Profiler(engine, { refreshMs: 250, horizonMs: 1000 });
    shadow = new ShadowLog(profiler, engine.dir, { horizonMs: 1000 });
    allocator = new Allocator(profiler, engine, alloc.ok ? alloc.addon : (undefined as never), {
      policy, budgetBytes, lifetimeMs: 60_000, horizonMs: 1000, refreshMs: 250, releaseAtLastClose: false,
    }, silent);
  }

  /** One daemon tick: profile, forecast, allocate. */
  function tick(advanceMs = 250): void {
    now += advanceMs;
    profiler.tick();
    shadow.refresh(now);
    allocator.tick(now, shadow.filesystem());
  }

  /** Blocks the file holds past its size: what is reserved ahead of it. */
  function reservedPast(name: string): number {
    const st = fs.statSync(join(engine.dir, name));
    return Math.max(0, st.blocks * 512 - Math.ceil(st.size / 4096) * 4096);
  }

  /** A writer that has written in two ticks: its stream has a model and a forecast. */
  function modelledWriter(name: string): number {
    const h = engine.open(`/${name}`);
    engine.write(h, 'INFO one\n');
    tick();
    engine.write(h, 'INFO two\n');
    tick();
    return h;
  }

  afterEach(() => {
    allocator.close();
    profiler.close();
    engine.cleanup();
  });

  test('space is reserved ahead of a written file, past its end, without changing its size', () => {
    setup(fixed(64 * KiB));
    const h = modelledWriter('app.log');
    tick();
    expect(reservedPast('app.log')).toBe(64 * KiB);
    expect(fs.statSync(join(engine.dir, 'app.log')).size).toBe(18);
    expect(allocator.aheadBytes).toBeGreaterThan(60 * KiB);
    engine.close(h);
  });

  test('after a truncation a new reservation starts from the new end: no growth that never happened', () => {
    setup(fixed(64 * KiB));
    const h = modelledWriter('app.log');
    engine.write(h, `INFO ${'x'.repeat(10 * KiB)}\n`);
    tick();
    tick();
    expect(reservedPast('app.log')).toBeGreaterThan(0);
    engine.truncate('/app.log', 0); // logrotate's copytruncate; the writer then reopens
    tick();
    engine.close(h);
    tick();
    expect(allocator.reservations).toBe(0);
    const watched = allocator.totals.watchedBytes;
    const h2 = engine.open('/app.log');
    for (let i = 0; i < 4; i++) {
      engine.write(h2, 'INFO after\n');
      // the model's slots are 100 ms of real time: a reservation is sized again as each closes
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120);
      tick();
    }
    expect(allocator.reservations).toBe(1);
    // only the bytes written since count as growth (the file's old end does not)
    expect(allocator.totals.watchedBytes - watched).toBeLessThanOrEqual(4 * 11);
    expect(fs.statSync(join(engine.dir, 'app.log')).size).toBe(4 * 11);
    engine.close(h2);
  });

  test('all files together never hold more than the budget', () => {
    setup(fixed(64 * KiB), 100 * KiB);
    const handles = ['a.log', 'b.log', 'c.log', 'd.log'].map(modelledWriter);
    for (let i = 0; i < 4; i++) tick();
    const held = ['a.log', 'b.log', 'c.log', 'd.log'].reduce((n, f) => n + reservedPast(f), 0);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(100 * KiB);
    expect(allocator.aheadBytes).toBeLessThanOrEqual(100 * KiB);
    for (const h of handles) engine.close(h);
  });

  test('a top-up reserves past the end of file as it is, not as far as the profiler has read: never pages inside the file', () => {
    setup(fixed(64 * KiB));
    const h = modelledWriter('app.log');
    tick();
    expect(reservedPast('app.log')).toBe(64 * KiB);
    const path = join(engine.dir, 'app.log');
    // The profiler counts 40 KiB more (its reservation is then under half the target ahead)...
    engine.write(h, `INFO ${'x'.repeat(40 * KiB)}\n`);
    profiler.tick();
    // ... and the writer goes on, 100 KiB the profiler has not drained yet (a daemon behind).
    engine.write(h, `INFO ${'y'.repeat(100 * KiB)}\n`);
    const fd = fs.openSync(path, 'r+');
    const freeInside = (): number => {
      // what a tiered file's sync does to its synced part: the pages inside the file go
      expect(alloc.ok && alloc.addon.punchHole(fd, 0, Math.floor(fs.fstatSync(fd).size / 4096) * 4096)).toBe(0);
      return fs.fstatSync(fd).blocks;
    };
    try {
      freeInside();
      now += 250;
      shadow.refresh(now);
      allocator.tick(now, shadow.filesystem());
      const afterTopUp = fs.fstatSync(fd).blocks;
      // Nothing the top-up allocated lies inside the file: freeing the inside again frees nothing.
      expect(freeInside()).toBe(afterTopUp);
      // and it did reserve: past the end (the inside holds at most its last page)
      expect(afterTopUp * 512).toBeGreaterThan(32 * KiB);
      // The first reservation was written into whole, and counts so once, whenever the profiler
      // gets to the bytes.
      expect(allocator.totals.hitBytes).toBe(64 * KiB);
      tick();
      expect(allocator.totals.hitBytes).toBe(64 * KiB);
    } finally {
      fs.closeSync(fd);
      engine.close(h);
    }
  });

  test('a file rotated away while its writer keeps it open is held (never punched under a writer), then given back at the close', () => {
    setup(fixed(64 * KiB));
    const h = modelledWriter('app.log');
    tick();
    expect(reservedPast('app.log')).toBe(64 * KiB);
    engine.rename('/app.log', '/app.log.1');
    tick();
    // The engine refuses the punch while a handle can write: the reservation waits.
    expect(reservedPast('app.log.1')).toBe(64 * KiB);
    expect(allocator.releasing).toBe(1);
    engine.close(h);
    tick();
    expect(reservedPast('app.log.1')).toBe(0);
    expect(allocator.reservations).toBe(0);
    expect(allocator.totals.releasedUnusedBytes).toBe(64 * KiB);
  });

  test('a reservation not written into for its lifetime goes back; then the engine hears nothing is held', () => {
    setup(fixed(64 * KiB));
    const h = modelledWriter('idle.log');
    tick();
    engine.close(h);
    tick();
    expect(reservedPast('idle.log')).toBe(64 * KiB); // an appender that closed after writing keeps it
    tick(61_000);
    expect(reservedPast('idle.log')).toBe(0);
    const st = fs.statSync(join(engine.dir, 'idle.log'));
    expect(engine.done.has(`${st.dev}:${st.ino}`)).toBe(true);
  });

  test('on unmount every reservation goes back, directly once the engine has stopped serving', async () => {
    setup(fixed(64 * KiB));
    const h = modelledWriter('app.log');
    tick();
    expect(reservedPast('app.log')).toBe(64 * KiB);
    await engine.unmount(); // a writer still open: only a stopped engine lets the allocator punch
    allocator.close();
    expect(reservedPast('app.log')).toBe(0);
    expect(allocator.reservations).toBe(0);
    engine.close(h);
  });
});
