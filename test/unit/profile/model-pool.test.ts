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
    const first = pool.acquire(a);
    first.observeWrite(1_234, 10);
    const origin = first.forecast(5_000).originMs;
    a.forecast = first.forecast(5_000);
    pool.acquire(b); // the pool holds one: a gives its model up, and the forecast it made
    expect(a.model).toBeNull();
    expect(a.forecast).toBeNull();
    const again = pool.acquire(a);
    expect(again).not.toBe(first);
    again.observeWrite(1_234, 10);
    expect(again.forecast(5_000).originMs).toBe(origin);
    expect(origin % 1000).toBe(phaseFor('/a.log', 10_000) % 1000);
  });
});
