import { SEV_ERROR, SEV_INFO } from '../../../src/model/severity';
import { createForecast, SERIES_BYTES } from '../../../src/model/forecast';
import { TRACK_MODEL, TRACK_MOVING_AVERAGE, TRACK_NAIVE_LAST, type WindowRecord } from '../../../src/model/issued-forecasts';
import { createEntries } from '../../../src/model/predicted-entries';
import { fillLevelQuantiles, StreamModel } from '../../../src/model/stream-model';
import { exponential, mulberry32 } from '../../helpers/random';

const TICK = 250;
const W = 10_000;

interface Scored {
  startMs: number;
  actual: number;
  point: number;
  q05: number;
  q95: number;
  q25: number;
  q75: number;
}

function recorder(): { records: Scored[]; onWindow: (r: WindowRecord) => void } {
  const records: Scored[] = [];
  return {
    records,
    onWindow: (r) => {
      const b = (SERIES_BYTES * 3 + TRACK_MODEL) * 6;
      records.push({
        startMs: r.startMs, actual: r.actual[SERIES_BYTES], point: r.issued[b], q05: r.issued[b + 1],
        q25: r.issued[b + 2], q75: r.issued[b + 4], q95: r.issued[b + 5],
      });
    },
  };
}

/** Feeds writes (time, bytes) tick by tick up to `endMs`, calling `each` after every tick. */
function replay(m: StreamModel, writes: Array<[number, number]>, fromMs: number, endMs: number,
  each?: (tick: number) => void): void {
  let k = 0;
  for (let tick = fromMs + TICK; tick <= endMs; tick += TICK) {
    while (k < writes.length && writes[k][0] < tick) {
      m.observeWrite(writes[k][0], writes[k][1]);
      m.observeLine(writes[k][1], SEV_INFO);
      k++;
    }
    m.endTick(tick);
    each?.(tick);
  }
}

function constantWrites(fromMs: number, toMs: number, everyMs: number, bytes: number): Array<[number, number]> {
  const w: Array<[number, number]> = [];
  for (let t = fromMs; t < toMs; t += everyMs) w.push([t, bytes]);
  return w;
}

describe('StreamModel on synthetic streams', () => {
  it('constant rate: the forecast converges to it and its error goes to ~0', () => {
    const { records, onWindow } = recorder();
    const m = new StreamModel({ onWindow });
    replay(m, constantWrites(0, 600_000, 100, 100), 0, 600_000); // 10 writes/s of 100 B: 10 kB per window
    const late = records.slice(-20);
    for (const r of late) {
      expect(r.actual).toBe(10_000);
      expect(Math.abs(r.point - 10_000)).toBeLessThan(1);
    }
    const f = m.forecast(600_000);
    expect(f.bytes.point).toBeCloseTo(10_000, 0);
    expect(f.lines.point).toBeCloseTo(100, 0);
    expect(f.writes.point).toBeCloseTo(100, 0);
    expect(m.scorer.stats(SERIES_BYTES, TRACK_MODEL).mae).toBeLessThan(1);
    expect(f.confidence).toBeGreaterThan(0.9);
    const rates = m.stats(600_000);
    expect(rates.bytesPerSec[1]).toBeCloseTo(1000, -1);
    expect(rates.writeSize.p50).toBeGreaterThan(97.5);
    expect(rates.writeSize.p50).toBeLessThan(102.5);
  });

  it('Poisson stream: the 90% interval covers about 90% of windows', () => {
    const rand = mulberry32(2024);
    const writes: Array<[number, number]> = [];
    const end = 10_000_000; // 1000 windows
    for (let t = exponential(rand, 200); t < end; t += exponential(rand, 200)) {
      writes.push([t, 60 + Math.floor(80 * rand())]); // 5 writes/s, 60-139 B
    }
    const { records, onWindow } = recorder();
    replay(new StreamModel({ onWindow }), writes, 0, end);
    const scored = records.slice(30);
    expect(scored.length).toBeGreaterThan(900);
    const cov90 = scored.filter((r) => r.actual >= r.q05 && r.actual <= r.q95).length / scored.length;
    const cov50 = scored.filter((r) => r.actual >= r.q25 && r.actual <= r.q75).length / scored.length;
    expect(cov90).toBeGreaterThanOrEqual(0.85);
    expect(cov90).toBeLessThanOrEqual(0.95);
    expect(cov50).toBeGreaterThanOrEqual(0.4);
    expect(cov50).toBeLessThanOrEqual(0.6);
  });

  it('a rate that doubles is followed within a few ticks', () => {
    const change = 300_000;
    const writes = [...constantWrites(0, change, 100, 100), ...constantWrites(change, 400_000, 50, 100)];
    const m = new StreamModel();
    const f = createForecast();
    let followedAt = Number.NaN;
    let worstAfter = 0;
    replay(m, writes, 0, 400_000, (tick) => {
      if (tick <= change) return;
      m.forecastInto(f, tick);
      const off = Math.abs(f.bytes.point - 20_000) / 20_000;
      if (Number.isNaN(followedAt)) {
        if (off <= 0.1) followedAt = tick;
      } else worstAfter = Math.max(worstAfter, off);
    });
    expect((followedAt - change) / TICK).toBeLessThanOrEqual(12); // a window is 40 ticks, a slot 4
    // and it stays there while the window-based members catch up
    expect(worstAfter).toBeLessThanOrEqual(0.1);
  });

  it('a stream that stops: the forecast decays to zero and confidence falls', () => {
    const stop = 300_000;
    const m = new StreamModel();
    const f = createForecast();
    replay(m, constantWrites(0, stop, 100, 100), 0, stop);
    const before = m.forecastInto(f, stop).confidence;
    expect(before).toBeGreaterThan(0.9);
    let zeroAt = Number.NaN;
    replay(m, [], stop, stop + 300_000, (tick) => {
      if (!Number.isNaN(zeroAt)) return;
      m.forecastInto(f, tick);
      if (f.bytes.point === 0 && f.bytes.mean < 1) zeroAt = tick;
    });
    expect((zeroAt - stop) / TICK).toBeLessThanOrEqual(12);
    const after = m.forecastInto(f, stop + 300_000);
    expect(after.bytes.point).toBe(0);
    expect(after.bytes.q95).toBeLessThan(200);
    expect(after.confidence).toBeLessThan(before / 2);
    expect(m.isDormant(stop + 300_000)).toBe(false);
    expect(m.isDormant(stop + 400_000)).toBe(true);
  });
});

describe('StreamModel mechanics', () => {
  it('scores each window with the forecast issued at its start, aligned to the window', () => {
    const { records, onWindow } = recorder();
    const m = new StreamModel({ onWindow });
    // a single burst inside one window: the forecast issued before it cannot have seen it
    replay(m, constantWrites(61_000, 62_000, 10, 100), 0, 120_000);
    const burst = records.find((r) => r.actual > 0);
    expect(burst?.startMs).toBe(60_000);
    expect(burst?.point).toBe(0);
    for (const r of records) expect(r.startMs % W).toBe(0);
  });

  it('catches up lazily over an idle gap, then goes dormant without scoring every empty window', () => {
    const { records, onWindow } = recorder();
    const m = new StreamModel({ onWindow });
    replay(m, constantWrites(0, 60_000, 100, 100), 0, 60_000);
    const n = records.length;
    m.endTick(3_600_000); // an hour later, in one call
    const scoredInGap = records.length - n;
    expect(scoredInGap).toBeGreaterThan(36); // the history and a window more were scored
    expect(scoredInGap).toBeLessThan(60); // not the 354 empty windows of the hour
    m.observeWrite(3_600_500, 100);
    m.endTick(3_620_000);
    expect(records[records.length - 1].startMs).toBe(3_610_000);
  });

  it('forecasts lines per level from the severity mix, and bounded predicted entries', () => {
    const m = new StreamModel();
    for (let t = 0; t < 120_000; t += 100) {
      m.observeWrite(t, 120);
      m.observeLine(120, (t / 100) % 4 === 0 ? SEV_ERROR : SEV_INFO);
    }
    const f = m.forecast(120_000);
    expect(f.levelMix[SEV_ERROR]).toBeCloseTo(0.25, 1);
    expect(f.levels[SEV_ERROR].mean).toBeCloseTo(25, -1);
    expect(f.levels[SEV_INFO].median).toBeGreaterThan(f.levels[SEV_ERROR].median);
    const entries = createEntries(16);
    const n = m.predictEntries(entries, 120_000);
    expect(n).toBe(16);
    expect(entries.linesPerEntry).toBeCloseTo(100 / 16, 0);
    const errors = Array.from(entries.level.slice(0, n)).filter((l) => l === SEV_ERROR).length;
    expect(errors).toBe(4);
    for (let i = 1; i < n; i++) expect(entries.timeMs[i]).toBeGreaterThan(entries.timeMs[i - 1]);
    expect(entries.timeMs[n - 1]).toBeLessThan(f.originMs + W);
  });

  it('forecasts entries: an error entry of four lines (a stack trace) after every two info lines', () => {
    const m = new StreamModel();
    // Per 600 ms: info, info, then an error entry of 1 + 3 continuation lines; 6 lines, 3 entries.
    for (let t = 0; t < 120_000; t += 100) {
      const k = (t / 100) % 6;
      m.observeWrite(t, 100);
      m.observeLine(100, k < 2 ? SEV_INFO : SEV_ERROR, k <= 2);
    }
    const f = m.forecast(120_000);
    expect(f.lines.mean).toBeCloseTo(100, -1);
    expect(f.entries.mean / f.lines.mean).toBeCloseTo(0.5, 2);
    // Lines are two-thirds error, entries one-third.
    expect(f.levelMix[SEV_ERROR]).toBeCloseTo(2 / 3, 1);
    expect(f.entryLevelMix[SEV_ERROR]).toBeCloseTo(1 / 3, 1);
    const entries = createEntries(64);
    const n = m.predictEntries(entries, 120_000);
    expect(n).toBe(Math.round(f.entries.mean));
    expect(entries.linesPerEntry).toBeCloseTo(2, 1);
    const errors = Array.from(entries.level.slice(0, n)).filter((l) => l === SEV_ERROR).length;
    expect(errors / n).toBeCloseTo(1 / 3, 1);
  });

  it('a phase shifts every window by it: the same stream scores the same windows, later', () => {
    const writes = constantWrites(0, 200_000, 100, 100);
    const plain = recorder();
    replay(new StreamModel({ onWindow: plain.onWindow }), writes, 0, 200_000);
    const shifted = recorder();
    const phased = new StreamModel({ onWindow: shifted.onWindow, phaseMs: 3_700 });
    replay(phased, writes, 0, 200_000);
    expect(plain.records.every((r) => r.startMs % W === 0)).toBe(true);
    expect(shifted.records.length).toBeGreaterThan(10);
    expect(shifted.records.every((r) => (r.startMs - 3_700) % W === 0)).toBe(true);
    // 10 writes/s of 100 B: every full window holds 10 kB whatever its phase
    expect(shifted.records.slice(2).every((r) => r.actual === 10_000)).toBe(true);
    expect(phased.forecast(200_000).originMs % 1000).toBe(700);
    expect(() => new StreamModel({ phaseMs: W })).toThrow(RangeError);
  });

  it('a forecast is stale only once a slot has closed since it was made', () => {
    const m = new StreamModel({ phaseMs: 250 });
    replay(m, constantWrites(0, 30_000, 100, 100), 0, 30_000);
    const f = m.forecastInto(createForecast(), 30_100);
    expect(f.originMs).toBe(29_250);
    expect(m.forecastStale(f, 30_200)).toBe(false);
    expect(m.forecastStale(f, 30_249)).toBe(false);
    expect(m.forecastStale(f, 30_250)).toBe(true);
    expect(m.forecastStale(createForecast(), 30_100)).toBe(true);
    // the level quantiles wait for a view; filled, they are those of a whole forecast
    expect(f.levelQuantiles).toBe(false);
    expect(f.levels[SEV_INFO].mean).toBeCloseTo(f.lines.mean, 6);
    expect(fillLevelQuantiles(f).levels).toEqual(m.forecast(30_100).levels);
    expect(f.levels[SEV_INFO].q95).toBeGreaterThan(f.levels[SEV_INFO].q05);
  });

  it('has fixed memory: state does not grow with the data', () => {
    const m = new StreamModel();
    const before = m.stateBytes;
    const rand = mulberry32(1);
    let t = 0;
    for (let i = 0; i < 50_000; i++) {
      t += exponential(rand, 50);
      m.observeWrite(t, 50 + 200 * rand());
      m.observeLine(100, SEV_INFO);
    }
    m.endTick(t);
    expect(m.stateBytes).toBe(before);
    expect(before).toBeLessThan(32 * 1024);
  });
});

describe('StreamModel reference tracks', () => {
  it('read from the ensemble\'s own members score exactly as instances of their own', () => {
    // Bursty writes with silences, so that residuals, shifts and idle windows all happen.
    const rnd = mulberry32(21);
    const writes: Array<[number, number]> = [];
    for (let t = 0; t < 900_000; t += exponential(rnd, Math.floor(t / 60_000) % 3 === 0 ? 400 : 40)) {
      if (Math.floor(t / 45_000) % 5 !== 4) writes.push([t, 40 + Math.floor(rnd() * 400)]);
    }
    const sharedIssued: number[][] = [];
    const capture = (into: number[][]) => (r: WindowRecord) => {
      const row: number[] = [];
      for (let s = 0; s < 3; s++) for (const track of [TRACK_NAIVE_LAST, TRACK_MOVING_AVERAGE]) {
        const b = (s * 3 + track) * 6;
        for (let k = 0; k < 6; k++) row.push(r.issued[b + k]);
      }
      into.push(row);
    };
    const shared = new StreamModel({ onWindow: capture(sharedIssued) });
    const ownIssued: number[][] = [];
    // A model that is no ensemble keeps reference instances of its own.
    const own = new StreamModel({ forecaster: 'empirical', onWindow: capture(ownIssued) });
    replay(shared, writes, 0, 900_000);
    replay(own, writes, 0, 900_000);
    expect(sharedIssued.length).toBeGreaterThan(80);
    expect(sharedIssued).toEqual(ownIssued);
    // each track is its own forecaster: the naive last window's point is not the moving average's
    expect(sharedIssued.filter((row) => row[0] !== row[6]).length).toBeGreaterThan(20);
    for (let s = 0; s < 3; s++) {
      for (const track of [TRACK_NAIVE_LAST, TRACK_MOVING_AVERAGE]) {
        expect(shared.scorer.stats(s, track)).toEqual(own.scorer.stats(s, track));
      }
    }
  });
});

describe('StreamModel memory sharing', () => {
  it('models made from one options object share what it resolves to, each with its own phase and observer, and record their windows apart', () => {
    const writesA = constantWrites(0, 300_000, 70, 120);
    const writesB = constantWrites(5, 300_000, 310, 900);
    const shared = {};
    const [ra, rb, sa, sb] = [recorder(), recorder(), recorder(), recorder()];
    const a = new StreamModel(shared, { phaseMs: 0, onWindow: ra.onWindow });
    const b = new StreamModel(shared, { phaseMs: 3_000, onWindow: rb.onWindow });
    expect(a.options).toBe(b.options);
    // the same streams, each model on options of its own
    const alone = [new StreamModel({ onWindow: sa.onWindow }), new StreamModel({ phaseMs: 3_000, onWindow: sb.onWindow })];
    expect(alone[0].options).not.toBe(alone[1].options);
    // fed interleaved, tick by tick: their windows close in the same ticks, through one record
    let ka = 0;
    let kb = 0;
    for (let tick = TICK; tick <= 300_000; tick += TICK) {
      for (; ka < writesA.length && writesA[ka][0] < tick; ka++) for (const m of [a, alone[0]]) m.observeWrite(writesA[ka][0], writesA[ka][1]);
      for (; kb < writesB.length && writesB[kb][0] < tick; kb++) for (const m of [b, alone[1]]) m.observeWrite(writesB[kb][0], writesB[kb][1]);
      for (const m of [a, b, ...alone]) m.endTick(tick);
    }
    expect(ra.records.length).toBeGreaterThan(25);
    expect(ra.records).toEqual(sa.records);
    expect(rb.records).toEqual(sb.records);
    expect(ra.records[5].actual).not.toBe(rb.records[5].actual);
  });

  it("a forecast's quantities are stored apart and serialize as plain numbers", () => {
    const m = new StreamModel();
    replay(m, constantWrites(0, 60_000, 100, 80), 0, 60_000);
    const f = fillLevelQuantiles(m.forecast(60_000));
    expect(f.bytes.mean).toBeGreaterThan(0);
    const bytes = JSON.parse(JSON.stringify(f.bytes)) as Record<string, number>;
    expect(bytes).toEqual({ mean: f.bytes.mean, point: f.bytes.point, median: f.bytes.median, q05: f.bytes.q05, q25: f.bytes.q25, q75: f.bytes.q75, q95: f.bytes.q95 });
    const before = [f.bytes.q95, f.lines.q95, f.levels[SEV_INFO].q95, f.levelMix[SEV_INFO], f.entryLevelMix[SEV_INFO]];
    f.writes.q95 = -1;
    f.levels[SEV_ERROR].q95 = -1;
    f.levelMix[SEV_ERROR] = -1;
    expect([f.bytes.q95, f.lines.q95, f.levels[SEV_INFO].q95, f.levelMix[SEV_INFO], f.entryLevelMix[SEV_INFO]]).toEqual(before);
    expect(f.entryLevelMix[SEV_ERROR]).not.toBe(-1);
  });
});
