import { WriteRing } from '../../../src/ring/write-ring';

describe('WriteRing', () => {
  test('records come out in order with every field intact', () => {
    const ring = new WriteRing(8);
    for (let i = 0; i < 5; i++) expect(ring.push(i + 1, 1000.5 + i, 2 ** 40 + i, 100 + i, 4000 + i)).toBe(true);
    const seen: number[][] = [];
    expect(ring.drain((r) => seen.push([r.handle, r.timeMs, r.offset, r.length, r.pid]))).toBe(5);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => [i + 1, 1000.5 + i, 2 ** 40 + i, 100 + i, 4000 + i]));
    expect(ring.pending).toBe(0);
  });

  test('a full ring drops and counts, never overwrites, and frees slots as it drains', () => {
    const ring = new WriteRing(4);
    for (let i = 0; i < 4; i++) expect(ring.push(i, 0, 0, 1, 0)).toBe(true);
    expect(ring.push(99, 0, 0, 1, 0)).toBe(false);
    expect(ring.push(98, 0, 0, 1, 0)).toBe(false);
    expect(ring.dropped).toBe(2);
    const handles: number[] = [];
    ring.drain((r) => handles.push(r.handle), 2);
    expect(handles).toEqual([0, 1]);
    expect(ring.push(5, 0, 0, 1, 0)).toBe(true);
    ring.drain((r) => handles.push(r.handle));
    expect(handles).toEqual([0, 1, 2, 3, 5]);
  });

  test('positions wrap around 2^32 without losing order', () => {
    const ring = new WriteRing(4);
    // Start near the wrap point: head/tail and every seq as if 2^32 - 6 records had passed.
    const u32 = new Uint32Array(ring.buffer);
    const start = 2 ** 32 - 6;
    u32[2] = start;
    u32[3] = start;
    for (let i = 0; i < 4; i++) u32[16 + ((start + i) & 3) * 8] = (start + i) >>> 0;
    const out: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 3; k++) expect(ring.push(round * 3 + k, 0, 0, 1, 0)).toBe(true);
      ring.drain((r) => out.push(r.handle));
    }
    expect(out).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(ring.dropped).toBe(0);
  });

  test('a ring made elsewhere is adopted only with the expected layout version', () => {
    const a = new WriteRing(16);
    a.push(7, 1, 2, 3, 4);
    const b = new WriteRing(a.buffer as ArrayBuffer);
    const got: number[] = [];
    b.drain((r) => got.push(r.handle));
    expect(got).toEqual([7]);
    new Uint32Array(a.buffer)[1] = 99;
    expect(() => new WriteRing(a.buffer as ArrayBuffer)).toThrow(/layout 99/);
  });

  test('a visitor that throws loses only the record it was given: the ring never jams', () => {
    const ring = new WriteRing(8);
    for (let i = 1; i <= 6; i++) ring.push(i, 0, 0, 1, 0);
    const got: number[] = [];
    expect(() => ring.drain((r) => {
      if (r.handle === 3) throw new Error('bad descriptor');
      got.push(r.handle);
    })).toThrow('bad descriptor');
    ring.drain((r) => got.push(r.handle));
    expect(got).toEqual([1, 2, 4, 5, 6]);
    // Every slot is free again: a full ring's worth fits without a drop.
    for (let i = 0; i < 8; i++) expect(ring.push(10 + i, 0, 0, 1, 0)).toBe(true);
    expect(ring.dropped).toBe(0);
  });

  describe('a consumer killed inside drain (its tail never stored) jams nothing for the next', () => {
    const H_TAIL = 3;
    /** Drains `n` records as a consumer killed before its drain stored the tail leaves the ring. */
    function killedDraining(ring: WriteRing, n: number): void {
      const u32 = new Uint32Array(ring.buffer);
      const tail = u32[H_TAIL];
      expect(new WriteRing(ring.buffer as ArrayBuffer).drain(() => undefined, n)).toBe(n);
      u32[H_TAIL] = tail;
    }

    test('the freed records are passed over at the attach, and what comes after drains', () => {
      const ring = new WriteRing(8);
      for (let i = 0; i < 6; i++) ring.push(i, 0, 0, 1, 0);
      killedDraining(ring, 4);
      const next = new WriteRing(ring.buffer as ArrayBuffer);
      expect(next.skipTo(next.head)).toBe(6);
      expect(next.pending).toBe(0);
      for (let i = 0; i < 8; i++) expect(ring.push(10 + i, 0, 0, 1, 0)).toBe(true);
      const got: number[] = [];
      next.drain((r) => got.push(r.handle));
      expect(got).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
      expect(ring.dropped).toBe(0);
    });

    test('freed slots already written again for the next lap are passed over, that lap read in order', () => {
      const ring = new WriteRing(4);
      for (let i = 0; i < 4; i++) ring.push(i, 0, 0, 1, 0);
      killedDraining(ring, 3);
      // Producers take the three freed slots for positions 4-6; the fourth finds position 3 unread.
      for (let i = 4; i < 7; i++) expect(ring.push(i, 0, 0, 1, 0)).toBe(true);
      expect(ring.push(7, 0, 0, 1, 0)).toBe(false);
      const next = new WriteRing(ring.buffer as ArrayBuffer);
      // Attached when the head was at 5: what came later (5 and 6) is drained.
      expect(next.skipTo(5)).toBe(5);
      expect(next.tail).toBe(5);
      const got: number[] = [];
      next.drain((r) => got.push(r.handle));
      expect(got).toEqual([5, 6]);
      for (let i = 0; i < 4; i++) expect(ring.push(20 + i, 0, 0, 1, 0)).toBe(true);
      next.drain((r) => got.push(r.handle));
      expect(got).toEqual([5, 6, 20, 21, 22, 23]);
    });

    test('a record still being written stops the skip there, as before', () => {
      const ring = new WriteRing(8);
      for (let i = 0; i < 3; i++) ring.push(i, 0, 0, 1, 0);
      killedDraining(ring, 2);
      const u32 = new Uint32Array(ring.buffer);
      // position 2 claimed by a producer that has not published it yet: seq back to 2
      u32[16 + 2 * 8] = 2;
      const next = new WriteRing(ring.buffer as ArrayBuffer);
      expect(next.skipTo(next.head)).toBe(2);
      expect(next.tail).toBe(2);
      u32[16 + 2 * 8] = 3;
      const got: number[] = [];
      next.drain((r) => got.push(r.handle));
      expect(got).toEqual([2]);
    });
  });
});
