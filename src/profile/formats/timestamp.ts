import { digits, isBlank, isDigit, isUpper, isLower, skipBlanks, COLON, LBRACKET, RBRACKET } from './bytes';

/**
 * Skipping the timestamps that lead log lines, so detectors can look at what follows. Each function
 * returns the index just after the timestamp, or -1. Shape checks only (digits where digits go):
 * nothing is parsed into a date, because the profiler stamps lines with the write's arrival time.
 */

/** `HH:MM:SS` with an optional `.fff`/`,fff` fraction (1-9 digits). */
export function skipClockTime(buf: Uint8Array, i: number, end: number): number {
  i = digits(buf, i, end, 2);
  if (i < 0 || i >= end || buf[i] !== COLON) return -1;
  i = digits(buf, i + 1, end, 2);
  if (i < 0 || i >= end || buf[i] !== COLON) return -1;
  i = digits(buf, i + 1, end, 2);
  if (i < 0) return -1;
  if (i + 1 < end && (buf[i] === 0x2e || buf[i] === 0x2c) && isDigit(buf[i + 1]!)) {
    i += 2;
    const stop = Math.min(end, i + 8);
    while (i < stop && isDigit(buf[i]!)) i++;
  }
  return i;
}

/** `Z`, `+HH:MM`, `+HHMM` or `+HH` right after a time; returns i unchanged when there is none. */
function skipZoneOffset(buf: Uint8Array, i: number, end: number): number {
  if (i >= end) return i;
  const b = buf[i]!;
  if (b === 0x5a) return i + 1; // Z
  if (b !== 0x2b && b !== 0x2d) return i;
  let j = digits(buf, i + 1, end, 2);
  if (j < 0) return i;
  if (j < end && buf[j] === COLON) {
    const k = digits(buf, j + 1, end, 2);
    return k < 0 ? j : k;
  }
  const k = digits(buf, j, end, 2);
  if (k >= 0) j = k;
  return j;
}

/**
 * `YYYY-MM-DD` or `YYYY/MM/DD`, then `T` or one space (only `T` when `requireT`), then a clock
 * time and an optional zone offset: ISO 8601/RFC 3339, log4j's `%d` (`2015-10-18 18:01:47,978`),
 * Python's asctime, nginx's error log (`2024/01/15 10:00:00`).
 */
export function skipIsoTimestamp(buf: Uint8Array, i: number, end: number, requireT = false): number {
  i = digits(buf, i, end, 4);
  if (i < 0 || i >= end) return -1;
  const sep = buf[i]!;
  if (sep !== 0x2d && sep !== 0x2f) return -1;
  i = digits(buf, i + 1, end, 2);
  if (i < 0 || i >= end || buf[i] !== sep) return -1;
  i = digits(buf, i + 1, end, 2);
  if (i < 0 || i >= end) return -1;
  const t = buf[i]!;
  if (t !== 0x54 && (requireT || t !== 0x20)) return -1;
  i = skipClockTime(buf, i + 1, end);
  if (i < 0) return -1;
  return skipZoneOffset(buf, i, end);
}

/** An ISO date-time or a bare clock time (logback's default `HH:mm:ss.SSS`). */
export function skipTimestamp(buf: Uint8Array, i: number, end: number): number {
  const iso = skipIsoTimestamp(buf, i, end);
  return iso >= 0 ? iso : skipClockTime(buf, i, end);
}

/**
 * `[` timestamp `]`, where the timestamp may be followed inside the brackets by a blank and a zone
 * (`[2024-01-15 10:00:00 +0000]`, `[... UTC]`). Returns the index after `]`.
 */
export function skipBracketedTimestamp(buf: Uint8Array, i: number, end: number): number {
  if (i >= end || buf[i] !== LBRACKET) return -1;
  let j = skipTimestamp(buf, i + 1, end);
  if (j < 0) return -1;
  j = skipBlanks(buf, j, end);
  if (j < end && buf[j] !== RBRACKET) j = skipZoneToken(buf, j, end);
  return j >= 0 && j < end && buf[j] === RBRACKET ? j + 1 : -1;
}

/** A zone written as a word after the time: `+0000`, `-07:00`, `UTC`, `CEST`. Returns -1 if none. */
export function skipZoneToken(buf: Uint8Array, i: number, end: number): number {
  const offset = skipZoneOffset(buf, i, end);
  if (offset > i + 1) return offset;
  let j = i;
  while (j < end && j - i < 5 && isUpper(buf[j]!)) j++;
  if (j - i < 2 || (j < end && !isBlank(buf[j]!) && buf[j] !== RBRACKET)) return -1;
  return j;
}

/**
 * The BSD syslog (RFC 3164) timestamp `Mmm dd hh:mm:ss`, day padded with a space (`Dec  4`), as
 * rsyslog and syslog-ng write it to files by default. Any capitalised three-letter month name is
 * accepted: checking the twelve names buys nothing once the rest of the shape has matched.
 */
export function skipBsdTimestamp(buf: Uint8Array, i: number, end: number): number {
  if (i + 15 > end) return -1;
  if (!isUpper(buf[i]!) || !isLower(buf[i + 1]!) || !isLower(buf[i + 2]!) || buf[i + 3] !== 0x20) return -1;
  const d0 = buf[i + 4]!;
  if (!(d0 === 0x20 || isDigit(d0)) || !isDigit(buf[i + 5]!) || buf[i + 6] !== 0x20) return -1;
  return skipClockTime(buf, i + 7, end);
}
