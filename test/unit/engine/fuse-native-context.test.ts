import { MAX_QUEUED_FILE_EVENTS, OpContext } from '../../../src/engine/fuse-native/context';
import { WriteRing } from '../../../src/ring/write-ring';

describe('fuse-native file-event queue', () => {
  test('a full queue drops opens (closing their descriptors, counted) but never the release of an announced open', () => {
    const ctx = new OpContext('/nonexistent', new WriteRing(64));
    const closed: number[] = [];
    const close = (fd: number) => closed.push(fd);
    ctx.emit({ kind: 'open', handle: 1, path: '/a.log', pid: 0, flags: 1, created: true, readFd: 10 }, close);
    for (let i = 1; i < MAX_QUEUED_FILE_EVENTS; i++) ctx.emit({ kind: 'rename', from: `/x${i}`, to: `/y${i}` }, close);
    // Full: the next open is dropped, its descriptor closed; its release is not sent either.
    ctx.emit({ kind: 'open', handle: 2, path: '/b.log', pid: 0, flags: 1, created: true, readFd: 11 }, close);
    ctx.emit({ kind: 'unlink', path: '/c.log' }, close);
    expect(closed).toEqual([11]);
    expect(ctx.counters.fileEventsDropped).toBe(2);
    ctx.emit({ kind: 'release', handle: 2 }, close);
    // The release of handle 1, whose open the consumer has: queued, full or not.
    ctx.emit({ kind: 'release', handle: 1 }, close);
    const events = ctx.takeEvents();
    expect(events).toHaveLength(MAX_QUEUED_FILE_EVENTS + 1);
    expect(events[events.length - 1]).toMatchObject({ kind: 'release', handle: 1 });
    expect(events.filter((e) => e.kind === 'release')).toHaveLength(1);
    expect(ctx.counters.fileEventsDropped).toBe(2);
  });
});
