import { renderShadow } from '../../../src/cli/commands/shadow';
import { renderStats, type StatsReply } from '../../../src/cli/commands/stats';
import { counted, table } from '../../../src/util/format';
import { renderFrame, type TopShadow, type TopStats } from '../../../src/cli/top-frame';
import type { StreamSnapshot } from '../../../src/profile/snapshot';
import type { Interval, ShadowView, StreamShadow } from '../../../src/shadow/shadow-log';
import { mulberry32 } from '../../helpers/random';

/** What a newcomer's runs showed: values cut by their columns, a point outside its interval, "1 files". */

const skewed: Interval = { mean: 1283, median: 900, p50: [800, 1000], p90: [716, 1134] };
const wide: Interval = { mean: 28_400, median: 28_400, p50: [20_000, 40_000], p90: [10_000, 50_400] };

function streamShadow(key: string, bytes: Interval, lines: Interval): StreamShadow {
  return {
    key, kind: 'file', originAgoMs: 0, bytes, lines, writes: lines, levels: {}, levelMix: {}, confidence: 0.8,
    forecaster: 'ensemble', burst: false, periodSec: 0, entries: [], linesPerEntry: 1,
    scores: { bytes: { model: { windows: 0 } }, lines: { model: { windows: 0 } } },
  } as unknown as StreamShadow; // only the fields the renderer reads
}

function shadowReply(streams: StreamShadow[]): ShadowView & { mountpoint: string } {
  return {
    schema: 'logshadow.shadow/1', mountpoint: '/var/log/app', horizonMs: 10_000, refreshedAgoMs: 3,
    filesystem: { bytes: wide, lines: skewed, levels: {}, sizeBytes: 64 << 20, freeBytes: 60 << 20, timeToFullSec: { atMean: null, atP95: null }, streams: streams.length, entryCount: skewed },
    streams,
  };
}

/** Every "point [lo-hi]" in the text, as numbers (k suffix understood). */
function pointsAndIntervals(text: string): Array<[number, number, number]> {
  const n = (s: string) => Number(s.replace(/k$/, '')) * (s.endsWith('k') ? 1000 : 1);
  return [...text.matchAll(/(\d+(?:\.\d+)?k?) \[(\d+(?:\.\d+)?k?)-(\d+(?:\.\d+)?k?)\]/g)].map((m) => [n(m[1]), n(m[2]), n(m[3])]);
}

describe('values in human output', () => {
  test('shadow: a shown point lies inside its shown interval, even when the mean does not', () => {
    const text = renderShadow(shadowReply([streamShadow('/app.log', wide, skewed)]), 10, 0);
    const found = pointsAndIntervals(text);
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const [point, lo, hi] of found) {
      expect(point).toBeGreaterThanOrEqual(lo);
      expect(point).toBeLessThanOrEqual(hi);
    }
    expect(text).toContain('values are median [90% interval]');
  });

  test('shadow: the filesystem lines stay within 80 columns with the widest intervals (a replay of Android showed 85)', () => {
    const big: Interval = { mean: 123_456_789, median: 123_456_789, p50: [100_000_000, 150_000_000], p90: [1_234_567, 987_654_321] };
    const reply = shadowReply([streamShadow('/app.log', big, big)]);
    reply.filesystem = { ...reply.filesystem, bytes: big, lines: big, entryCount: big };
    for (const line of renderShadow(reply, 10, 0).split('\n')) expect({ line, length: line.length }).toEqual({ line, length: Math.min(line.length, 80) });
  });

  test('shadow: no column cuts a value (28.4k [10.0k-50.4k] stays whole)', () => {
    const text = renderShadow(shadowReply([streamShadow('/a-file-with-a-long-name.log', wide, wide)]), 10, 0);
    expect(text).toContain('28.4k [10.0k-50.4k]');
  });

  test('top: a rate keeps its unit at every width (151.2KiB/s), and the forecast cell stays whole', () => {
    const s = (key: string): StreamSnapshot => ({
      key, writes: 10, bytes: 5_000_000, lines: 10, levels: { info: 10 }, dataTypes: {}, unreadBytes: 0, unrecordedBytes: 0, idleSec: 0, openFiles: 1,
      entries: 10, entryLevels: { info: 10 }, format: null, derivedLevelLines: 0,
      model: { bytesPerSec: [154_828, 154_828, 154_828, 154_828], confidence: 0.5, levelMix: { info: 1 } } as unknown as StreamSnapshot['model'],
      prealloc: null,
    });
    const stats: TopStats = {
      mountpoint: '/var/log/app', engine: 'native', cache: 'writethrough', uptimeSec: 5, horizonMs: 10_000, droppedRecords: 0,
      totals: { writes: 10, bytes: 5_000_000, lines: 10, files: 1, apps: 1 },
      space: { sizeBytes: 64 << 20, freeBytes: 32 << 20, timeToFullSec: { atMean: null, atP95: null } },
      prealloc: { enabled: false }, files: [s('/app.log')], apps: [s('node')],
    };
    const shadow: TopShadow = {
      filesystem: { bytes: wide },
      streams: [{ key: '/app.log', kind: 'file', confidence: 0.5, bytes: { mean: 1_548_280, median: 1_548_280, p50: [1e6, 2e6], p90: [1_030_000, 2_100_000] } }],
    };
    for (const width of [80, 100, 140, 200]) {
      const lines = renderFrame(stats, shadow, { width, height: Infinity, sort: 'b', top: 10, intervalMs: 1000, clock: '12:00:00', keys: false });
      const row = lines.find((l) => l.startsWith('/app.log'))!;
      expect(row).toContain('151.2KiB/s');
      expect(row).toMatch(/1\.48MiB 1\.0M-2\.0M/);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
    }
  });

  test('table: whatever the cells, every value appears whole and the first column gives way', () => {
    const rand = mulberry32(12);
    for (let round = 0; round < 200; round++) {
      const cols = 2 + Math.floor(rand() * 5);
      const cell = () => 'x'.repeat(1 + Math.floor(rand() * 14));
      const rows = Array.from({ length: 3 }, () => ['/name/' + 'n'.repeat(Math.floor(rand() * 60)), ...Array.from({ length: cols - 1 }, cell)]);
      const text = table(['NAME', ...Array.from({ length: cols - 1 }, (_, i) => `C${i}`)], rows, Array.from({ length: cols }, () => 4));
      const lines = text.trimEnd().split('\n');
      rows.forEach((r, i) => {
        const fields = lines[i + 1].trim().split(/ +/);
        expect(fields.slice(-(cols - 1))).toEqual(r.slice(1));
      });
    }
  });

  test('counts read as English: 1 file, 2 files, 1.2k lines', () => {
    expect(counted(1, 'file')).toBe('1 file');
    expect(counted(0, 'file')).toBe('0 files');
    expect(counted(2, 'entry', 'entries')).toBe('2 entries');
    expect(counted(12_345, 'line')).toBe('12.3k lines');
    const stats = {
      schema: 'logshadow.stats/1', mountpoint: '/var/log/app', backing: '/var/log/app', engine: 'native', cache: 'writethrough',
      knowsCaller: true, uptimeSec: 1, horizonMs: 10_000,
      daemon: { rssBytes: 1, heapUsedBytes: 1, tick: { count: 1, meanMs: 1, p99Ms: 1, activeStreams: 1 } },
      totals: { writes: 1, bytes: 10, lines: 1, files: 1, apps: 1, levels: { info: 1 }, copies: { writes: 1, bytes: 4096, files: 1 } },
      engineCounters: { fileEventsDropped: 1 }, droppedRecords: 0, unknownHandleRecords: 0, readFdFallbacks: 0,
      readErrors: 0, tables: {}, rateWindowsSec: [1, 10, 60, 300], files: [], apps: [],
    } as unknown as StatsReply;
    const text = renderStats(stats, 10);
    expect(text).toContain('1 write ');
    expect(text).toContain('1 line ');
    expect(text).toContain('1 file ');
    expect(text).toContain('1 app');
    expect(text).toContain('(1 stream modelled)');
    expect(text).toContain('copies  4.00KiB into 1 file by processes reading the mount (rotation copies; not in the totals)');
    expect(text).toContain('file events dropped 1');
    expect(text).not.toMatch(/\b1 (files|apps|streams|writes|lines)\b/);
  });
});
