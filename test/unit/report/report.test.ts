import { niceStep } from '../../../src/report/chart';
import { renderReport } from '../../../src/report/html';
import { scoreWindows, skillOverNaive } from '../../../src/report/scores';
import type { HistoryView } from '../../../src/shadow/window-history';

type Win = HistoryView['streams'][number]['windows'][number];

function win(i: number, actual: number, point: number, q05: number, q95: number, naive: number, avg: number, startMs = 1_700_000_000_000 + i * 1000): Win {
  return {
    startUnixMs: startMs, actualBytes: actual, actualLines: actual / 100,
    model: { point, q05, q95 }, naiveLast: { point: naive, q05: naive, q95: naive }, movingAverage: { point: avg, q05: avg * 0.5, q95: avg * 1.5 },
  };
}

function history(streams: Array<{ key: string; windows: Win[] }>): HistoryView & { mountpoint: string } {
  return {
    schema: 'logshadow.history/1', mountpoint: '/var/log/app', windowMs: 1000, capacity: 120, streamsKept: streams.length,
    streams: streams.map((s, i) => ({ key: s.key, bytes: 1000 * (streams.length - i), lines: 10, forecaster: 'ewma', windowsSeen: s.windows.length, windows: s.windows })),
  };
}

const mount = { engine: 'native', cache: 'writethrough', uptimeSec: 60 };
const at = new Date('2026-01-02T03:04:05Z');

describe('report scores', () => {
  test('MAE, 90% coverage (closed interval) and bias per forecaster over the windows shown', () => {
    const ws = [win(0, 100, 110, 90, 120, 80, 100), win(1, 200, 150, 100, 200, 100, 150), win(2, 0, 10, 0, 20, 200, 100)];
    const s = scoreWindows(ws);
    expect(s.model.mae).toBeCloseTo((10 + 50 + 10) / 3, 12);
    expect(s.model.coverage90).toBe(1); // 200 sits on the upper bound, 0 on the lower: both covered
    expect(s.model.bias).toBeCloseTo((10 - 50 + 10) / 3, 12);
    expect(s.naiveLast.mae).toBeCloseTo((20 + 100 + 200) / 3, 12);
    expect(s.naiveLast.coverage90).toBe(0);
    expect(s.movingAverage.mae).toBeCloseTo((0 + 50 + 100) / 3, 12);
    expect(skillOverNaive(s)).toBeCloseTo(1 - (70 / 3) / (150 / 3), 12);
    expect(scoreWindows([]).model.mae).toBeNaN();
  });

  test('y steps are round in the byte unit shown', () => {
    expect(niceStep(1000)).toBe(250);
    expect(niceStep(29_000)).toBe(10 * 1024);
    expect(niceStep(3 * 1024 * 1024)).toBe(1024 * 1024);
  });
});

describe('the report page', () => {
  const ws = Array.from({ length: 30 }, (_, i) => win(i, 1000 + (i % 5) * 100, 1200, 900, 1500, 1100, 1150));
  const html = renderReport({
    history: history([{ key: '/api.log', windows: ws }, { key: '/odd <b>&"name".log', windows: ws.slice(0, 10) }, { key: '/empty.log', windows: [] }]),
    mount, generatedAt: at,
  });

  test('is self-contained: no script, no external reference of any kind', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    for (const m of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
  });

  test('one chart per stream with windows: the band, the forecast line, the naive line and one dot per window', () => {
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(2);
    expect(svgs[0]).toContain('<path class="band" d="M');
    expect(svgs[0]).toContain('<path class="forecast" d="M');
    expect(svgs[0]).toContain('<path class="naive" d="M');
    expect(svgs[0].match(/<circle/g)).toHaveLength(30);
    expect(svgs[1].match(/<circle/g)).toHaveLength(10);
    // Actuals of 1400 fall inside [900, 1500]; none are marked as misses.
    expect(svgs[0]).not.toContain('class="miss"');
  });

  test('file names are escaped; scores sit beside the naive forecasters\'', () => {
    expect(html).toContain('/odd &lt;b&gt;&amp;&quot;name&quot;.log');
    expect(html).not.toContain('<b>&');
    expect(html).toMatch(/<td>model<\/td><td[^>]*>\d+B<\/td><td>100%<\/td>/);
    expect(html).toContain('naive: last window');
    expect(html).toContain('naive: moving average');
    expect(html).toContain('generated 2026-01-02 03:04:05 UTC');
  });

  test('a gap in time (the stream slept) breaks the lines instead of bridging it', () => {
    const gap = [win(0, 100, 100, 50, 150, 100, 100), win(1, 100, 100, 50, 150, 100, 100), win(9, 100, 100, 50, 150, 100, 100), win(10, 100, 100, 50, 150, 100, 100)];
    const page = renderReport({ history: history([{ key: '/a.log', windows: gap }]), mount, generatedAt: at });
    const d = /<path class="forecast" d="([^"]*)"/.exec(page)![1];
    expect(d.match(/M/g)).toHaveLength(2);
  });

  test('one file of one line reads as English', () => {
    const page = renderReport({ history: history([{ key: '/one.log', windows: ws.slice(0, 1) }]), mount, generatedAt: at });
    expect(page).toContain('1 busiest file shown of 1 with a model');
    expect(page).toMatch(/written in 10 lines; the last 1 of 1 scored window\b/);
  });

  test('no scored window yet: says so', () => {
    const page = renderReport({ history: history([]), mount, generatedAt: at });
    expect(page).toContain('No file has a scored window yet');
    expect(page).not.toContain('<svg');
  });
});
