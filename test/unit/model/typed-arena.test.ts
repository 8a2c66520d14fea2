import { f32, f64, inArena, u32 } from '../../../src/model/typed-arena';
import { StreamModel } from '../../../src/model/stream-model';
import { SEV_INFO } from '../../../src/model/severity';

describe('typed arena', () => {
  it('carves a model\'s arrays out of one buffer: zeroed, aligned, not overlapping', () => {
    const [a, b, c] = inArena(() => [f64(3), f32(5), u32(2)] as const);
    expect(a.buffer).toBe(b.buffer);
    expect(b.buffer).toBe(c.buffer);
    for (const v of [a, b, c]) {
      expect(v.byteOffset % 8).toBe(0);
      expect(Array.from(v).every((x) => x === 0)).toBe(true);
    }
    a.fill(1);
    b.fill(2);
    c.fill(3);
    expect(Array.from(a)).toEqual([1, 1, 1]);
    expect(Array.from(b)).toEqual([2, 2, 2, 2, 2]);
    expect(Array.from(c)).toEqual([3, 3]);
    // outside an arena: arrays of their own
    const d = f64(2);
    expect(d.buffer).not.toBe(a.buffer);
    expect(d.byteLength).toBe(d.buffer.byteLength);
  });

  it('an arena that outgrows its first buffer takes another', () => {
    const [small, big] = inArena(() => [f64(1), f64(100_000)] as const);
    expect(big.length).toBe(100_000);
    expect(big.buffer).not.toBe(small.buffer);
  });

  it('a model made in an arena forecasts exactly as one made without', () => {
    const plain = new StreamModel({ phaseMs: 300 });
    const carved = inArena(() => new StreamModel({ phaseMs: 300 }));
    for (let t = 0; t < 120_000; t += 250) {
      for (const m of [plain, carved]) {
        m.observeWrite(t, 80 + (t % 7));
        m.observeLine(80, SEV_INFO);
        m.endTick(t);
      }
    }
    expect(carved.forecast(120_000)).toEqual(plain.forecast(120_000));
    expect(carved.stateBytes).toBe(plain.stateBytes);
  });
});
