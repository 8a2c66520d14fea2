import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import type { StatsReply } from '../../src/cli/commands/stats';
import { readMounts } from '../../src/util/mountinfo';
import { CLI, ROOT, cli, sh, expectOneLineError } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { parseExposition, sampleOf, type Family } from '../helpers/prometheus-text';
import { makeScratch } from '../helpers/scratch';
import { sleep } from '../helpers/wait';

const FIXTURES = join(ROOT, 'test/fixtures');

/** A port nothing listens on right now (bound, read, released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, timeout: 10_000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Addresses with a listening TCP socket on `port`, from /proc/net/tcp{,6}. */
function listenersOn(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // 0A: LISTEN
      const [addr, p] = f[1].split(':');
      if (parseInt(p, 16) !== port) continue;
      out.push(addr.length === 8 ? addr.match(/../g)!.reverse().map((h) => parseInt(h, 16)).join('.') : addr);
    }
  }
  return out;
}

/** The exposition, parsed strictly here. */
function metricsOf(m: MountHandle, ...more: string[]): Map<string, Family> {
  return parseExposition(metricsText(m, ...more));
}

function metricsText(m: MountHandle, ...more: string[]): string {
  const r = cli(['metrics', m.dir, '--run-dir', m.runDir, ...more]);
  if (r.status !== 0) throw new Error(`metrics failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Prometheus's own linter on the exposition: silent and 0 when it has nothing to say. */
function expectPromtoolClean(text: string): void {
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  expect([lint.status, lint.stdout + lint.stderr]).toEqual([0, '']);
}

function statsOf(m: MountHandle): StatsReply & { engineCounters: { writes: number; bytesWritten: number }; space: { sizeBytes: number; freeBytes: number } } {
  const r = cli(['stats', m.dir, '--json', '--all', '--run-dir', m.runDir]);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.each(testEngines())('Prometheus metrics (%s engine)', (engine) => {
  afterAll(stopAllMounts);

  test('logshadow metrics: strict exposition text whose values are those of stats --json for a known workload', async () => {
    const port = await freePort();
    const m = await startMount({ engine, args: ['--horizon', '1s', '--metrics-listen', String(port)] });
    // 400 lines, a quarter of each level, from each of two files; then a steady writer for scored windows.
    for (const name of ['a.log', 'b.log']) {
      const r = spawnSync(process.execPath, [join(FIXTURES, 'level-writer.js'), join(m.dir, name), '400', 'text', name], { encoding: 'utf8' });
      expect(r.status).toBe(0);
    }
    expect(sh(`${process.execPath} ${join(FIXTURES, 'steady-writer.js')} ${join(m.dir, 'steady.log')} 4 5 50 100`).status).toBe(0);

    // Counters are compared across two stats replies that agree (the workload is over; a scored
    // window may still close between two calls, so the MAE comparison waits for a quiet pair,
    // asked over the control socket: three CLI processes can take longer than a window here).
    let fams: Map<string, Family> | null = null;
    let stats: ReturnType<typeof statsOf> | null = null;
    for (let attempt = 0; attempt < 10 && !fams; attempt++) {
      const before = await m.ask<ReturnType<typeof statsOf>>('stats');
      const f = parseExposition((await m.ask<{ text: string }>('metrics')).text);
      const after = await m.ask<ReturnType<typeof statsOf>>('stats');
      const windows = (s: typeof before) => s.files.map((x) => x.model?.scores.bytes.model.windows ?? 0).join(',');
      if (windows(before) === windows(after)) {
        fams = f;
        stats = after;
      } else await sleep(300);
    }
    expect(fams).not.toBeNull();
    expectPromtoolClean(metricsText(m));
    const f = fams!;
    const s = stats!;
    expect(sampleOf(f, 'logshadow_engine_info', { engine, cache: 'writethrough' })).toBe(1);
    expect(sampleOf(f, 'logshadow_writes_total')).toBe(s.engineCounters.writes);
    expect(sampleOf(f, 'logshadow_written_bytes_total')).toBe(s.engineCounters.bytesWritten);
    for (const level of ['error', 'warn', 'info', 'debug']) {
      expect(sampleOf(f, 'logshadow_lines_total', { level })).toBe(s.totals.levels[level]);
    }
    expect(sampleOf(f, 'logshadow_file_events_dropped_total')).toBe(0);
    // The workload's own numbers: 200 errors from the two level writers, 400 steady info lines.
    expect(sampleOf(f, 'logshadow_lines_total', { level: 'error' })).toBe(200);
    expect(sampleOf(f, 'logshadow_lines_total', { level: 'info' })).toBe(200 + s.files.find((x) => x.key === '/steady.log')!.lines);
    expect(sampleOf(f, 'logshadow_dropped_records_total')).toBe(s.droppedRecords);
    expect(sampleOf(f, 'logshadow_tmpfs_size_bytes')).toBe(64 * 1024 * 1024);
    // Free space moves with reservations being made and released; within the reservation budget.
    expect(Math.abs(sampleOf(f, 'logshadow_tmpfs_free_bytes') - s.space.freeBytes)).toBeLessThanOrEqual(s.space.sizeBytes * 0.1);
    expect(sampleOf(f, 'logshadow_daemon_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sampleOf(f, 'logshadow_forecast_horizon_seconds')).toBe(1);
    for (const file of s.files) {
      expect(sampleOf(f, 'logshadow_file_written_bytes_total', { file: file.key })).toBe(file.bytes);
      const sc = file.model?.scores.bytes;
      if (sc && sc.model.windows > 0) {
        expect(sampleOf(f, 'logshadow_forecast_mae_bytes', { file: file.key, forecaster: 'model' })).toBeCloseTo(sc.model.mae, 6);
        expect(sampleOf(f, 'logshadow_forecast_mae_bytes', { file: file.key, forecaster: 'naive_last' })).toBeCloseTo(sc.naiveLast.mae, 6);
        expect(sampleOf(f, 'logshadow_forecast_mae_bytes', { file: file.key, forecaster: 'moving_average' })).toBeCloseTo(sc.movingAverage.mae, 6);
      }
    }
    const steady = s.files.find((x) => x.key === '/steady.log')!;
    expect(steady.model!.scores.bytes.model.windows).toBeGreaterThan(0);
    const q = (level: string) => sampleOf(f, 'logshadow_forecast_bytes', { file: '/steady.log', q: level });
    expect(q('0.05')).toBeLessThanOrEqual(q('0.5'));
    expect(q('0.5')).toBeLessThanOrEqual(q('0.95'));
    const conf = sampleOf(f, 'logshadow_forecast_confidence', { file: '/steady.log' });
    expect(conf).toBeGreaterThanOrEqual(0);
    expect(conf).toBeLessThanOrEqual(1);
    const reserved = sampleOf(f, 'logshadow_prealloc_reserved_bytes_total');
    expect(reserved).toBeGreaterThanOrEqual((s as unknown as { prealloc: { reservedBytes: number } }).prealloc.reservedBytes);
    expect(sampleOf(f, 'logshadow_tick_seconds', { quantile: '0.99' })).toBeGreaterThan(0);
    expect(f.get('logshadow_time_to_full_seconds')!.samples.map((x) => x.labels.rate).sort()).toEqual(['mean', 'p95']);

    // The same text over HTTP, on loopback; 404 elsewhere, 405 for other methods.
    const res = await get(port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const over = parseExposition(res.body);
    expect(sampleOf(over, 'logshadow_writes_total')).toBe(s.engineCounters.writes);
    expect((await get(port, '/')).status).toBe(404);
    expect((await get(port, '/metrics/x')).status).toBe(404);
    expect((await get(port, '/metrics', 'POST')).status).toBe(405);
    const curl = sh(`curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:${port}/metrics && curl -sS -o /dev/null -w ' %{http_code}' http://127.0.0.1:${port}/nope`);
    expect(curl.stdout).toBe('200 404');
    // Loopback only: the listener is not on any other address of this machine.
    expect(listenersOn(port)).toEqual(['127.0.0.1']);

    // Unmounting closes the listener.
    await m.stop();
    await expect(get(port, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
  }, 120_000);

  test('the per-file label bound holds with 200 files; --metrics-max-streams and --max-streams set it', async () => {
    const m = await startMount({ engine, args: ['--metrics-max-streams', '20'] });
    // 200 files of distinct sizes (file i gets i+1 lines), written by one child process, then
    // one more line each after a tick (a stats request runs one): a stream earns a model by
    // writing in a second tick, and the folded files' forecasts are summed under "(other)".
    const script = `const fs=require('fs');for(let i=0;i<200;i++){const fd=fs.openSync(process.argv[1]+'/f'+String(i).padStart(3,'0')+'.log','a');` +
      `for(let k=0;k<=+process.argv[2]*i;k++)fs.writeSync(fd,'INFO line '+k+' '+'x'.repeat(40)+'\\n');fs.closeSync(fd);}`;
    expect(spawnSync(process.execPath, ['-e', script, m.dir, '1']).status).toBe(0);
    statsOf(m);
    expect(spawnSync(process.execPath, ['-e', script, m.dir, '0']).status).toBe(0);
    const s = statsOf(m);
    // (Which stream each write is credited to is the profiler's business; the bound is checked
    // against whatever streams stats reports.)
    expect(s.totals.files).toBeGreaterThan(150);
    const byBytes = [...s.files].sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : 1));
    expectPromtoolClean(metricsText(m)); // with "(other)" series too
    for (const [bound, fams] of [[20, metricsOf(m)], [50, metricsOf(m, '--max-streams', '50')]] as const) {
      const labels = new Set<string>();
      for (const fam of fams.values()) for (const smp of fam.samples) if (smp.labels.file !== undefined) labels.add(smp.labels.file);
      // Exactly the busiest `bound` streams by bytes, and "(other)" for the rest.
      expect([...labels].sort()).toEqual([...byBytes.slice(0, bound).map((x) => x.key), '(other)'].sort());
      expect(labels.size).toBe(bound + 1);
      // The counter names only real files; the folded rest is a gauge (its members change).
      const written = fams.get('logshadow_file_written_bytes_total')!.samples;
      expect(written).toHaveLength(bound);
      const rest = byBytes.slice(bound).reduce((n, x) => n + x.bytes, 0);
      expect(sampleOf(fams, 'logshadow_other_files_written_bytes')).toBe(rest);
      expect(written.reduce((n, x) => n + x.value, 0) + rest).toBe(s.totals.bytes);
      expect(sampleOf(fams, 'logshadow_metrics_files_folded')).toBe(s.files.length - bound);
    }
    await m.stop();
  }, 120_000);
});

describe('--metrics-listen values', () => {
  let scratch: string;
  let blocker: Server | null = null;
  beforeAll(() => {
    scratch = makeScratch();
  });
  afterAll(async () => {
    if (blocker) await new Promise((r) => blocker!.close(r));
    await stopAllMounts();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  const nothingMountedUnder = () => expect(readMounts().filter((x) => x.mountpoint.startsWith(scratch))).toEqual([]);

  test('bad values and a taken port: one line, exit 2, nothing mounted', async () => {
    const dir = join(scratch, 'd');
    fs.mkdirSync(dir);
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'mount', dir, '--run-dir', join(scratch, 'run'), ...args], { encoding: 'utf8', timeout: 60_000 });
    expectOneLineError(run('--metrics-listen', 'example.com:9464'), 2, /--metrics-listen: "example.com:9464" names a host: give an IP address/);
    expectOneLineError(run('--metrics-listen', 'ninety'), 2, /--metrics-listen: "ninety" is not a port or an address:port \(examples: 9464/);
    expectOneLineError(run('--metrics-listen', '99999'), 2, /outside 1-65535/);
    expectOneLineError(run('--metrics-max-streams', '0'), 2, /--metrics-max-streams: "0" is not a positive integer/);
    nothingMountedUnder();
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as AddressInfo).port;
    expectOneLineError(run('--metrics-listen', `127.0.0.1:${taken}`), 2, new RegExp(`--metrics-listen 127\\.0\\.0\\.1:${taken}: the address is in use: pick another port`));
    nothingMountedUnder();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('set from a config file, as the other mount options are', async () => {
    const port = await freePort();
    const config = join(scratch, 'mount.json');
    fs.writeFileSync(config, JSON.stringify({ 'metrics-listen': port, 'metrics-max-streams': 5 }));
    const m = await startMount({ engine: testEngines()[0], args: ['--config', config] });
    fs.writeFileSync(join(m.dir, 'x.log'), 'INFO hello\n');
    await sleep(500);
    const res = await get(port, '/metrics');
    expect(res.status).toBe(200);
    expect(sampleOf(parseExposition(res.body), 'logshadow_file_written_bytes_total', { file: '/x.log' })).toBe(11);
    fs.writeFileSync(join(scratch, 'bad.json'), JSON.stringify({ 'metrics-listen': 'example.com:1' }));
    const bad = cli(['mount', join(scratch, 'd'), '--config', join(scratch, 'bad.json')]);
    expectOneLineError(bad, 2, /--config .*bad\.json: "metrics-listen": "example.com:1" names a host/);
    await m.stop();
  });
});
