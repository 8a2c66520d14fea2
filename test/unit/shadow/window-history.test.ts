import { SEV_INFO } from '../../../src/model/severity';
import { SERIES_BYTES } from '../../../src/model/forecast';
import { TRACK_MODEL, TRACK_MOVING_AVERAGE, TRACK_NAIVE_LAST } from '../../../src/model/issued-forecasts';
import { ModelPool } from '../../../src/profile/model-pool';
import { LineKind } from '../../../src/profile/content-profile';
import { FORMAT_COUNT } from '../../../src/profile/formats';
import { Stream } from '../../../src/profile/stream';
import { scoreWindows } from '../../../src/report/scores';
import { historyView, WindowHistory } from '../../../src/shadow/window-history';
import { mulberry32 } from '../../helpers/random';

const W = 1000;
const TICK = 250;

/** Writes of random size and timing into a stream for `seconds`, ending each tick. */
function feed(stream: Stream, fromMs: number, seconds: number, seed: number): number {
  const rnd = mulberry32(seed);
  let t = fromMs;
  const end = fromMs + seconds * 1000;
  for (let tick = fromMs + TICK; tick <= end; tick += TICK) {
    while (t < tick) {
      const bytes = 50 + Math.floor(rnd() * 200);
      stream.recordWrite(t, bytes);
      stream.recordLine(bytes, SEV_INFO, 0, FORMAT_COUNT, LineKind.StartsEntry);
      t += 5 + rnd() * 60;
    }
    stream.model!.endTick(tick);
  }
  return end;
}

describe('WindowHistory', () => {
  test('keeps the last windows of a file stream, in order, exactly as the scorer scored them', () => {
    const history = new WindowHistory(32);
    const pool = new ModelPool(8, { windowMs: W, scorerWindows: 32 });
    pool.onWindowFor = history.recorderFor;
    const file = new Stream('file', '/app.log');
    pool.acquire(file);
    const end = feed(file, 100_000, 80, 7);
    const [[stream, h]] = history.entries();
    expect(stream).toBe(file);
    // 80 s of 1 s windows: more than the 32 kept, and the ring wrapped.
    expect(h.total).toBeGreaterThanOrEqual(75);
    expect(h.size).toBe(32);
    const windows = h.windows();
    for (let i = 1; i < windows.length; i++) expect(windows[i].startMs - windows[i - 1].startMs).toBe(W);
    expect(windows[windows.length - 1].startMs).toBeLessThanOrEqual(end - W);
    // The same 32 windows the scorer keeps: its MAE and coverage per forecaster are recomputed exactly.
    const view = historyView(history, W, 0, 0).streams[0].windows;
    const mine = scoreWindows(view);
    const scorer = file.model!.scorer;
    const tracks = { model: TRACK_MODEL, naiveLast: TRACK_NAIVE_LAST, movingAverage: TRACK_MOVING_AVERAGE } as const;
    for (const [name, track] of Object.entries(tracks) as Array<[keyof typeof tracks, number]>) {
      const st = scorer.stats(SERIES_BYTES, track);
      expect(st.windows).toBe(32);
      // (the scorer keeps its errors in 32-bit floats)
      expect(mine[name].mae).toBeCloseTo(st.mae, 2);
      expect(mine[name].coverage90).toBeCloseTo(st.coverage90, 9);
    }
    // Real bytes per window add up to what was written in those windows.
    expect(windows.every((x) => x.actualBytes > 0 && x.actualLines > 0)).toBe(true);
    expect(h.stateBytes).toBe(32 * (3 * 8 + 9 * 4));
  });

  test('application streams keep no history; a released model drops its stream\'s history', () => {
    const history = new WindowHistory(16);
    const pool = new ModelPool(8, { windowMs: W });
    pool.onWindowFor = history.recorderFor;
    const app = new Stream('app', 'nginx');
    const a = new Stream('file', '/a.log');
    const b = new Stream('file', '/b.log');
    for (const s of [app, a, b]) pool.acquire(s);
    feed(app, 0, 5, 1);
    feed(a, 0, 5, 2);
    feed(b, 0, 5, 3);
    expect(history.entries().map(([s]) => s.key).sort()).toEqual(['/a.log', '/b.log']);
    pool.release(a);
    expect(history.entries().map(([s]) => s.key)).toEqual(['/b.log']);
  });

  test('the view: busiest first, bounded, one file on request, Unix times', () => {
    const history = new WindowHistory(8);
    const pool = new ModelPool(8, { windowMs: W });
    pool.onWindowFor = history.recorderFor;
    const streams = ['/small.log', '/big.log', '/mid.log'].map((k) => new Stream('file', k));
    streams.forEach((s, i) => {
      pool.acquire(s);
      feed(s, 0, 4 + 2 * i, 10 + i);
    });
    // Totals decide the order, not the names.
    streams[0].bytes = 10;
    streams[1].bytes = 1000;
    streams[2].bytes = 500;
    const v = historyView(history, W, 50_000, 1_700_000_050_000, { top: 2 });
    expect(v.schema).toBe('logshadow.history/1');
    expect(v.streamsKept).toBe(3);
    expect(v.streams.map((s) => s.key)).toEqual(['/big.log', '/mid.log']);
    const first = history.entries().find(([s]) => s.key === '/big.log')![1].windows()[0];
    expect(v.streams[0].windows[0].startUnixMs).toBe(1_700_000_000_000 + first.startMs);
    expect(historyView(history, W, 0, 0, { file: '/small.log' }).streams.map((s) => s.key)).toEqual(['/small.log']);
    expect(historyView(history, W, 0, 0, { file: '/nope.log' }).streams).toEqual([]);
  });
});
