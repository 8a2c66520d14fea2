import { ByteFlag } from '../../../src/profile/byte-scan';
import { byteFlagsOf, classifyLine, formatOf, severityOf, dataTypeOf } from '../../../src/profile/classify-line';
import { DataType } from '../../../src/profile/data-type';
import { CONTINUES, EMBEDDED, FORMATS, MAX_RUN, NOT_MINE } from '../../../src/profile/formats';
import { embedded } from '../../../src/profile/formats/json';
import { Severity } from '../../../src/profile/severity';
import { classify, seededRandom } from './support';

const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

function flagsOf(buf: Uint8Array, isPrefix = false): number {
  return byteFlagsOf(classifyLine(buf, 0, buf.length, isPrefix));
}

describe('classifyLine: binary data and encodings', () => {
  it('treats a line with a NUL byte as binary of unknown severity, without trying formats', () => {
    const line = bytes('ERROR disk', [0], ' failed');
    const c = classifyLine(line, 0, line.length);
    expect(severityOf(c)).toBe(Severity.Unknown);
    expect(dataTypeOf(c)).toBe(DataType.Binary);
    expect(formatOf(c)).toBe(-1);
    expect(byteFlagsOf(c) & ByteFlag.Nul).toBe(ByteFlag.Nul);
  });

  it('treats a line of mostly control bytes as binary', () => {
    expect(classify(bytes([1, 2, 3, 4], 'abc'))).toEqual({ severity: 'unknown', dataType: 'binary', format: 'none' });
    expect(flagsOf(bytes([7]))).toBe(ByteFlag.ControlHeavy);
    // One control byte in a normal line is not enough.
    expect(classify(bytes('ERROR bell ', [7], ' rang in a long enough line')).dataType).toBe('text');
  });

  it('does not count tab, CR and ESC as control bytes', () => {
    expect(flagsOf(bytes('a\tb\tc\td'))).toBe(0);
    expect(flagsOf(bytes('10%\r20%\r30%'))).toBe(0);
    expect(flagsOf(bytes('\x1b[1;31mERROR\x1b[0m x'))).toBe(0);
  });

  it('keeps the severity of a line that is only invalid UTF-8 (legacy encodings), typed binary', () => {
    const latin1 = bytes('ERROR Datei ', [0xfc], 'bersetzt nicht gefunden');
    expect(classify(latin1)).toEqual({ severity: 'error', dataType: 'binary', format: 'bare-word' });
    expect(flagsOf(latin1)).toBe(ByteFlag.InvalidUtf8);
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lead byte F5', [0xf5, 0x80, 0x80, 0x80]],
    ['a two-byte lead followed by ASCII', [0xc3, 0x41]],
  ])('flags %s as invalid UTF-8', (_name, seq) => {
    expect(flagsOf(bytes('x ', seq, ' y'))).toBe(ByteFlag.InvalidUtf8);
  });

  it('accepts valid multi-byte UTF-8', () => {
    expect(classify('ERROR 日本語のメッセージ 🚀 naïve café')).toEqual({ severity: 'error', dataType: 'text', format: 'bare-word' });
    expect(flagsOf(bytes('\u{10ffff}\u{800}\u{7ff}\u{ffff}'))).toBe(0);
  });

  it('forgives a sequence cut at the end of a retained prefix, not at the end of a whole line', () => {
    const cut = bytes('ERROR r', [0xc3]); // the first byte of "é"
    expect(flagsOf(cut, true)).toBe(0);
    expect(flagsOf(cut, false)).toBe(ByteFlag.InvalidUtf8);
    const cut4 = bytes('x', [0xf0, 0x9f, 0x9a]); // three bytes of a four-byte emoji
    expect(flagsOf(cut4, true)).toBe(0);
    expect(flagsOf(cut4, false)).toBe(ByteFlag.InvalidUtf8);
  });

  it('classifies an empty line as text of unknown severity', () => {
    expect(classify('')).toEqual({ severity: 'unknown', dataType: 'text', format: 'none' });
  });

  it('skips a byte order mark and leading colour codes', () => {
    expect(classify('\u{feff}{"level":"warn"}')).toEqual({ severity: 'warn', dataType: 'json', format: 'json' });
    expect(classify('\x1b[31mERROR\x1b[0m payment declined').severity).toBe('error');
    // winston's colorize wraps the level: `ESC[32minfo ESC[39m: message`
    expect(classify('\x1b[32minfo\x1b[39m: server listening on :3000').severity).toBe('info');
  });
});

describe('classifyLine: detector order and ambiguity', () => {
  it('prefers structure over words: a JSON or logfmt line that begins with a level word inside', () => {
    expect(classify('{"msg":"ERROR: disk","level":"info"}').severity).toBe('info');
    expect(classify('msg="ERROR in message" level=debug').severity).toBe('debug');
  });

  it('counts only leading or structured positions, never a level word deep inside a message', () => {
    expect(classify('Connection reset; ERROR 104 from peer').severity).toBe('unknown');
    expect(classify('user said: error: things').severity).toBe('unknown');
    expect(classify('2024-01-15 10:00:00,123 INFO [main] c.e.X - ERROR count reached 5').severity).toBe('info');
  });

  it('names the format that claimed the line', () => {
    expect(classify('<14>Jan 15 10:00:00 host app: [ERROR] x')).toEqual({ severity: 'info', dataType: 'syslog', format: 'syslog' });
    expect(classify('plain text')).toEqual({ severity: 'unknown', dataType: 'text', format: 'none' });
  });
});

describe('classifyLine against the plain ordered table (randomised lines)', () => {
  // Fragments of every format, glued at random: lines that are nearly, or only partly, in a format.
  const FRAGMENTS = [
    '<13>', '<191>', '<0>', '{', '}', '"level"', '"lvl"', '"msg"', ':', ',', '"error"', '30', '"WARN"', '[', ']', '<', '>',
    'level=', 'at=', 'lvl=', 'info', 'INFO', 'ERROR', 'error', 'Warning', 'warn:', 'DEBUG', 'trace3', 'crit', 'NOTICE',
    ' ', '  ', '\t', '=', '"', '\\', '-', ' - ', '|', '.', '/', '(', '): ', '0', '12', '1234', 'x', 'name', 'main',
    'Jan 15 10:00:00', 'Dec  4 04:47:44', '2024-01-15 10:00:00,123', '2024-01-15T10:00:00.123Z', '2024/01/15 10:00:00',
    '10:00:00.123', '01-15 10:00:00.123', '  1702  2395 ', ' I ', ' D ', 'D/', 'Tag( 12): ', 'I0115 ', 'E0115 10:00:00.123456 ',
    '[Mon Jan 15 10:00:00 2024]', '[Fri Sep 09 10:42:29.902022 2011]', '[core:error]', '[notice]', ' host ', 'sshd[1]:',
    ' in ', 'local.', 'UTC', '+01:00', '\x1b[32m', '\u{feff}', 'é', '\u{1F680}', [0xff], [0xc3], [0x00], [0x01],
    '1234:M ', '15 Jan 2024 10:00:00.123', ' * ', ' # ', '127.0.0.1 - - ', '[15/Jan/2024:10:00:00 +0000]', ' "GET / HTTP/1.1" ',
    '404', '503 ', '- 1117838570 2005.06.03 R02-M1 2005-06-03-15.42.50.675872 R02-M1 RAS KERNEL ', '2005-06-03-15.42.50.675872', 'LOG:', 'DETAIL:',
    '{"log":"', '"s":"W"', '"status":500', '"@t"', '"@mt"', '\\n', '17/06/09 20:10:40', 'Info   ',
  ];
  const pieces = FRAGMENTS.map((f) => (typeof f === 'string' ? Buffer.from(f, 'utf8') : Buffer.from(f)));

  /** Every detector in table order; a wrapped line (Docker's `log`) answered for what it wraps. */
  function naive(buf: Uint8Array, start: number, end: number): { severity: number; format: number } {
    for (let f = 0; f < FORMATS.length; f++) {
      const format = FORMATS[f]!;
      let answer = format.detect(buf, start, Math.min(end, start + format.scanLimit));
      if (answer === EMBEDDED) {
        const inner = naive(Buffer.from(embedded.line.subarray(0, embedded.length)), 0, embedded.length).severity;
        answer = inner;
      }
      if (answer === CONTINUES) return { severity: Severity.Unknown, format: f };
      if (answer !== NOT_MINE) return { severity: answer & 7, format: f };
    }
    return { severity: Severity.Unknown, format: -1 };
  }

  function randomLine(random: () => number, maxPieces: number): Buffer {
    const count = 1 + Math.floor(random() * maxPieces);
    const parts: Buffer[] = [];
    for (let k = 0; k < count; k++) parts.push(pieces[Math.floor(random() * pieces.length)]!);
    return Buffer.concat(parts);
  }

  it('agrees with trying every detector in order, reads nothing outside the line, and never throws', () => {
    const random = seededRandom(20240115);
    const mismatches: string[] = [];
    const claimedBy = new Set<number>();
    for (let n = 0; n < 30000; n++) {
      const line = randomLine(random, 8);
      const c = classifyLine(line, 0, line.length);
      // The same line between guard bytes must classify the same.
      const guarded = Buffer.concat([Buffer.from('{"level":"error"} '), line, Buffer.from('ERROR: [WARN] x')]);
      if (classifyLine(guarded, 18, 18 + line.length) !== c) mismatches.push(`guarded: ${JSON.stringify(line.toString('latin1'))}`);
      if ((byteFlagsOf(c) & (ByteFlag.Nul | ByteFlag.ControlHeavy)) !== 0) continue;
      let from = 0;
      if (line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) from = 3;
      while (line[from] === 0x1b && line[from + 1] === 0x5b && line[from + 2] === 0x33) from += 5; // the one SGR fragment
      const expected = naive(line, from, line.length);
      if (severityOf(c) !== expected.severity || formatOf(c) !== expected.format) {
        mismatches.push(`${JSON.stringify(line.toString('latin1'))}: ${severityOf(c)}/${formatOf(c)} vs ${expected.severity}/${expected.format}`);
      }
      if (expected.format >= 0) claimedBy.add(expected.format);
    }
    expect(mismatches).toEqual([]);
    // The fragments do reach most formats, so the comparison means something.
    expect(claimedBy.size).toBeGreaterThanOrEqual(FORMATS.length - 2);
  });

  /** The run of digits or letters a line begins with, as canStartWithRun sees it; null for neither. */
  function leadingRun(line: Buffer): { digits: boolean; length: number; next: number } | null {
    const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;
    const isLetter = (b: number | undefined) => b !== undefined && ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a);
    const digits = isDigit(line[0]);
    if (!digits && !isLetter(line[0])) return null;
    let j = 1;
    while (j < line.length && j < MAX_RUN && (digits ? isDigit(line[j]) : isLetter(line[j]))) j++;
    return { digits, length: j, next: j < line.length ? line[j]! : -1 };
  }

  it('never skips a detector that could claim a line by how it begins (canStartWith, canStartWithRun)', () => {
    const random = seededRandom(7);
    const misses: string[] = [];
    for (let n = 0; n < 30000; n++) {
      const line = randomLine(random, 6);
      const run = leadingRun(line);
      for (const format of FORMATS) {
        if (format.detect(line, 0, line.length) === NOT_MINE) continue;
        const capped = run !== null && run.length === MAX_RUN;
        const byRun = run === null || format.canStartWithRun === undefined || capped || format.canStartWithRun(run.digits, run.length, run.next);
        if (!format.canStartWith(line[0]!) || !byRun) misses.push(`${format.name}: ${JSON.stringify(line.toString('latin1'))}`);
      }
    }
    expect(misses).toEqual([]);
  });
});
