import { Exposition } from '../../../src/metrics/exposition';
import { OTHER_FILES, renderPrometheus, type MetricsShadow, type MetricsStats } from '../../../src/metrics/prometheus';
import type { StreamSnapshot } from '../../../src/profile/snapshot';
import { parseExposition, sampleOf } from '../../helpers/prometheus-text';

type FileIn = MetricsStats['files'][number];

function track(mae: number, windows = 10) {
  return { windows, mae, mape: 0, mase: 0, skill: 0, coverage50: 0.5, coverage90: 0.9, pinball05: 0, pinball50: 0, pinball95: 0, bias: 0 };
}

function file(key: string, bytes: number, opts: { errors?: number; scored?: boolean; modelled?: boolean } = {}): FileIn {
  const lines = Math.round(bytes / 100);
  const levels: Record<string, number> = { fatal: 0, error: opts.errors ?? 0, warn: 0, notice: 0, info: lines - (opts.errors ?? 0), debug: 0, trace: 0, unknown: 0 };
  const since = { windows: 10, mae: 1, pinball95: 1, coverage50: 0.5, coverage90: 0.9 };
  const set = (m: number) => ({
    model: track(m, opts.scored === false ? 0 : 10), naiveLast: track(m * 2), movingAverage: track(m * 3),
    sinceStart: { model: since, naiveLast: since, movingAverage: since },
  });
  const model = opts.modelled === false ? null : ({
    confidence: 0.8, scores: { bytes: set(bytes / 10), lines: set(1), severityDivergence: 0, severityDivergenceSinceStart: 0 },
  } as unknown as StreamSnapshot['model']); // only the fields the metrics read
  return { key, bytes, lines, levels, model };
}

function stats(files: FileIn[], over: Partial<MetricsStats> = {}): MetricsStats {
  return {
    engine: 'native', cache: 'writethrough', uptimeSec: 12.5, horizonMs: 10_000,
    daemon: { rssBytes: 50e6, tick: { count: 40, sumMs: 60, meanMs: 1.5, p99Ms: 4, maxMs: 6, activeStreams: files.length } },
    engineCounters: { writes: 1234, bytesWritten: files.reduce((s, f) => s + f.bytes, 0), fileEventsDropped: 2 },
    // Since the start: more than the files still in the table hold (some were evicted).
    totals: { levels: { fatal: 0, error: 7, warn: 0, notice: 0, info: 500, debug: 0, trace: 0, unknown: 1 } },
    space: { sizeBytes: 64 << 20, freeBytes: 60 << 20, timeToFullSec: { atMean: null, atP95: 3600 }, warnings: { fillsSoon: false, lowFree: true } },
    prealloc: { enabled: true, reservedBytes: 4096, hitBytes: 2048, releasedUnusedBytes: 1024, aheadBytes: 512, budgetBytes: 1 << 20 },
    droppedRecords: 3,
    files,
    ...over,
  };
}

function shadowOf(files: FileIn[]): MetricsShadow {
  return {
    streams: files.filter((f) => f.model).map((f, i) => ({
      key: f.key, kind: 'file' as const, confidence: 0.5 + (i % 2) * 0.25,
      bytes: { mean: f.bytes / 100, median: f.bytes / 110, p50: [0, 0] as [number, number], p90: [f.bytes / 200, f.bytes / 50] as [number, number] },
    })),
  };
}

const REQUIRED = [
  'logshadow_writes_total', 'logshadow_written_bytes_total', 'logshadow_lines_total', 'logshadow_dropped_records_total',
  'logshadow_tmpfs_size_bytes', 'logshadow_tmpfs_free_bytes', 'logshadow_time_to_full_seconds', 'logshadow_forecast_bytes',
  'logshadow_forecast_confidence', 'logshadow_forecast_mae_bytes', 'logshadow_prealloc_reserved_bytes_total',
  'logshadow_prealloc_hit_bytes_total', 'logshadow_prealloc_released_unused_bytes_total', 'logshadow_tick_seconds',
  'logshadow_daemon_resident_memory_bytes', 'logshadow_engine_info',
];

describe('renderPrometheus', () => {
  test('every family is typed and helped, names follow the conventions, values are the replies\' values', () => {
    const files = [file('/a.log', 5000, { errors: 3 }), file('/b.log', 20_000), file('/idle.log', 100, { modelled: false })];
    const text = renderPrometheus(stats(files), shadowOf(files));
    const fams = parseExposition(text);
    for (const name of REQUIRED) expect(fams.has(name)).toBe(true);
    for (const f of fams.values()) {
      expect(f.help.length).toBeGreaterThan(10);
      expect(f.name.startsWith('logshadow_')).toBe(true);
      if (f.type === 'counter') expect(f.name).toMatch(/_total$/);
      if (f.name.endsWith('_total')) expect(f.type).toBe('counter');
    }
    expect(sampleOf(fams, 'logshadow_engine_info', { engine: 'native', cache: 'writethrough' })).toBe(1);
    expect(sampleOf(fams, 'logshadow_writes_total')).toBe(1234);
    expect(sampleOf(fams, 'logshadow_written_bytes_total')).toBe(25_100);
    // From the monotonic totals, not from the evicting file table (which holds 3 errors).
    expect(sampleOf(fams, 'logshadow_lines_total', { level: 'error' })).toBe(7);
    expect(sampleOf(fams, 'logshadow_lines_total', { level: 'info' })).toBe(500);
    expect(fams.get('logshadow_lines_total')!.samples).toHaveLength(8);
    expect(sampleOf(fams, 'logshadow_dropped_records_total')).toBe(3);
    expect(sampleOf(fams, 'logshadow_file_events_dropped_total')).toBe(2);
    expect(sampleOf(fams, 'logshadow_tmpfs_free_bytes')).toBe(60 << 20);
    // Never at the mean rate: +Inf rather than a missing series.
    expect(sampleOf(fams, 'logshadow_time_to_full_seconds', { rate: 'mean' })).toBe(Number.POSITIVE_INFINITY);
    expect(text).toContain('logshadow_time_to_full_seconds{rate="mean"} +Inf\n');
    expect(sampleOf(fams, 'logshadow_time_to_full_seconds', { rate: 'p95' })).toBe(3600);
    expect(sampleOf(fams, 'logshadow_space_warning', { warning: 'low_free' })).toBe(1);
    expect(sampleOf(fams, 'logshadow_forecast_bytes', { file: '/b.log', q: '0.95' })).toBe(400);
    expect(sampleOf(fams, 'logshadow_forecast_bytes', { file: '/b.log', q: '0.05' })).toBe(100);
    expect(sampleOf(fams, 'logshadow_forecast_mae_bytes', { file: '/a.log', forecaster: 'naive_last' })).toBe(1000);
    expect(sampleOf(fams, 'logshadow_forecast_mae_bytes', { file: '/a.log', forecaster: 'moving_average' })).toBe(1500);
    // A file without a model has bytes but no forecast.
    expect(sampleOf(fams, 'logshadow_file_written_bytes_total', { file: '/idle.log' })).toBe(100);
    expect(fams.get('logshadow_forecast_bytes')!.samples.some((s) => s.labels.file === '/idle.log')).toBe(false);
    expect(sampleOf(fams, 'logshadow_prealloc_released_unused_bytes_total')).toBe(1024);
    expect(sampleOf(fams, 'logshadow_tick_seconds', { quantile: '0.99' })).toBeCloseTo(0.004, 12);
    // A summary: quantiles with their _sum and _count.
    expect(fams.get('logshadow_tick_seconds')!.type).toBe('summary');
    expect(fams.get('logshadow_tick_seconds')!.samples.find((x) => x.name === 'logshadow_tick_seconds_sum')!.value).toBeCloseTo(0.06, 12);
    expect(fams.get('logshadow_tick_seconds')!.samples.find((x) => x.name === 'logshadow_tick_seconds_count')!.value).toBe(40);
    expect(sampleOf(fams, 'logshadow_daemon_resident_memory_bytes')).toBe(50e6);
  });

  test('unscored files get no MAE; pre-allocation off is zeros, not gaps; a p50 tick quantile when the daemon has one', () => {
    const files = [file('/new.log', 300, { scored: false })];
    const s = stats(files, { prealloc: { enabled: false } });
    s.daemon.tick.p50Ms = 1;
    const fams = parseExposition(renderPrometheus(s, shadowOf(files)));
    expect(fams.get('logshadow_forecast_mae_bytes')!.samples).toEqual([]);
    expect(sampleOf(fams, 'logshadow_prealloc_enabled')).toBe(0);
    expect(sampleOf(fams, 'logshadow_prealloc_reserved_bytes_total')).toBe(0);
    expect(sampleOf(fams, 'logshadow_tick_seconds', { quantile: '0.5' })).toBe(0.001);
  });

  test('per-file labels are bounded: 200 files, 50 labels and "(other)" holding the sum of the rest', () => {
    const files = Array.from({ length: 200 }, (_, i) => file(`/f${String(i).padStart(3, '0')}.log`, 1000 + i * 10));
    const fams = parseExposition(renderPrometheus(stats(files), shadowOf(files), 50));
    const labels = new Set<string>();
    for (const f of fams.values()) for (const smp of f.samples) if (smp.labels.file !== undefined) labels.add(smp.labels.file);
    expect(labels.size).toBe(51);
    expect(labels.has(OTHER_FILES)).toBe(true);
    // The busiest 50 by bytes are the ones named.
    for (let i = 150; i < 200; i++) expect(labels.has(`/f${String(i).padStart(3, '0')}.log`)).toBe(true);
    const written = fams.get('logshadow_file_written_bytes_total')!.samples;
    const rest = files.slice(0, 150);
    // The counter holds only named files (a sum over a changing set is no counter); the rest is a gauge.
    expect(written).toHaveLength(50);
    expect(written.some((x) => x.labels.file === OTHER_FILES)).toBe(false);
    expect(sampleOf(fams, 'logshadow_other_files_written_bytes')).toBe(rest.reduce((s, f) => s + f.bytes, 0));
    expect(written.reduce((s, x) => s + x.value, 0) + sampleOf(fams, 'logshadow_other_files_written_bytes')).toBe(files.reduce((s, f) => s + f.bytes, 0));
    expect(sampleOf(fams, 'logshadow_forecast_mean_bytes', { file: OTHER_FILES })).toBeCloseTo(rest.reduce((s, f) => s + f.bytes / 100, 0), 6);
    expect(sampleOf(fams, 'logshadow_forecast_mae_bytes', { file: OTHER_FILES, forecaster: 'model' })).toBeCloseTo(rest.reduce((s, f) => s + f.bytes / 10, 0), 6);
    const conf = sampleOf(fams, 'logshadow_forecast_confidence', { file: OTHER_FILES });
    expect(conf).toBeGreaterThanOrEqual(0.5);
    expect(conf).toBeLessThanOrEqual(0.75);
    expect(sampleOf(fams, 'logshadow_metrics_files_folded')).toBe(150);
  });

  test('file names with quotes, backslashes and newlines survive as label values', () => {
    const odd = '/we"ird\\name\nx.log';
    const files = [file(odd, 1000)];
    const fams = parseExposition(renderPrometheus(stats(files), shadowOf(files)));
    expect(sampleOf(fams, 'logshadow_file_written_bytes_total', { file: odd })).toBe(1000);
  });
});

describe('the exposition writer and the strict reader refuse malformed text', () => {
  test('writer', () => {
    expect(() => new Exposition().family('logshadow_writes', 'counter', 'x')).toThrow(/_total/);
    expect(() => new Exposition().family('bad-name', 'gauge', 'x')).toThrow(/bad metric name/);
    expect(() => new Exposition().family('a', 'gauge', 'x').sample(1, { 'bad-label': 'v' })).toThrow(/bad label/);
    expect(() => new Exposition().family('a', 'gauge', 'x').family('a', 'gauge', 'y')).toThrow(/twice/);
    expect(() => new Exposition().family('a', 'gauge', 'x').sample(1, { quantile: '0.5' })).toThrow(/quantile label/);
  });

  test('reader', () => {
    const ok = '# HELP a_total x\n# TYPE a_total counter\na_total 1\n';
    expect(parseExposition(ok).get('a_total')!.samples[0].value).toBe(1);
    expect(() => parseExposition('a 1\n')).toThrow(/no TYPE/);
    expect(() => parseExposition('# TYPE a counter\na 1\n')).toThrow(/_total/);
    expect(() => parseExposition('# TYPE a gauge\na one\n')).toThrow(/bad value/);
    expect(() => parseExposition('# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n')).toThrow(/outside its family/);
    expect(() => parseExposition('# TYPE a gauge\na{x="1} 1\n')).toThrow();
    expect(() => parseExposition('# TYPE a gauge\na 1')).toThrow(/newline/);
    expect(() => parseExposition('# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n')).toThrow(/twice/);
  });
});
