import { randomBytes } from 'node:crypto';
import { ContentProfile, LineKind } from '../../../src/profile/content-profile';
import { DataType, DATA_TYPE_NAMES } from '../../../src/profile/data-type';
import { FORMAT_NAMES, formatIndex } from '../../../src/profile/formats';
import { Severity, SEVERITY_COUNT, SEVERITY_NAMES } from '../../../src/profile/severity';
import { seededRandom } from './support';

/** Line templates of known severity and data type; `#` is replaced by a random-length payload. */
const TEMPLATES: Array<[string, Severity, DataType]> = [
  ['{"level":30,"time":1700000000000,"msg":"#"}', Severity.Info, DataType.Json],
  ['{"level":"error","msg":"#"}', Severity.Error, DataType.Json],
  ['time=2024-01-15T10:00:00Z level=warn msg="#"', Severity.Warn, DataType.Logfmt],
  ['<11>Jan 15 10:00:00 host app[1]: #', Severity.Error, DataType.Syslog],
  ['Jan 15 10:00:00 host app[1]: #', Severity.Unknown, DataType.Syslog],
  ['2024-01-15 10:00:00,123 DEBUG [main] c.e.App - #', Severity.Debug, DataType.Text],
  ['01-15 10:00:00.123  1234  1250 V Tag: #', Severity.Trace, DataType.Text],
  ['[Mon Jan 15 10:00:00 2024] [notice] #', Severity.Notice, DataType.Text],
  ['WARNING:root:#', Severity.Warn, DataType.Text],
  ['[ERROR] #', Severity.Error, DataType.Text],
  ['FATAL #', Severity.Fatal, DataType.Text],
  ['just words #', Severity.Unknown, DataType.Text],
  ['', Severity.Unknown, DataType.Text],
];

/** Lines no format claims: after an entry in a format they continue it (see entry-rule.ts). */
const PLAIN = new Set(['just words #', '']);

interface Workload {
  data: Buffer; bySeverity: number[]; entriesBySeverity: number[]; byDataType: number[]; crlf: number; empty: number;
}

function workload(seed: number, lines: number): Workload {
  const random = seededRandom(seed);
  const parts: string[] = [];
  const bySeverity = new Array<number>(SEVERITY_COUNT).fill(0);
  const entriesBySeverity = new Array<number>(SEVERITY_COUNT).fill(0);
  let entryLevel = -1;
  let entryInFormat = false;
  const byDataType = new Array<number>(DATA_TYPE_NAMES.length).fill(0);
  let crlf = 0;
  let empty = 0;
  for (let n = 0; n < lines; n++) {
    const [template, severity, dataType] = TEMPLATES[Math.floor(random() * TEMPLATES.length)]!;
    const payload = 'p'.repeat(Math.floor(random() * 200));
    const line = template.replace('#', payload);
    const useCrlf = random() < 0.3;
    parts.push(line + (useCrlf ? '\r\n' : '\n'));
    if (PLAIN.has(template) && entryInFormat) {
      bySeverity[entryLevel]!++;
    } else {
      entryLevel = severity;
      entryInFormat = !PLAIN.has(template);
      entriesBySeverity[severity]!++;
      bySeverity[severity]!++;
    }
    byDataType[dataType]!++;
    if (useCrlf) crlf++;
    if (line === '') empty++;
  }
  return { data: Buffer.from(parts.join('')), bySeverity, entriesBySeverity, byDataType, crlf, empty };
}

function pushInRandomChunks(profile: ContentProfile, data: Buffer, seed: number, maxChunk: number): number {
  const random = seededRandom(seed);
  let pushes = 0;
  for (let at = 0; at < data.length; ) {
    const n = 1 + Math.floor(random() * maxChunk);
    profile.push(data, at, Math.min(data.length, at + n));
    at += n;
    pushes++;
  }
  return pushes;
}

describe('ContentProfile', () => {
  it('counts writes, bytes, lines and lines per level exactly, however the stream is cut', () => {
    const w = workload(1, 5000);
    for (const [seed, maxChunk] of [[1, 1], [2, 7], [3, 300], [4, 4096], [5, 100000]] as const) {
      const lengths: number[] = [];
      const seen = new Array<number>(SEVERITY_COUNT).fill(0);
      const profile = new ContentProfile({
        onLine: (length, severity) => {
          lengths.push(length);
          seen[severity]!++;
        },
      });
      const pushes = pushInRandomChunks(profile, w.data, seed, maxChunk);
      profile.flush();
      expect(profile.chunks).toBe(pushes);
      expect(profile.bytes).toBe(w.data.length);
      expect(profile.lineBytes).toBe(w.data.length);
      expect(profile.pendingBytes).toBe(0);
      expect(profile.lines).toBe(5000);
      expect(Array.from(profile.bySeverity)).toEqual(w.bySeverity);
      expect(Array.from(profile.entriesBySeverity)).toEqual(w.entriesBySeverity);
      expect(profile.entries).toBe(w.entriesBySeverity.reduce((a, b) => a + b, 0));
      expect(Array.from(profile.byDataType)).toEqual(w.byDataType);
      expect(profile.crlfLines).toBe(w.crlf);
      expect(profile.emptyLines).toBe(w.empty);
      expect(profile.unterminatedLines).toBe(0);
      expect(lengths.length).toBe(5000);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(w.data.length);
      expect(seen).toEqual(w.bySeverity);
    }
  });

  it('keeps bytes = line bytes + pending bytes at every point', () => {
    const w = workload(2, 300);
    const profile = new ContentProfile();
    const random = seededRandom(9);
    for (let at = 0; at < w.data.length; ) {
      const n = 1 + Math.floor(random() * 50);
      profile.push(w.data, at, Math.min(w.data.length, at + n));
      at += n;
      expect(profile.bytes).toBe(profile.lineBytes + profile.pendingBytes);
    }
  });

  it('passes length, severity, data type, format and entry start to the line hook', () => {
    const calls: Array<[number, string, string, string, boolean]> = [];
    const profile = new ContentProfile({
      onLine: (l, s, d, f, kind) => calls.push([l, SEVERITY_NAMES[s], DATA_TYPE_NAMES[d], FORMAT_NAMES[f] ?? 'none', (kind & LineKind.StartsEntry) !== 0]),
    });
    profile.push(Buffer.from('{"level":"warn"}\r\nINFO up\n\npartial'));
    profile.flush();
    expect(calls).toEqual([
      [18, 'warn', 'json', 'json', true],
      [8, 'info', 'text', 'bare-word', true],
      // No stamp and no level of their own, after an entry in a format: they continue it.
      [1, 'info', 'text', 'none', false],
      [7, 'info', 'text', 'none', false],
    ]);
  });

  it('counts binary, NUL, invalid UTF-8, control-heavy, CRLF, empty and unterminated lines', () => {
    const profile = new ContentProfile();
    profile.push(Buffer.concat([
      Buffer.from('ok line\n'),
      Buffer.from([0x41, 0x00, 0x42, 0x0a]), // NUL
      Buffer.from([0x45, 0x52, 0x52, 0x4f, 0x52, 0x20, 0xff, 0x0a]), // "ERROR \xff": invalid UTF-8
      Buffer.from([0x01, 0x02, 0x03, 0x0a]), // control bytes
      Buffer.from('crlf\r\n\n\r\n'),
      Buffer.from('tail'),
    ]));
    profile.flush();
    const s = profile.snapshot();
    expect(s).toMatchObject({
      lines: 8,
      binaryLines: 3,
      nulLines: 1,
      invalidUtf8Lines: 1,
      controlHeavyLines: 2, // the NUL line is also mostly control bytes (1 of 2)
      crlfLines: 2,
      emptyLines: 2,
      unterminatedLines: 1,
    });
    // The invalid-UTF-8 line keeps its level. Binary lines never continue an entry, and the text
    // lines after the control-byte line follow an entry in no format: each is an entry of its own.
    expect(s.bySeverity.error).toBe(1);
    expect(s.entriesBySeverity).toMatchObject({ error: 1, unknown: 7 });
    expect(s.entries).toBe(8);
    expect(s.byDataType.binary).toBe(3);
  });

  it('survives random binary data with counts intact and memory bounded', () => {
    const data = randomBytes(4 * 1024 * 1024);
    let newlines = 0;
    for (const b of data) if (b === 0x0a) newlines++;
    const profile = new ContentProfile();
    const random = seededRandom(11);
    let maxRetained = 0;
    for (let at = 0; at < data.length; ) {
      const n = 1 + Math.floor(random() * 65536);
      profile.push(data, at, Math.min(data.length, at + n));
      at += n;
      maxRetained = Math.max(maxRetained, profile.retainedBytes);
    }
    profile.flush();
    const lastIsNewline = data[data.length - 1] === 0x0a;
    expect(profile.lines).toBe(newlines + (lastIsNewline ? 0 : 1));
    expect(profile.lineBytes).toBe(data.length);
    expect(profile.binaryLines).toBeGreaterThan(profile.lines * 0.9);
    expect(maxRetained).toBeLessThanOrEqual(4096);
  });

  it('counts a 10 MB line without a newline once, truncated, in bounded memory', () => {
    const lengths: number[] = [];
    const profile = new ContentProfile({ onLine: (l) => lengths.push(l) });
    profile.push(Buffer.from('{"level":"error","blob":"'));
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    for (let i = 0; i < 40; i++) {
      profile.push(chunk);
      expect(profile.retainedBytes).toBeLessThanOrEqual(4096);
    }
    expect(profile.lines).toBe(0);
    profile.flush();
    expect(profile.lines).toBe(1);
    expect(profile.truncatedLines).toBe(1);
    expect(lengths).toEqual([25 + 40 * 256 * 1024]);
    // Classified on its retained head: the level key was in it.
    expect(profile.bySeverity[Severity.Error]).toBe(1);
    expect(profile.byDataType[DataType.Json]).toBe(1);
  });

  it('reports per-format counts and a plain snapshot', () => {
    const profile = new ContentProfile();
    profile.push(Buffer.from('[ERROR] a\n{"level":"info"}\nhello\n'));
    expect(profile.byFormat[formatIndex('bracketed')]).toBe(1);
    expect(profile.byFormat[formatIndex('json')]).toBe(1);
    const s = profile.snapshot();
    expect(s.byFormat).toMatchObject({ bracketed: 1, json: 1, none: 1 });
    // `hello` continues the JSON entry before it.
    expect(s.bySeverity).toEqual({ fatal: 0, error: 1, warn: 0, notice: 0, info: 2, debug: 0, trace: 0, unknown: 0 });
    expect(s.entriesBySeverity).toEqual({ fatal: 0, error: 1, warn: 0, notice: 0, info: 1, debug: 0, trace: 0, unknown: 0 });
    expect(s.byDataType).toEqual({ json: 1, logfmt: 0, syslog: 0, text: 2, binary: 0 });
    expect(s.lineBytesMax).toBe(17); // '{"level":"info"}' and its newline
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('ignores empty pushes', () => {
    const profile = new ContentProfile();
    profile.push(Buffer.alloc(0));
    profile.push(Buffer.from('abc'), 1, 1);
    expect(profile.chunks).toBe(0);
    expect(profile.bytes).toBe(0);
  });
});
