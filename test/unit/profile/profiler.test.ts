import * as fs from 'node:fs';
import { join } from 'node:path';
import { Profiler } from '../../../src/profile/profiler';
import type { ProfileSnapshot, StreamSnapshot } from '../../../src/profile/snapshot';
import { FakeEngine } from '../../helpers/fake-engine';

/**
 * The profiler against a fake engine (real ring, real files in /dev/shm, real read descriptors;
 * no mount, no root): what it counts, where it credits it, and what it tells the engine.
 */
describe('profiler', () => {
  let engine: FakeEngine;
  let profiler: Profiler;

  beforeEach(() => {
    engine = FakeEngine.inShm();
    profiler = new Profiler(engine, { refreshMs: 250, horizonMs: 1000 });
  });
  afterEach(() => {
    profiler.close();
    engine.cleanup();
  });

  const file = (snap: ProfileSnapshot, key: string) => snap.files.find((f) => f.key === key);
  const app = (snap: ProfileSnapshot, key: string) => snap.apps.find((f) => f.key === key);

  test('each line is counted once, by level, for its file and the application that wrote it', () => {
    const h = engine.open('/app.log', 'a', 100, 'nginx');
    engine.write(h, 'ERROR boom\nINFO fine\nWARN hm');
    profiler.tick();
    engine.write(h, 'm\nINFO again\n');
    engine.close(h);
    profiler.tick();
    const s = profiler.snapshot();
    expect(s.totals).toMatchObject({ writes: 2, lines: 4, files: 1, apps: 1 });
    expect(file(s, '/app.log')!.levels).toMatchObject({ error: 1, info: 2, warn: 1 });
    expect(app(s, 'nginx')!.lines).toBe(4);
    expect(s.totals.levels).toMatchObject({ error: 1, info: 2, warn: 1 });
  });

  test('a rotated file keeps feeding the stream at its new name; its successor continues the old key', () => {
    const h = engine.open('/app.log');
    engine.write(h, 'INFO a\n');
    profiler.tick();
    engine.rename('/app.log', '/app.log.1');
    engine.write(h, 'INFO b\n');
    const h2 = engine.open('/app.log');
    engine.write(h2, 'INFO c\n');
    profiler.tick();
    const s = profiler.snapshot();
    expect(file(s, '/app.log')!.lines).toBe(2);
    expect(file(s, '/app.log.1')!.lines).toBe(1);
    engine.close(h);
    engine.close(h2);
  });

  test('lines per level only ever grow, while the bounded file table evicts streams', () => {
    profiler.close();
    profiler = new Profiler(engine, { refreshMs: 250, horizonMs: 1000, maxFileStreams: 8, maxInodes: 8 });
    let last = 0;
    for (let i = 0; i < 40; i++) {
      const h = engine.open(`/f${i}.log`);
      engine.write(h, 'ERROR one\nERROR two\n');
      engine.close(h);
      profiler.tick();
      const s = profiler.snapshot();
      const errors = s.totals.levels.error;
      expect(errors).toBe(2 * (i + 1));
      expect(errors).toBeGreaterThanOrEqual(last);
      last = errors;
      // The per-file table forgets: its sum is no counter.
      expect(s.files.reduce((n, f) => n + (f.levels.error ?? 0), 0)).toBeLessThanOrEqual(16);
    }
  });

  test.each([
    ['logrotate\'s copytruncate (the original opened read-write, to be truncated)', 'r+', 'logrotate'],
    ['cp (the original opened read-only)', 'r', 'cp'],
  ] as const)('what a process copies from one file of the mount into another is counted apart: %s', (_what, mode, comm) => {
    const h = engine.open('/app.log', 'a', 100, 'app');
    for (let i = 0; i < 10; i++) engine.write(h, `INFO line ${i}\n`);
    profiler.tick();
    // Read the file, write its copy, truncate the original.
    const src = engine.open('/app.log', mode, 200, comm);
    const dst = engine.open('/app.log.1', 'w', 200, comm);
    engine.write(dst, fs.readFileSync(join(engine.dir, 'app.log')));
    engine.truncate('/app.log', 0);
    engine.close(dst);
    engine.close(src);
    engine.write(h, 'INFO after\n');
    engine.close(h);
    profiler.tick();
    const s = profiler.snapshot();
    const appBytes = 10 * 'INFO line 0\n'.length + 'INFO after\n'.length;
    expect(s.totals).toMatchObject({ writes: 11, bytes: appBytes, lines: 11 });
    expect(s.totals.copies).toEqual({ writes: 1, bytes: 10 * 'INFO line 0\n'.length, files: 1 });
    expect(file(s, '/app.log.1')).toMatchObject({ writes: 0, lines: 0, copiedBytes: 10 * 'INFO line 0\n'.length });
    expect(app(s, comm)).toBeUndefined();
    expect(file(s, '/app.log')!.unreadBytes).toBe(0);
  });

  test('a process that reads one file of the mount and appends to another (a log shipper) is an application, not a copier', () => {
    engine.close(engine.open('/app.log'));
    const tail = engine.open('/app.log', 'r', 300, 'shipper');
    const own = engine.open('/shipper.log', 'a', 300, 'shipper');
    engine.write(own, 'INFO shipped 10 lines\n');
    engine.close(own);
    engine.close(tail);
    profiler.tick();
    const s = profiler.snapshot();
    expect(s.totals.copies.writes).toBe(0);
    expect(app(s, 'shipper')!.lines).toBe(1);
  });

  test('bytes written just before a truncation are read and classified when the engine asks first', () => {
    engine.onFileGone((dev, ino) => {
      if (profiler.mayHold(dev, ino)) profiler.tick();
    });
    const h = engine.open('/busy.log');
    engine.write(h, 'ERROR lost?\nINFO lost?\n');
    engine.truncate('/busy.log', 0); // within the tick: nothing read yet
    engine.write(h, 'INFO next\n');
    profiler.tick();
    const s = profiler.snapshot();
    expect(engine.asked).toHaveLength(1);
    expect(file(s, '/busy.log')).toMatchObject({ lines: 3, unreadBytes: 0 });
    expect(file(s, '/busy.log')!.levels.error).toBe(1);
    engine.close(h);
  });

  test('once a closed file is read to its end, the engine is told nothing is held on it', () => {
    const h = engine.open('/once.log');
    engine.write(h, 'INFO x\n');
    engine.close(h);
    profiler.tick();
    const st = fs.statSync(join(engine.dir, 'once.log'));
    expect(engine.done.has(`${st.dev}:${st.ino}`)).toBe(true);
    expect(profiler.mayHold(st.dev, st.ino)).toBe(false);
  });

  test('a tick cut short by its deadline leaves the rest for the next one, and loses no line nor its application', () => {
    engine.cleanup();
    engine = FakeEngine.inShm(16384);
    profiler = new Profiler(engine, { refreshMs: 250, horizonMs: 1000 });
    const writers = ['nginx', 'php', 'cron'].map((comm, i) => ({ comm, h: engine.open(`/f${i}.log`, 'a', 100 + i, comm) }));
    for (let k = 0; k < 3000; k++) for (const w of writers) engine.write(w.h, `INFO ${w.comm} line ${k}\n`);
    // A deadline already past: one slice of records, no file read.
    expect(profiler.tick(performance.now() - 1)).toBe(false);
    expect(profiler.backlog.records + profiler.backlog.bytes).toBeGreaterThan(0);
    expect(profiler.snapshot().totals.lines).toBe(0);
    for (let k = 0; k < 10 && !profiler.tick(performance.now() - 1); k++);
    expect(profiler.tick()).toBe(true);
    expect(profiler.backlog).toEqual({ records: 0, bytes: 0 });
    const s = profiler.snapshot();
    expect(s.totals).toMatchObject({ writes: 9000, lines: 9000 });
    for (const w of writers) expect(app(s, w.comm)!.lines).toBe(3000);
  });

  test('a record still being written: the refresh goes on while it drains, waits once a tick drains nothing (no spin), and counts it once published', () => {
    const h = engine.open('/app.log', 'a', 100, 'nginx');
    engine.write(h, 'INFO one\n');
    engine.write(h, 'INFO two\n');
    // The second record's slot claimed by its producer, not yet published.
    const seq = new Uint32Array(engine.ring.buffer);
    const slot = 16 + ((engine.ring.head - 1) & (engine.ring.capacity - 1)) * 8;
    const published = seq[slot];
    seq[slot] = published - 1;
    expect(profiler.tick(performance.now() + 60_000)).toBe(false);
    expect(profiler.snapshot().totals.writes).toBe(1);
    expect(profiler.tick(performance.now() + 60_000)).toBe(true);
    expect(profiler.backlog.records).toBe(1);
    seq[slot] = published;
    expect(profiler.tick(performance.now() + 60_000)).toBe(true);
    expect(profiler.snapshot().totals).toMatchObject({ writes: 2, lines: 2 });
    engine.close(h);
  });

  test('ticks cut short while open-append-close events come with the records keep every event in its place: the same counts, credited alike', () => {
    /** Open-append-close by three applications into seven files, a rename and a truncation among them. */
    const workload = (e: FakeEngine) => {
      const levels = ['INFO', 'WARN', 'ERROR'];
      for (let k = 0; k < 400; k++) {
        const comm = ['nginx', 'php', 'cron'][k % 3];
        const h = e.open(`/f${k % 7}.log`, 'a', 100 + (k % 3), comm);
        e.write(h, `${levels[k % 3]} ${comm} cycle ${k}\n`);
        if (k % 5 === 0) e.write(h, `INFO second write ${k}\n`);
        e.close(h);
        if (k === 150) e.rename('/f3.log', '/f3.log.1');
        if (k === 250) e.truncate('/f5.log', 0);
      }
      // Events with no record after them: files opened and closed, written by nobody.
      for (let k = 0; k < 40; k++) e.close(e.open(`/idle${k}.log`, 'a', 300, 'touch'));
    };
    const counts = (p: Profiler) => {
      const s = p.snapshot();
      const pick = (x: StreamSnapshot) => [x.key, x.writes, x.bytes, x.lines, JSON.stringify(x.levels)];
      return { totals: s.totals, files: s.files.map(pick).sort(), apps: s.apps.map(pick).sort() };
    };
    workload(engine);
    profiler.tick();
    const whole = counts(profiler);

    const cut = FakeEngine.inShm();
    const p2 = new Profiler(cut, { refreshMs: 250, horizonMs: 1000 });
    try {
      workload(cut);
      // A deadline already past cuts each tick after a slice of records or of events (a later
      // tick, with time to spare, ends the work).
      for (let k = 0; k < 100; k++) expect(p2.tick(performance.now() - 1)).toBe(false);
      expect(p2.tick(performance.now() + 60_000)).toBe(true);
      expect(counts(p2)).toEqual(whole);
      expect(whole.totals.writes).toBe(480);
      // and every close was applied: the engine was told nothing is held on each idle file
      for (let k = 0; k < 40; k++) {
        const st = fs.statSync(join(cut.dir, `idle${k}.log`));
        expect(cut.done.has(`${st.dev}:${st.ino}`)).toBe(true);
      }
      expect(p2.unknownHandleRecords).toBe(0);
    } finally {
      p2.close();
      cut.cleanup();
    }
  });

  test('a file that was there before, whose first write lost its record before its open was applied, is counted from its size at the open', () => {
    engine.cleanup();
    engine = FakeEngine.inShm(16);
    profiler = new Profiler(engine, { refreshMs: 250, horizonMs: 1000 });
    fs.writeFileSync(join(engine.dir, 'app.log'), 'INFO there before the open\n');
    const filler = engine.open('/filler.log', 'a', 100, 'app');
    for (let k = 0; k < 16; k++) engine.write(filler, 'INFO f\n');
    const h = engine.open('/app.log', 'a', 101, 'app');
    engine.write(h, 'ERROR under watch\n');
    expect(engine.ring.dropped).toBe(1);
    profiler.tick();
    const s = profiler.snapshot();
    expect(file(s, '/app.log')).toMatchObject({ bytes: 18, lines: 1 });
    expect(s.totals.levels.error).toBe(1);
    engine.close(h);
    engine.close(filler);
  });

  test('ticks cut short, by their records or by the events after them, with records dropped, lose no byte', () => {
    /** A file fills the ring; then files are created, written (their records dropped) and closed. */
    const workload = (e: FakeEngine, filling: number) => {
      const a = e.open('/a.log', 'a', 100, 'app');
      for (let k = 0; k < filling; k++) e.write(a, 'INFO a\n');
      for (let k = 0; k < 20; k++) {
        const h = e.open(`/n${k}.log`, 'a', 101, 'app');
        e.write(h, 'WARN n\n');
        e.close(h);
      }
    };
    const run = (ring: number, cut: 'none' | 'records' | 'events') => {
      const e = FakeEngine.inShm(ring);
      const p = new Profiler(e, { refreshMs: 250, horizonMs: 1000 });
      try {
        workload(e, ring);
        expect(e.ring.dropped).toBe(20);
        if (cut === 'records') p.tick(performance.now() - 1);
        if (cut === 'events') {
          // The deadline passes just as the records are all drained: the events after them are cut.
          const now = jest.spyOn(performance, 'now').mockImplementation(() => (e.ring.pending > 0 ? 0 : 10));
          try {
            p.tick(1);
          } finally {
            now.mockRestore();
          }
        }
        p.tick();
        return p.snapshot().totals;
      } finally {
        p.close();
        e.cleanup();
      }
    };
    for (const ring of [16, 128]) {
      const whole = run(ring, 'none');
      expect(whole).toMatchObject({ bytes: ring * 7 + 20 * 7, lines: ring + 20 });
      for (const cut of ['records', 'events'] as const) expect(run(ring, cut)).toMatchObject({ bytes: whole.bytes, lines: whole.lines });
    }
  });
});
