import { ModelPool, phaseFor } from '../../../src/profile/model-pool';
import { Stream } from '../../../src/profile/stream';

describe('stream phases', () => {
  it('spread the streams of a directory evenly over the ticks of a slot and over a window', () => {
    const W = 10_000;
    const phases = Array.from({ length: 1000 }, (_, i) => phaseFor(`/var/log/app/s${i}.log`, W));
    expect(phases.every((p) => Number.isInteger(p) && p >= 0 && p < W)).toBe(true);
    // four 250 ms ticks per 1 s slot: each closes about a quarter of the slots
    const perTick = [0, 0, 0, 0];
    for (const p of phases) perTick[Math.floor((p % 1000) / 250)]++;
    for (const n of perTick) expect(n).toBeGreaterThan(200);
    // ten window starts per 10 s: none takes more than twice its share
    const perSecond = new Array<number>(10).fill(0);
    for (const p of phases) perSecond[Math.floor(p / 1000)]++;
    for (const n of perSecond) expect(n).toBeLessThan(200);
  });

  it('are the same for a stream every time it earns a model', () => {
    const pool = new ModelPool(1, { windowMs: 10_000 });
    const a = new Stream('file', '/a.log');
    const b = new Stream('file', '/b.log');
    a.recordWrite(1_234, 10);
    const first = pool.acquire(a, 1_234)!;
    first.observeWrite(1_234, 10);
    const origin = first.forecast(5_000).originMs;
    a.forecast = first.forecast(5_000);
    // the pool holds one, and a has been idle a window: a gives its model up, and the forecast it made
    b.recordWrite(20_000, 10);
    expect(pool.acquire(b, 20_000)).not.toBeNull();
    expect(a.model).toBeNull();
    expect(a.forecast).toBeNull();
    const again = pool.acquire(a, 40_000)!;
    expect(again).not.toBe(first);
    again.observeWrite(1_234, 10);
    expect(again.forecast(5_000).originMs).toBe(origin);
    expect(origin % 1000).toBe(phaseFor('/a.log', 10_000) % 1000);
  });
});

describe('a full model pool', () => {
  it('keeps its models with the streams that write: a newcomer waits for one idle a window', () => {
    const W = 10_000;
    const pool = new ModelPool(2, { windowMs: W });
    const [a, b, c] = ['/a.log', '/b.log', '/c.log'].map((k) => new Stream('file', k));
    const models = new Map<Stream, unknown>();
    // a and b write every second from t = 0; c from t = 3 s
    for (let t = 0; t <= 30_000; t += 1000) {
      for (const s of t >= 3000 ? [a, b, c] : [a, b]) {
        if (s === b && t > 12_000) continue; // b stops at 12 s
        s.recordWrite(t, 10);
        const m = pool.acquire(s, t);
        if (s !== c && t <= 12_000) {
          // no churn: a and b keep the model they got first
          expect(m).not.toBeNull();
          if (!models.has(s)) models.set(s, m);
          expect(m).toBe(models.get(s));
        }
        if (s === c) expect(m === null).toBe(t < 22_000); // b idle a window from 22 s
      }
    }
    expect(pool.evictions).toBe(1);
    expect(b.model).toBeNull();
    expect(a.model).toBe(models.get(a));
  });
});
