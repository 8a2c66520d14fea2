import { LineFlag, LineSplitter } from '../../../src/profile/line-splitter';
import { seededRandom } from './support';

interface Line {
  text: string;
  length: number;
  flags: number;
}

function collect(maxRetained?: number): { splitter: LineSplitter; lines: Line[] } {
  const lines: Line[] = [];
  const splitter = new LineSplitter((buf, start, end, length, flags) => {
    lines.push({ text: Buffer.from(buf.subarray(start, end)).toString('latin1'), length, flags });
  }, maxRetained);
  return { splitter, lines };
}

function feed(splitter: LineSplitter, data: Buffer, cuts: number[]): void {
  let at = 0;
  for (const cut of [...cuts, data.length]) {
    splitter.push(data, at, cut);
    at = cut;
  }
}

describe('LineSplitter', () => {
  it('emits complete lines with their full length and carries the partial last line', () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from('one\ntwo\nthr'));
    expect(lines.map((l) => l.text)).toEqual(['one', 'two']);
    expect(splitter.pendingBytes).toBe(3);
    splitter.push(Buffer.from('ee\n'));
    expect(lines).toEqual([
      { text: 'one', length: 4, flags: 0 },
      { text: 'two', length: 4, flags: 0 },
      { text: 'three', length: 6, flags: 0 },
    ]);
    expect(splitter.pendingBytes).toBe(0);
  });

  it('strips the CR of CR LF from the classified bytes and counts it in the length', () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from('a\r\nb\n\r\n'));
    expect(lines).toEqual([
      { text: 'a', length: 3, flags: LineFlag.Crlf },
      { text: 'b', length: 2, flags: 0 },
      { text: '', length: 2, flags: LineFlag.Crlf },
    ]);
  });

  it('handles a CR LF split between two chunks', () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from('abc\r'));
    splitter.push(Buffer.from('\ndef\r'));
    splitter.push(Buffer.from('\n'));
    expect(lines).toEqual([
      { text: 'abc', length: 5, flags: LineFlag.Crlf },
      { text: 'def', length: 5, flags: LineFlag.Crlf },
    ]);
  });

  it('keeps a CR inside a line as content', () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from('10%\r20%\r30%\n'));
    expect(lines).toEqual([{ text: '10%\r20%\r30%', length: 12, flags: 0 }]);
  });

  it('emits empty lines', () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from('\n\n\nx\n\n'));
    expect(lines.map((l) => [l.text, l.length])).toEqual([['', 1], ['', 1], ['', 1], ['x', 2], ['', 1]]);
  });

  it('flush() ends the pending line, unterminated, and is a no-op when nothing is pending', () => {
    const { splitter, lines } = collect();
    splitter.flush();
    expect(lines).toEqual([]);
    splitter.push(Buffer.from('last line, no newline'));
    splitter.flush();
    splitter.flush();
    expect(lines).toEqual([{ text: 'last line, no newline', length: 21, flags: LineFlag.Unterminated }]);
    // A trailing CR is the first half of a CR LF that never came: not classified, but counted.
    splitter.push(Buffer.from('half\r'));
    splitter.flush();
    expect(lines[1]).toEqual({ text: 'half', length: 5, flags: LineFlag.Unterminated });
  });

  it('honours start and end, and ignores a newline in the buffer beyond end', () => {
    const { splitter, lines } = collect();
    const buf = Buffer.from('xxxhello\nworld\nyyy');
    splitter.push(buf, 3, 12); // "hello\nwor"; "ld\nyyy" is stale
    expect(lines.map((l) => l.text)).toEqual(['hello']);
    expect(splitter.pendingBytes).toBe(3);
    splitter.push(Buffer.from('ld\n'));
    expect(lines.map((l) => l.text)).toEqual(['hello', 'world']);
  });

  it('gives the same lines for every way of cutting the stream', () => {
    const data = Buffer.from('alpha\r\nbeta\n\ngamma is a longer line\r\n\r\n\rdelta\r\nepsilon', 'latin1');
    const reference = collect();
    reference.splitter.push(data);
    reference.splitter.flush();
    // Every single cut and every pair of cuts.
    for (let i = 0; i <= data.length; i++) {
      for (let j = i; j <= data.length; j++) {
        const { splitter, lines } = collect();
        feed(splitter, data, [i, j]);
        splitter.flush();
        expect(lines).toEqual(reference.lines);
      }
    }
  });

  it('takes up its last search when a push goes on where the last ended in the same buffer, and only then', () => {
    // A read cut at every write: long runs without a newline, fed 97 bytes at a time.
    const data = Buffer.alloc(64 * 1024, 0x61);
    for (const at of [5000, 5001, 30_000, 64 * 1024 - 1]) data[at] = 0x0a;
    const reference = collect();
    reference.splitter.push(data);
    const pieces = collect();
    const cuts: number[] = [];
    for (let at = 97; at < data.length; at += 97) cuts.push(at);
    feed(pieces.splitter, data, cuts);
    expect(pieces.lines).toEqual(reference.lines);
    expect(pieces.lines.map((l) => l.length)).toEqual([5001, 1, 24_999, 64 * 1024 - 30_001]);
    // The same buffer, its bytes changed, fed again from its start: searched afresh.
    const { splitter, lines } = collect();
    const buf = Buffer.from('aaaa\nbbbb');
    splitter.push(buf, 0, 2);
    buf.write('a\naa\nbbbb');
    splitter.push(buf, 0, 10);
    expect(lines.map((l) => l.text)).toEqual(['aaa', 'aa']);
  });

  it('bounds what it retains of a long line and flags it truncated', () => {
    const { splitter, lines } = collect(16);
    const long = 'x'.repeat(10) + 'y'.repeat(30);
    feed(splitter, Buffer.from(long + '\r\nshort\n'), [5, 12, 20, 41]);
    expect(lines).toEqual([
      { text: 'x'.repeat(10) + 'y'.repeat(6), length: 42, flags: LineFlag.Crlf | LineFlag.Truncated },
      { text: 'short', length: 6, flags: 0 },
    ]);
    expect(splitter.bufferCapacity).toBeLessThanOrEqual(16);
  });

  it('truncates a long line inside one chunk the same way as a carried one', () => {
    const a = collect(16);
    a.splitter.push(Buffer.from('z'.repeat(40) + '\n'));
    const b = collect(16);
    feed(b.splitter, Buffer.from('z'.repeat(40) + '\n'), [1, 2, 3, 30]);
    expect(a.lines).toEqual(b.lines);
    expect(a.lines[0]).toEqual({ text: 'z'.repeat(16), length: 41, flags: LineFlag.Truncated });
  });

  it('a line of exactly the retained size is not truncated, with or without CR LF', () => {
    const { splitter, lines } = collect(8);
    feed(splitter, Buffer.from('12345678\r\n12345678\n123456789\n'), [4, 9, 13]);
    expect(lines).toEqual([
      { text: '12345678', length: 10, flags: LineFlag.Crlf },
      { text: '12345678', length: 9, flags: 0 },
      { text: '12345678', length: 10, flags: LineFlag.Truncated },
    ]);
  });

  it('takes a 10 MB line without a newline in bounded memory', () => {
    let emitted: { length: number; viewLength: number; flags: number } | undefined;
    const splitter = new LineSplitter((_buf, start, end, length, flags) => {
      emitted = { length, viewLength: end - start, flags };
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const total = 10 * 1024 * 1024;
    let maxRetained = 0;
    for (let fed = 0; fed < total; fed += chunk.length) {
      splitter.push(chunk);
      maxRetained = Math.max(maxRetained, splitter.retainedBytes, splitter.bufferCapacity);
    }
    expect(emitted).toBeUndefined();
    expect(splitter.pendingBytes).toBe(total);
    expect(maxRetained).toBeLessThanOrEqual(splitter.maxRetainedBytes);
    splitter.flush();
    expect(emitted).toEqual({ length: total, viewLength: splitter.maxRetainedBytes, flags: LineFlag.Unterminated | LineFlag.Truncated });
    expect(splitter.pendingBytes).toBe(0);
    expect(splitter.retainedBytes).toBe(0);
  });

  it('reuses its carry buffer', () => {
    const { splitter } = collect();
    const random = seededRandom(3);
    splitter.push(Buffer.from('a'.repeat(1000)));
    splitter.push(Buffer.from('\n'));
    const capacity = splitter.bufferCapacity;
    for (let n = 0; n < 1000; n++) {
      splitter.push(Buffer.from('b'.repeat(1 + Math.floor(random() * 900))));
      splitter.push(Buffer.from('\n'));
    }
    expect(splitter.bufferCapacity).toBe(capacity);
  });

  it('rejects a retained size that is not a positive integer', () => {
    expect(() => new LineSplitter(() => undefined, 0)).toThrow(RangeError);
    expect(() => new LineSplitter(() => undefined, 1.5)).toThrow(RangeError);
  });

  it('accepts a plain Uint8Array as well as a Buffer', () => {
    const { splitter, lines } = collect();
    splitter.push(new TextEncoder().encode('plain\npar'));
    splitter.push(new TextEncoder().encode('tial\n'));
    expect(lines.map((l) => l.text)).toEqual(['plain', 'partial']);
  });
});
