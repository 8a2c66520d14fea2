/**
 * What a line's raw bytes say about it before any format is tried: NUL bytes, invalid UTF-8, and
 * the share of control bytes. One pass, printable ASCII on the fast path, no allocation.
 */
export const ByteFlag = {
  Nul: 1,
  InvalidUtf8: 2,
  /** More than one byte in eight is a control byte (tab, CR and ESC excepted). */
  ControlHeavy: 4,
} as const;

/**
 * Scans [start, end) and returns ByteFlag bits. UTF-8 is checked as RFC 3629 defines it (no
 * overlongs, no surrogates, nothing above U+10FFFF). When `isPrefix` is set the bytes are the
 * retained head of a longer line, so a sequence cut off at `end` is not counted as invalid.
 * Tab, CR (progress-bar lines) and ESC (ANSI colours) are not counted as control bytes: all
 * three are common in text logs.
 */
export function scanBytes(buf: Uint8Array, start: number, end: number, isPrefix: boolean): number {
  let flags = 0;
  let control = 0;
  let i = start;
  const view = dataViewOf(buf);
  const base = buf.byteOffset;
  while (i < end) {
    // Fast path, four bytes at a time: leave it at the first word holding a byte >= 0x80, < 0x20
    // or 0x7f (the SWAR "has byte less than n" and "has zero byte" tests, exact as booleans).
    while (i + 4 <= end) {
      const w = view.getUint32(base + i, true);
      const del = w ^ 0x7f7f7f7f;
      if (((w | ((w - 0x20202020) & ~w) | ((del - 0x01010101) & ~del)) & 0x80808080) !== 0) break;
      i += 4;
    }
    // Byte by byte through the word that left the fast path (or the last, short one).
    const stop = Math.min(end, i + 4);
    while (i < stop) {
      const b = buf[i]!;
      if (b >= 0x20 && b < 0x7f) {
        i++;
        continue;
      }
      if (b < 0x80) {
        if (b === 0) flags |= ByteFlag.Nul;
        if (b !== 0x09 && b !== 0x0d && b !== 0x1b) control++;
        i++;
        continue;
      }
      const n = utf8SequenceLength(buf, i, end);
      if (n > 0) i += n;
      else if (n < 0 && isPrefix) {
        i = end;
        break;
      } else {
        // Invalid once is invalid: the rest only has controls and NULs to count, and binary
        // content (half its bytes >= 0x80) would otherwise be decoded byte by byte.
        control += countControls(buf, i + 1, end);
        if (nulFound) flags |= ByteFlag.Nul;
        flags |= ByteFlag.InvalidUtf8;
        i = end;
        break;
      }
    }
  }
  if (control * 8 > end - start) flags |= ByteFlag.ControlHeavy;
  return flags;
}

/** Set by countControls: whether the bytes it counted held a NUL. */
let nulFound = false;

/** Control bytes in [i, end) as scanBytes counts them; sets nulFound. */
function countControls(buf: Uint8Array, i: number, end: number): number {
  let control = 0;
  let nul = false;
  for (; i < end; i++) {
    const b = buf[i]!;
    if (b < 0x20) {
      if (b === 0) nul = true;
      if (b !== 0x09 && b !== 0x0d && b !== 0x1b) control++;
    } else if (b === 0x7f) control++;
  }
  nulFound = nul;
  return control;
}

// DataViews over the last two ArrayBuffers seen (typically the caller's read buffer and the line
// splitter's carry buffer), so that the word-at-a-time path allocates only when a buffer changes.
let bufferA: ArrayBufferLike | null = null;
let viewA: DataView | null = null;
let bufferB: ArrayBufferLike | null = null;
let viewB: DataView | null = null;

function dataViewOf(buf: Uint8Array): DataView {
  const ab = buf.buffer;
  if (ab === bufferA) return viewA!;
  if (ab === bufferB) {
    // Move to the front so the two most recent stay cached.
    bufferB = bufferA;
    const v = viewB!;
    viewB = viewA;
    bufferA = ab;
    viewA = v;
    return v;
  }
  bufferB = bufferA;
  viewB = viewA;
  bufferA = ab;
  viewA = new DataView(ab);
  return viewA;
}

function isContinuation(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/**
 * The length of the valid multi-byte sequence at i, 0 if it is invalid, or -1 if it is valid so
 * far but runs past `end`.
 */
function utf8SequenceLength(buf: Uint8Array, i: number, end: number): number {
  const b = buf[i]!;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) n = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    if (b === 0xe0) lo = 0xa0; // no overlongs
    else if (b === 0xed) hi = 0x9f; // no surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    if (b === 0xf0) lo = 0x90; // no overlongs
    else if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
  } else return 0;
  if (i + 1 >= end) return -1;
  const b1 = buf[i + 1]!;
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k < n; k++) {
    if (i + k >= end) return -1;
    if (!isContinuation(buf[i + k]!)) return 0;
  }
  return n;
}
