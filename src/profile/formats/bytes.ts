/** Byte-level helpers shared by the format detectors. All take and return indices; none allocate. */

export const SPACE = 0x20;
export const TAB = 0x09;
export const COLON = 0x3a;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;

export function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

export function isUpper(b: number): boolean {
  return b >= 0x41 && b <= 0x5a;
}

export function isLower(b: number): boolean {
  return b >= 0x61 && b <= 0x7a;
}

export function isLetter(b: number): boolean {
  return isUpper(b) || isLower(b);
}

export function isBlank(b: number): boolean {
  return b === SPACE || b === TAB;
}

/** Letters, digits and underscore: the characters of an identifier-like token. */
export function isWordByte(b: number): boolean {
  return isLetter(b) || isDigit(b) || b === 0x5f;
}

export function skipBlanks(buf: Uint8Array, i: number, end: number): number {
  while (i < end && isBlank(buf[i]!)) i++;
  return i;
}

/** Index after a run of ASCII letters starting at i, looking at no more than `max` bytes. */
export function letterRunEnd(buf: Uint8Array, i: number, end: number, max: number): number {
  const stop = Math.min(end, i + max);
  while (i < stop && isLetter(buf[i]!)) i++;
  return i;
}

/** Index after exactly `n` digits at i, or -1. */
export function digits(buf: Uint8Array, i: number, end: number, n: number): number {
  if (i + n > end) return -1;
  for (let k = 0; k < n; k++) if (!isDigit(buf[i + k]!)) return -1;
  return i + n;
}

/** Index after a run of at least `min` and at most `max` digits at i, or -1. */
export function digitRun(buf: Uint8Array, i: number, end: number, min: number, max: number): number {
  const stop = Math.min(end, i + max);
  let j = i;
  while (j < stop && isDigit(buf[j]!)) j++;
  if (j - i < min || (j < end && isDigit(buf[j]!))) return -1;
  return j;
}

export function allUpper(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isUpper(buf[i]!)) return false;
  return true;
}

/** Index of the first `byte` in [i, min(end, i + max)), or -1. */
export function indexOfWithin(buf: Uint8Array, byte: number, i: number, end: number, max: number): number {
  const stop = Math.min(end, i + max);
  for (; i < stop; i++) if (buf[i] === byte) return i;
  return -1;
}

/**
 * Index after an ANSI SGR (colour) sequence `ESC [ digits;... m` at i, or i if there is none.
 * Loggers that colour their level (winston's colorize, many consoles) wrap it in these.
 */
export function skipSgr(buf: Uint8Array, i: number, end: number): number {
  if (i + 2 >= end || buf[i] !== 0x1b || buf[i + 1] !== LBRACKET) return i;
  let j = i + 2;
  while (j < end && j - i < 16 && (isDigit(buf[j]!) || buf[j] === 0x3b)) j++;
  return j < end && buf[j] === 0x6d ? j + 1 : i;
}

/** The bytes of an ASCII string (for the constant words detectors compare against). */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Whether bytes [i, end) begin with `prefix`. */
export function startsWithBytes(buf: Uint8Array, i: number, end: number, prefix: Uint8Array): boolean {
  if (end - i < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[i + k] !== prefix[k]) return false;
  return true;
}

/** Index after a field of non-blank bytes at i (at most `max`) and the one space after it, or -1. */
export function skipField(buf: Uint8Array, i: number, end: number, max: number): number {
  const stop = Math.min(end, i + max);
  const start = i;
  while (i < stop && !isBlank(buf[i]!)) i++;
  return i > start && i < end && buf[i] === SPACE ? i + 1 : -1;
}
