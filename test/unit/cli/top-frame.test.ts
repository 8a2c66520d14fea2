import type { StreamSnapshot } from '../../../src/profile/snapshot';
import { columnsFor, levelMix, renderFrame, short, type FrameOptions, type TopShadow, type TopStats } from '../../../src/cli/top-frame';
import { joinWrapped } from '../../../src/util/format';

function stream(key: string, bytes: number, o: { rate?: number; errors?: number; confidence?: number; reserved?: number } = {}): StreamSnapshot {
  const lines = Math.max(1, Math.round(bytes / 100));
  const levels = { fatal: 0, error: o.errors ?? 0, warn: 0, notice: 0, info: lines - (o.errors ?? 0), debug: 0, trace: 0, unknown: 0 };
  return {
    key, writes: lines, bytes, lines, entries: lines, levels, entryLevels: levels, format: null, derivedLevelLines: 0,
    dataTypes: {}, unreadBytes: 0, unrecordedBytes: 0, idleSec: 0, openFiles: 1,
    model: o.rate === undefined ? null : ({
      bytesPerSec: [o.rate, o.rate, o.rate, o.rate], confidence: o.confidence ?? 0.5,
      levelMix: Object.fromEntries(Object.entries(levels).map(([k, v]) => [k, v / lines])),
    } as unknown as StreamSnapshot['model']), // only the fields a frame reads
    prealloc: o.reserved === undefined ? null : { reservedBytes: o.reserved, hitRatio: 0.75 },
  };
}

const files = [
  stream('/zulu.log', 900_000, { rate: 100, errors: 0, confidence: 0.2, reserved: 65536 }),
  stream('/alpha.log', 1_000, { rate: 5_000, errors: 0, confidence: 0.9 }),
  stream('/mid.log', 50_000, { rate: 50, errors: 40, confidence: 0.5 }),
  stream('/idle.log', 7_000),
];

const stats: TopStats = {
  mountpoint: '/var/log/a-rather-long-directory-name/for-the-title', engine: 'native', cache: 'writethrough', uptimeSec: 3725,
  horizonMs: 10_000, droppedRecords: 0, totals: { writes: 10_000, bytes: 958_000, lines: 9580, files: 4, apps: 1 },
  space: { sizeBytes: 256 << 20, freeBytes: 64 << 20, timeToFullSec: { atMean: 7200, atP95: 300 }, warnings: { fillsSoon: true, lowFree: false } },
  prealloc: { enabled: true, aheadBytes: 4096, budgetBytes: 25 << 20, reservations: 1, reservedBytes: 65536, hitRatio: 0.75, releasedUnusedBytes: 0 },
  files,
  apps: [stream('nginx', 958_000, { rate: 5_150 })],
};

const shadow: TopShadow = {
  filesystem: { bytes: { mean: 51_500, median: 50_000, p50: [40_000, 60_000], p90: [20_000, 90_000] } },
  streams: [{ key: '/alpha.log', kind: 'file', confidence: 0.9, bytes: { mean: 50_000, median: 50_000, p50: [45_000, 55_000], p90: [40_000, 61_000] } }],
};

const base: FrameOptions = { width: 80, height: Number.POSITIVE_INFINITY, sort: 'b', top: 20, intervalMs: 1000, clock: '12:00:00', keys: true };

function order(lines: string[]): string[] {
  const start = lines.findIndex((l) => l.startsWith('FILES'));
  return lines.slice(start + 1, start + 1 + files.length).map((l) => l.split(' ')[0]);
}

describe('top frame', () => {
  test('fits every width from 40 to 200 columns, dropping the least needed columns first', () => {
    for (let width = 40; width <= 200; width += 7) {
      const lines = renderFrame(stats, shadow, { ...base, width });
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
      expect(order(lines)).toEqual(['/zulu.log', '/mid.log', '/idle.log', '/alpha.log']);
    }
    const titles = (w: number) => columnsFor(w).map((c) => c.title);
    expect(titles(200)).toEqual(['BYTES', 'RATE', 'ERR', 'MIX', 'NEXT [90%]', 'CONF', 'RSVD', 'HIT']);
    // 80 columns: everything but the reservation column.
    expect(titles(80)).toEqual(['BYTES', 'RATE', 'ERR', 'MIX', 'NEXT [90%]', 'CONF', 'HIT']);
    expect(titles(50)).toEqual(['RATE', 'NEXT [90%]', 'CONF']);
  });

  test('the summary: RAM disk use, time to full and its warning, the forecast, the reservations', () => {
    const text = renderFrame(stats, shadow, base).join('\n');
    expect(text).toMatch(/RAM disk \[#+\.+\] 75% used of 256.0MiB, 64.0MiB free/);
    expect(text).toMatch(/full in 2h00m at the forecast mean, 5m00s at its p95 +FILLS SOON/);
    expect(text).toMatch(/next 10s 48.8KiB \[20K-88K\]/); // the median, inside its interval
    expect(text).toMatch(/reserved 4.00KiB ahead \(1 file, budget 25.0MiB\)/);
    expect(text).toMatch(/hit 75%/);
    // The forecast of /alpha.log with its interval; a file without a model shows dashes.
    expect(text).toMatch(/\/alpha\.log .* 48\.8KiB 39K-60K +0\.90 /);
    expect(text).toMatch(/sort: \[b\]ytes \[r\]ate \[e\]rrors \[c\]onfidence \[n\]ame +\[q\]uit +\(by bytes, every 1s\)/);
  });

  test('each sort key orders the streams its own way', () => {
    expect(order(renderFrame(stats, shadow, { ...base, sort: 'r' }))).toEqual(['/alpha.log', '/zulu.log', '/mid.log', '/idle.log']);
    expect(order(renderFrame(stats, shadow, { ...base, sort: 'e' }))[0]).toBe('/mid.log');
    expect(order(renderFrame(stats, shadow, { ...base, sort: 'c' }))).toEqual(['/alpha.log', '/mid.log', '/zulu.log', '/idle.log']);
    expect(order(renderFrame(stats, shadow, { ...base, sort: 'n' }))).toEqual(['/alpha.log', '/idle.log', '/mid.log', '/zulu.log']);
  });

  test('a short terminal: the frame never scrolls, the keys stay on the last line', () => {
    for (let height = 6; height <= 30; height++) {
      const lines = renderFrame(stats, shadow, { ...base, height });
      expect(lines.length).toBeLessThanOrEqual(height);
      expect(lines[lines.length - 1]).toMatch(/^sort: /);
    }
    const lines = renderFrame(stats, shadow, { ...base, height: 16 });
    expect(lines.join('\n')).toMatch(/\(\d more\)/);
  });

  test('helpers', () => {
    expect(short(999)).toBe('999');
    expect(short(39_000)).toBe('38K');
    expect(short(5 * 1024 * 1024)).toBe('5.0M');
    expect(levelMix({ info: 90, warn: 9, error: 1 })).toBe('E1 I90');
    expect(levelMix({ info: 50, debug: 30, warn: 20 })).toBe('I50 D30');
    expect(levelMix({})).toBe('-');
    expect(joinWrapped(['aaaa', 'bbbb', 'cccc'], 10)).toEqual(['aaaa; bbbb;', 'cccc']);
  });
});
