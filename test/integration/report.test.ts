import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import type { HistoryView } from '../../src/shadow/window-history';
import { CLI, ROOT, cli, sh } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { distinctColours, pixelsNear, readPng } from '../helpers/png';
import { trace } from '../helpers/traces';

const ANDROID = trace('Android_2k.log') ?? resolve(ROOT, '..', 'shared/traces/loghub/Android_2k.log');
const CHROMIUM = ['chromium', 'chromium-browser'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
if (!CHROMIUM) {
  console.warn('report.test: chromium is not installed (scripts/setup installs it): the rendering checks are skipped');
}

/** Headless Chromium as the brief for this machine says: no network chatter, a fresh profile. */
function chromium(scratch: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const profile = fs.mkdtempSync(join(scratch, 'chromium-profile-'));
  try {
    const r = spawnSync(CHROMIUM!, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--hide-scrollbars', ...args,
    ], { encoding: 'utf8', timeout: 90_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function expectOneLineError(r: { status: number | null; stderr: string }, status: number, pattern: RegExp): void {
  expect(r.status).toBe(status);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('logshadow report', () => {
  const engine = testEngines()[0];
  let m: MountHandle;
  let steady: ChildProcess | null = null;
  afterAll(async () => {
    if (steady && steady.exitCode === null) steady.kill('SIGKILL');
    await stopAllMounts();
  });

  (fs.existsSync(ANDROID) ? test : test.skip)('after a replay of the Android trace: a self-contained page, one chart per busy stream, that Chromium renders', async () => {
    // A 1 s horizon so that the replay closes enough windows; the report is made while the
    // streams still hold their models (a stream silent for its whole history gives it back).
    m = await startMount({ engine, args: ['--horizon', '1s', '--history-windows', '40'] });
    steady = spawn(process.execPath, [join(ROOT, 'test/fixtures/steady-writer.js'), join(m.dir, 'steady.log'), '12', '4', '100', '120'], { stdio: 'ignore' });
    const replay = cli(['replay', ANDROID, join(m.dir, 'android.log'), '--scale', '10', '--quiet'], 120_000);
    expect(replay.status).toBe(0);
    expect(replay.stdout).toMatch(/wrote 2000 lines/);

    const json = cli(['report', m.dir, '--json', '--run-dir', m.runDir]);
    expect(json.status).toBe(0);
    const history = JSON.parse(json.stdout) as HistoryView & { mountpoint: string };
    expect(history.schema).toBe('logshadow.history/1');
    expect(history.mountpoint).toBe(m.dir);
    expect(history.windowMs).toBe(1000);
    expect(history.capacity).toBe(40);
    expect(history.streams.map((s) => s.key)).toEqual(['/android.log', '/steady.log']);
    const android = history.streams[0];
    expect(android.bytes).toBe(fs.statSync(join(m.dir, 'android.log')).size);
    expect(android.windows.length).toBeGreaterThanOrEqual(10);
    expect(android.windows.length).toBeLessThanOrEqual(40);
    // The windows are what really landed: their bytes add up to at most what the file holds.
    expect(android.windows.reduce((n, w) => n + w.actualBytes, 0)).toBeLessThanOrEqual(android.bytes);
    expect(android.windows.some((w) => w.actualBytes > 0)).toBe(true);
    for (const w of android.windows) {
      expect(w.model.q05).toBeLessThanOrEqual(w.model.q95);
      expect(Number.isFinite(w.naiveLast.point) && Number.isFinite(w.movingAverage.point)).toBe(true);
    }

    const out = join(m.scratch, 'report.html');
    const r = cli(['report', m.dir, '--out', out, '--run-dir', m.runDir]);
    expect(r.status).toBe(0);
    // Without a terminal: no progress, one result line.
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^report: wrote ${out} \\(\\d+\\.?\\d*KiB, 2 files\\)\n$`));
    // On a terminal, progress on stderr (script(1) gives the command a pseudo-terminal).
    const onTty = sh(`script -qfec "${process.execPath} ${CLI} report ${m.dir} --out ${join(m.scratch, 'tty.html')} --run-dir ${m.runDir}" /dev/null`);
    expect(onTty.status).toBe(0);
    expect(onTty.stdout).toMatch(/report: asking the daemon for the last windows of the 8 busiest files\r?\n/);
    expect(onTty.stdout).toMatch(/report: charting 2 files, \d+ windows\r?\n/);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    for (const ref of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) expect(ref[1]).toMatch(/^#s\d+$/);
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(html).toContain('naive: last window');
    const quiet = cli(['report', m.dir, '--out', join(m.scratch, 'one.html'), '--top', '1', '--quiet', '--run-dir', m.runDir]);
    expect(quiet.stdout + quiet.stderr).toBe('');
    expect(fs.readFileSync(join(m.scratch, 'one.html'), 'utf8').match(/<svg class="chart"/g)).toHaveLength(1);

    if (!CHROMIUM) return;
    // What a browser makes of it: the DOM it builds, and the pixels it paints.
    const dom = chromium(m.scratch, ['--dump-dom', `file://${out}`]);
    expect(dom.status).toBe(0);
    const svgs = dom.stdout.match(/<svg class="chart"[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(2);
    const summary = [...dom.stdout.matchAll(/<tr><td><a href="#s\d+">([^<]+)<\/a><\/td><td>[^<]*<\/td><td>(\d+)<\/td>/g)].map((x) => [x[1], Number(x[2])] as const);
    expect(summary.map(([k]) => k)).toEqual(['/android.log', '/steady.log']);
    svgs.forEach((svg, i) => {
      expect(svg).toMatch(/<path class="band" d="M[\d.,LMZ]+"/);
      expect(svg).toMatch(/<path class="forecast" d="M[\d.,LM]+"/);
      expect(svg).toMatch(/<path class="naive" d="M[\d.,LM]+"/);
      expect(svg).toMatch(/<text class="ylab"/);
      // One dot per window, as many as the summary table says and at least as many as a moment ago.
      const dots = (svg.match(/<circle/g) ?? []).length;
      expect(dots).toBe(summary[i][1]);
      expect(dots).toBeGreaterThanOrEqual(history.streams[i].windows.length);
    });

    const png = join(m.scratch, 'report.png');
    const shot = chromium(m.scratch, [`--screenshot=${png}`, '--window-size=1200,2000', `file://${out}`]);
    expect(shot.status).toBe(0);
    const img = readPng(png);
    expect([img.width, img.height]).toEqual([1200, 2000]);
    const blankHtml = join(m.scratch, 'blank.html');
    fs.writeFileSync(blankHtml, '<!DOCTYPE html><html><body></body></html>');
    const blankPng = join(m.scratch, 'blank.png');
    expect(chromium(m.scratch, [`--screenshot=${blankPng}`, '--window-size=1200,2000', `file://${blankHtml}`]).status).toBe(0);
    // The yardstick: a blank page is one colour; the report has text, bands, lines and dots.
    expect(distinctColours(readPng(blankPng))).toBeLessThanOrEqual(2);
    expect(distinctColours(img)).toBeGreaterThan(100);
    // The forecast line's blue and the interval band are painted (the band is translucent over the plot).
    expect(pixelsNear(img, '#1f5fb4', 12)).toBeGreaterThan(200);
    expect(pixelsNear(img, '#c7ddf5', 10)).toBeGreaterThan(2000);
  }, 240_000);

  test('errors: one line and the documented status', async () => {
    const here = await startMount({ engine });
    expectOneLineError(cli(['report', here.dir, '--run-dir', here.runDir]), 2, /^logshadow: report: --out <file> is required \(or --json for the data\)$/);
    expectOneLineError(cli(['report', ROOT, '--out', '/tmp/x.html']), 4, /is not a logshadow mount/);
    expectOneLineError(cli(['report', here.dir, '--out', join(here.scratch, 'x.html'), '--file', '/nope.log', '--run-dir', here.runDir]), 2, /\/nope\.log has no scored window/);
    expectOneLineError(cli(['report', here.dir, '--out', join(here.scratch, 'no/such/dir/x.html'), '--run-dir', here.runDir]), 2, /cannot write .*ENOENT/);
    expectOneLineError(cli(['report', here.dir, '--out', 'x.html', '--top', 'all', '--run-dir', here.runDir]), 2, /--top: "all" is not a positive integer/);
    // No file has a window yet: still a page, saying so.
    const empty = join(here.scratch, 'empty.html');
    expect(cli(['report', here.dir, '--out', empty, '--quiet', '--run-dir', here.runDir]).status).toBe(0);
    expect(fs.readFileSync(empty, 'utf8')).toContain('No file has a scored window yet');
    await here.stop();
  });
});
