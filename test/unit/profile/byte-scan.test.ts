import { ByteFlag, scanBytes } from '../../../src/profile/byte-scan';
import { seededRandom } from './support';

/**
 * scanBytes against the plainest reading of its contract: WHATWG's strict UTF-8 decoder (RFC 3629:
 * no overlongs, surrogates or code points above U+10FFFF; streaming, a prefix may end mid
 * sequence), and a byte count of the controls.
 */
function reference(bytes: Uint8Array, isPrefix: boolean): number {
  let flags = 0;
  let control = 0;
  for (const b of bytes) {
    if (b === 0) flags |= ByteFlag.Nul;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x1b) || b === 0x7f) control++;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: isPrefix });
  } catch {
    flags |= ByteFlag.InvalidUtf8;
  }
  if (control * 8 > bytes.length) flags |= ByteFlag.ControlHeavy;
  return flags;
}

/** Lines made of pieces of the kinds logs hold: ASCII, multi-byte text, controls, random bytes. */
function randomLine(random: () => number): Buffer {
  const pieces: Buffer[] = [];
  const count = 1 + Math.floor(random() * 8);
  // Half the lines from the kinds that are valid UTF-8 only.
  const kinds = random() < 0.5 ? 3 : 6;
  for (let p = 0; p < count; p++) {
    const kind = Math.floor(random() * kinds);
    const n = Math.floor(random() * 40);
    if (kind === 0) pieces.push(Buffer.from('GET /index.html 200 '.repeat(1 + (n % 4)).slice(0, n)));
    else if (kind === 1) pieces.push(Buffer.from('é€𝄞ü'.repeat(1 + (n % 3)), 'utf8'));
    else if (kind === 2) pieces.push(Buffer.from(Array.from({ length: n % 6 }, () => Math.floor(random() * 0x20))));
    else if (kind === 3) pieces.push(Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256))));
    else if (kind === 4) pieces.push(Buffer.from('𝄞', 'utf8').subarray(0, 1 + (n % 3))); // a sequence cut short
    else pieces.push(Buffer.from([0x7f, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xf4, 0x90].slice(n % 8, 1 + (n % 8) + (n % 3))));
  }
  return Buffer.concat(pieces);
}

describe('scanBytes', () => {
  it('agrees with a strict UTF-8 decoder and a byte count on 20,000 random lines, at any offset', () => {
    const random = seededRandom(14);
    let invalid = 0;
    for (let k = 0; k < 20_000; k++) {
      const line = randomLine(random);
      // In the middle of a larger buffer, as lines lie in a read buffer: bytes around must not count.
      const pad = Math.floor(random() * 5);
      const buf = Buffer.concat([Buffer.from([0xff, 0, 0xc3].slice(0, pad)), line, Buffer.from([0xe2, 0x82, 0])]);
      for (const isPrefix of [false, true]) {
        const got = scanBytes(buf, Math.min(pad, 3), Math.min(pad, 3) + line.length, isPrefix);
        const want = reference(line, isPrefix);
        if (got !== want) throw new Error(`line ${line.toString('hex')} isPrefix ${isPrefix}: ${got} != ${want}`);
      }
      if (reference(line, false) & ByteFlag.InvalidUtf8) invalid++;
    }
    // Both kinds well represented, so that the test says something about each path.
    expect(invalid).toBeGreaterThan(5_000);
    expect(invalid).toBeLessThan(15_000);
  });

  it('counts controls and NULs after an invalid byte as before it', () => {
    const line = Buffer.from([0x41, 0xff, 0x01, 0x02, 0x00, 0x41, 0x41, 0x41]);
    expect(scanBytes(line, 0, line.length, false)).toBe(ByteFlag.InvalidUtf8 | ByteFlag.Nul | ByteFlag.ControlHeavy);
    const calm = Buffer.from('abcdefghijklmno\xff\x01', 'latin1');
    expect(scanBytes(calm, 0, calm.length, false)).toBe(ByteFlag.InvalidUtf8);
  });
});
