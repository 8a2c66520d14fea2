import { TickStats } from '../../../src/daemon/tick-stats';

describe('TickStats', () => {
  it('summarises the last ticks, or only those after a mark', () => {
    const t = new TickStats(8);
    for (const ms of [100, 90, 80]) t.record(ms, 1); // a start-up
    const mark = t.count;
    for (const ms of [1, 2, 3, 4]) t.record(ms, 5);
    expect(t.summary()).toMatchObject({ count: 7, ticks: 7, maxMs: 100, activeStreams: 5 });
    const steady = t.summary(mark);
    expect(steady).toMatchObject({ count: 7, ticks: 4, maxMs: 4, p99Ms: 4 });
    expect(steady.meanMs).toBeCloseTo(2.5, 9);
    expect(t.summary(t.count).ticks).toBe(0);
    // the ring forgets the oldest: a mark older than it covers what it still holds
    for (let i = 0; i < 10; i++) t.record(7, 5);
    expect(t.summary(mark)).toMatchObject({ ticks: 8, maxMs: 7 });
  });
});
