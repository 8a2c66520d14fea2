import { f64, inArena, region32, region64, regionU32 } from '../../../src/model/typed-arena';
import { StreamModel } from '../../../src/model/stream-model';
import { SEV_INFO } from '../../../src/model/severity';

describe('typed arena', () => {
  it('carves a model\'s numbers out of one buffer: regions zeroed, aligned, apart, in views shared by all', () => {
    const [[a, ao], [b, bo], [c, co], d] = inArena(() => [region64(3), region32(5), regionU32(2), f64(4)] as const);
    expect(a.buffer).toBe(b.buffer);
    expect(b.buffer).toBe(c.buffer);
    expect(d.buffer).toBe(a.buffer);
    for (const [v, o, n] of [[a, ao, 3], [b, bo, 5], [c, co, 2]] as const) {
      expect((o * v.BYTES_PER_ELEMENT) % 8).toBe(0);
      expect(Array.from(v.subarray(o, o + n)).every((x) => x === 0)).toBe(true);
    }
    a.fill(1, ao, ao + 3);
    b.fill(2, bo, bo + 5);
    c.fill(3, co, co + 2);
    d.fill(4);
    expect(Array.from(a.subarray(ao, ao + 3))).toEqual([1, 1, 1]);
    expect(Array.from(b.subarray(bo, bo + 5))).toEqual([2, 2, 2, 2, 2]);
    expect(Array.from(c.subarray(co, co + 2))).toEqual([3, 3]);
    expect(Array.from(d)).toEqual([4, 4, 4, 4]);
    // outside an arena: arrays of their own, from index 0
    const [e, eo] = region64(2);
    expect(e.buffer).not.toBe(a.buffer);
    expect([e.length, eo]).toEqual([2, 0]);
  });

  it('an arena that outgrows its first buffer takes another', () => {
    const [[small], [big, at]] = inArena(() => [region64(1), region64(100_000)] as const);
    expect(big.length - at).toBeGreaterThanOrEqual(100_000);
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
