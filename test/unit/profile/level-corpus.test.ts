/**
 * The labelled corpus (test/fixtures/levels: lines written by real programs, or by our own code
 * from documented default layouts, each labelled with the level it was written at; see its
 * generate.js): every line's level and every entry's start must come out as labelled, whatever
 * the chunking. Python's logging, winston, pino, bunyan and log4js are also run live here, so the
 * check does not rest on the committed files alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { classifyLine, severityOf } from '../../../src/profile/classify-line';
import { ContentProfile, LineKind } from '../../../src/profile/content-profile';
import { FORMAT_NAMES } from '../../../src/profile/formats';
import { LineSplitter } from '../../../src/profile/line-splitter';
import { SEVERITY_NAMES } from '../../../src/profile/severity';
import { seededRandom } from './support';

const LEVELS = path.resolve(__dirname, '../../fixtures/levels');
const CORPUS = path.join(LEVELS, 'corpus');
/** Files with no level field anywhere: every line must stay unknown. */
const LEVELLESS = new Set(['levelless', 'rsyslog-traditional', 'rsyslog-file']);

interface Result {
  lines: number;
  entries: number;
  /** `file:line: expected ... got ...` for every line that came out otherwise than labelled. */
  wrong: string[];
  learned: string | null;
}

/** Feeds a log through a ContentProfile in chunks cut at `cuts`, and checks each line against its label. */
function check(name: string, log: Buffer, labels: string[], cuts: number[] = []): Result {
  const seen: Array<[string, boolean]> = [];
  const profile = new ContentProfile({ onLine: (_len, severity, _type, _format, kind) => seen.push([SEVERITY_NAMES[severity]!, (kind & LineKind.StartsEntry) !== 0]) });
  let at = 0;
  for (const cut of [...cuts, log.length]) {
    profile.push(log, at, cut);
    at = cut;
  }
  profile.flush();
  const wrong: string[] = [];
  let entryLevel = '';
  labels.forEach((label, i) => {
    const starts = label !== '+';
    if (starts) entryLevel = label;
    const [got, gotStarts] = seen[i] ?? ['(no line)', false];
    if (got !== entryLevel || gotStarts !== starts) {
      wrong.push(`${name}:${i + 1}: expected ${starts ? 'an entry' : 'a continuation'} of ${entryLevel}, got ${gotStarts ? 'an entry' : 'a continuation'} of ${got}`);
    }
  });
  if (seen.length !== labels.length) wrong.push(`${name}: ${labels.length} labels for ${seen.length} lines`);
  return { lines: profile.lines, entries: profile.entries, wrong, learned: profile.snapshot().learnedFormat };
}

function corpusIn(dir: string): Array<{ name: string; log: Buffer; labels: string[] }> {
  return readdirSync(dir).filter((f) => f.endsWith('.labels')).sort().map((f) => {
    const name = f.slice(0, -'.labels'.length);
    const labels = readFileSync(path.join(dir, f), 'utf8').split('\n').slice(0, -1);
    return { name, log: readFileSync(path.join(dir, `${name}.log`)), labels };
  });
}

const corpus = corpusIn(CORPUS);

describe('the labelled level corpus', () => {
  it('is there, from many sources, with level-less files among them', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    for (const name of LEVELLESS) expect(corpus.map((c) => c.name)).toContain(name);
  });

  it('every labelled line at its level, every entry counted exactly', () => {
    const wrong: string[] = [];
    let lines = 0;
    let entries = 0;
    for (const { name, log, labels } of corpus) {
      if (LEVELLESS.has(name)) continue;
      const r = check(name, log, labels);
      wrong.push(...r.wrong);
      lines += r.lines;
      entries += r.entries;
      expect({ name, entries: r.entries }).toEqual({ name, entries: labels.filter((l) => l !== '+').length });
    }
    expect(wrong).toEqual([]);
    expect(entries).toBeLessThan(lines); // there are multi-line entries in it
  });

  it('no level on a line that has no level field', () => {
    const wrong: string[] = [];
    for (const { name, log, labels } of corpus.filter((c) => LEVELLESS.has(c.name))) {
      expect(labels.every((l) => l === 'unknown')).toBe(true);
      wrong.push(...check(name, log, labels).wrong);
    }
    expect(wrong).toEqual([]);
  });

  it('the same answers however the files are cut into chunks', () => {
    const random = seededRandom(13);
    for (const { name, log, labels } of corpus) {
      const cuts: number[] = [];
      for (let at = 1 + Math.floor(random() * 300); at < log.length; at += 1 + Math.floor(random() * 300)) cuts.push(at);
      expect(check(name, log, labels, cuts).wrong).toEqual([]);
    }
  });

  it('learns one format per file, and the learned detector answers as the whole table does', () => {
    for (const { name, log, labels } of corpus) {
      const { learned } = check(name, log, labels);
      // Eight lines in one format are needed to learn it.
      if (!LEVELLESS.has(name) && labels.filter((l) => l !== '+').length >= 8) expect({ name, learned: learned !== null }).toEqual({ name, learned: true });
      if (learned === null) continue;
      const preferred = FORMAT_NAMES.indexOf(learned);
      const differ: number[] = [];
      let n = 0;
      new LineSplitter((buf, start, end) => {
        n++;
        if (severityOf(classifyLine(buf, start, end, false, preferred)) !== severityOf(classifyLine(buf, start, end))) differ.push(n);
      }).push(log);
      expect({ name, learned, differ }).toEqual({ name, learned, differ: [] });
    }
  });
});

describe('real loggers run now (Python logging, winston, pino, bunyan, log4js)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'levels-live-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('their lines come out at the levels they were logged at', () => {
    const sources = path.join(LEVELS, 'sources');
    execFileSync('python3', [path.join(sources, 'python_logging.py'), dir]);
    execFileSync(process.execPath, [path.join(sources, 'node-loggers.js'), dir]);
    const live = corpusIn(dir);
    expect(live.map((c) => c.name)).toEqual(expect.arrayContaining(['python-basic', 'winston-json', 'pino', 'bunyan', 'log4js']));
    const wrong = live.flatMap(({ name, log, labels }) => check(name, log, labels).wrong);
    expect(wrong).toEqual([]);
  });
});
