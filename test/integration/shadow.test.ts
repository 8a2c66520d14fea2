import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cli } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts } from '../helpers/mount';
import { trace } from '../helpers/traces';
import type { ShadowView } from '../../src/shadow/shadow-log';

const ANDROID = trace('Android_2k.log') ?? resolve(__dirname, '../../..', 'shared/traces/loghub/Android_2k.log');

describe.each(testEngines())('the shadow log on a replayed real trace (%s engine)', (engine) => {
  afterAll(stopAllMounts);

  (existsSync(ANDROID) ? test : test.skip)('Android, 10x: scores for the model and both naive forecasters, and the real levels in the forecast mix', async () => {
    // A 1 s horizon so that a 15 s replay closes enough windows to score.
    const m = await startMount({ engine, args: ['--horizon', '1s'] });
    const target = join(m.dir, 'android.log');
    const r = cli(['replay', ANDROID, target, '--scale', '10', '--quiet'], 120_000);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote 2000 lines/);

    const json = cli(['shadow', m.dir, '--json', '--file', '/android.log', '--entries', '16', '--run-dir', m.runDir]);
    expect(json.status).toBe(0);
    const v = JSON.parse(json.stdout) as ShadowView;
    expect(v.schema).toBe('logshadow.shadow/1');
    const s = v.streams.find((x) => x.key === '/android.log')!;
    expect(s).toBeDefined();
    for (const track of ['model', 'naiveLast', 'movingAverage'] as const) {
      expect(s.scores.bytes[track].windows).toBeGreaterThanOrEqual(8);
      expect(Number.isFinite(s.scores.bytes[track].mae)).toBe(true);
    }
    // The trace has info, debug, verbose (trace), warn and a few errors; no fatal or notice.
    for (const level of ['info', 'debug', 'trace', 'warn']) expect(s.levelMix[level]).toBeGreaterThan(0.02);
    expect(s.levelMix.fatal).toBeLessThan(0.01);
    expect(s.levelMix.notice).toBeLessThan(0.01);
    expect(s.levelMix.info).toBeGreaterThan(s.levelMix.warn);
    // Intervals are ordered and the entries are bounded and drawn from the mix.
    expect(s.bytes.p90[0]).toBeLessThanOrEqual(s.bytes.p50[0]);
    expect(s.bytes.p50[1]).toBeLessThanOrEqual(s.bytes.p90[1]);
    expect(s.entries.length).toBeLessThanOrEqual(16);
    for (const e of s.entries) expect(['info', 'debug', 'trace', 'warn', 'error']).toContain(e.level);
    expect(v.filesystem.sizeBytes).toBe(64 * 1024 * 1024);
    expect(v.filesystem.freeBytes).toBeGreaterThan(0);

    const human = cli(['shadow', m.dir, '--run-dir', m.runDir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/shadow of the next 1s/);
    expect(human.stdout).toMatch(/\/android\.log/);
    expect(human.stdout).toMatch(/MODEL +LAST +MOVAVG/);
    for (const line of human.stdout.split('\n')) expect({ line, length: line.length }).toEqual({ line, length: Math.min(line.length, 80) });
  }, 180_000);
});
