import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { planReplay } from '../../../src/replay/replayer';
import { schedule } from '../../../src/replay/schedule';
import { detectFormat, STAMP_FORMATS } from '../../../src/replay/timestamps';
import { TRACES_DIR } from '../../helpers/traces';

const fmt = (name: string) => STAMP_FORMATS.find((f) => f.name === name)!;
const TRACES = TRACES_DIR ?? resolve(__dirname, '../../../..', 'shared/traces/loghub');

describe('replay schedule', () => {
  test('lines sharing a one-second stamp are spread evenly inside that second', () => {
    const lines = ['Dec 10 06:55:46 a', 'Dec 10 06:55:46 b', 'Dec 10 06:55:46 c', 'Dec 10 06:55:46 d', 'Dec 10 06:55:47 e'];
    const s = schedule(lines, fmt('syslog'), { scale: 1, maxGapMs: 0 });
    expect(Array.from(s.offsetsMs)).toEqual([0, 250, 500, 750, 1000]);
  });

  test('a stamp that goes backwards is held at the time before it; long gaps shrink to the cap', () => {
    const lines = ['Dec 10 06:55:50 a', 'Dec 10 06:55:48 b', 'Dec 10 07:55:50 c', 'Dec 10 07:55:51 d'];
    const s = schedule(lines, fmt('syslog'), { scale: 1, maxGapMs: 60_000 });
    expect(s.clamped).toBe(1);
    expect(Array.from(s.offsetsMs)).toEqual([0, 0, 60_000, 61_000]);
  });

  test('the scale divides every gap', () => {
    const lines = ['Dec 10 06:55:50 a', 'Dec 10 06:56:50 b'];
    expect(Array.from(schedule(lines, fmt('syslog'), { scale: 60, maxGapMs: 0 }).offsetsMs)).toEqual([0, 1000]);
  });

  test('lines without a stamp go with the line before them', () => {
    const lines = ['2024-01-01T00:00:00.000Z start', '  at stack frame', '2024-01-01T00:00:02.000Z next'];
    const s = schedule(lines, fmt('iso8601'), { scale: 1, maxGapMs: 0 });
    expect(s.unstamped).toBe(1);
    expect(s.offsetsMs[1]).toBeLessThan(2000);
    expect(s.offsetsMs[2]).toBe(2000);
  });

  test('ISO 8601 with zones and log4j commas', () => {
    const iso = fmt('iso8601');
    expect(iso.parse('2024-03-01T12:00:00.5+01:00 x')).toBe(Date.UTC(2024, 2, 1, 11, 0, 0, 500));
    expect(iso.parse('2015-10-18 18:01:47,978 INFO [main] x')).toBe(Date.UTC(2015, 9, 18, 18, 1, 47, 978));
    expect(Number.isNaN(iso.parse('no time here'))).toBe(true);
  });

  const traces = existsSync(TRACES) ? ['Android', 'Apache', 'HealthApp', 'OpenSSH'] : [];
  test.each(traces)('the %s trace is detected and scheduled in its documented span', (name) => {
    const expected: Record<string, [string, number]> = {
      Android: ['logcat', 150], Apache: ['apache', 5 * 3600], HealthApp: ['healthapp', 2.4 * 3600], OpenSSH: ['syslog', 65 * 60],
    };
    const plan = planReplay(join(TRACES, `${name}_2k.log`), { scale: 1, maxGapMs: 60_000, format: null });
    expect(plan.format.name).toBe(expected[name][0]);
    expect(plan.lines).toHaveLength(2000);
    expect(plan.lines.every((l) => !l.endsWith('\r'))).toBe(true);
    expect(plan.schedule.spanMs / 1000).toBeGreaterThan(expected[name][1] * 0.9);
    expect(plan.schedule.spanMs / 1000).toBeLessThan(expected[name][1] * 1.1);
    expect(detectFormat(plan.lines)?.name).toBe(expected[name][0]);
  });
});
