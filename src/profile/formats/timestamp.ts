import { digitRun, digits, isBlank, isDigit, isUpper, isLower, skipBlanks, COLON, LBRACKET, RBRACKET, SPACE } from './bytes';

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

/** A capitalised three-letter name (`Jan`, `Mon`); the names themselves are not checked. */
function isShortName(buf: Uint8Array, i: number, end: number): boolean {
  return i + 3 <= end && isUpper(buf[i]!) && isLower(buf[i + 1]!) && isLower(buf[i + 2]!);
}

/** `Www Mmm dd hh:mm:ss[.uuuuuu] yyyy`, the ctime()-style stamp (Apache's error log). */
export function skipCtime(buf: Uint8Array, i: number, end: number): number {
  if (i + 24 > end || !isShortName(buf, i, end) || buf[i + 3] !== SPACE || !isShortName(buf, i + 4, end) || buf[i + 7] !== SPACE) return -1;
  const d0 = buf[i + 8]!;
  if (!(d0 === SPACE || isDigit(d0)) || !isDigit(buf[i + 9]!) || buf[i + 10] !== SPACE) return -1;
  const t = skipClockTime(buf, i + 11, end);
  if (t < 0 || t >= end || buf[t] !== SPACE) return -1;
  return digits(buf, t + 1, end, 4);
}

/** `dd Mmm yyyy hh:mm:ss` (Redis) or `dd-Mmm-yyyy hh:mm:ss` (Tomcat), or `dd/Mmm/yyyy:hh:mm:ss` (access logs). */
function skipDayMonthYear(buf: Uint8Array, i: number, end: number): number {
  let j = digits(buf, i, end, 2);
  if (j < 0 || j >= end) return -1;
  const sep = buf[j]!;
  if (sep !== SPACE && sep !== 0x2d && sep !== 0x2f) return -1;
  if (j + 5 > end || !isShortName(buf, j + 1, end) || buf[j + 4] !== sep) return -1;
  j = digits(buf, j + 5, end, 4);
  if (j < 0 || j >= end || buf[j] !== (sep === 0x2f ? COLON : SPACE)) return -1;
  return skipClockTime(buf, j + 1, end);
}

/** `yy/MM/dd hh:mm:ss` (Spark's log4j pattern) and `yyMMdd hhmmss` (HDFS). */
function skipShortYearDate(buf: Uint8Array, i: number, end: number): number {
  let j = digits(buf, i, end, 2);
  if (j >= 0 && j < end && buf[j] === 0x2f) {
    j = digits(buf, j + 1, end, 2);
    if (j < 0 || j >= end || buf[j] !== 0x2f) return -1;
    j = digits(buf, j + 1, end, 2);
    return j >= 0 && j < end && buf[j] === SPACE ? skipClockTime(buf, j + 1, end) : -1;
  }
  j = digits(buf, i, end, 6);
  if (j < 0 || j >= end || buf[j] !== SPACE) return -1;
  j = digits(buf, j + 1, end, 6);
  return j >= 0 && (j >= end || !isDigit(buf[j]!)) ? j : -1;
}

/** `yyyy-MM-dd-hh.mm.ss.ffffff` (DB2, Blue Gene RAS). */
function skipDottedTime(buf: Uint8Array, i: number, end: number): number {
  let j = digits(buf, i, end, 4);
  for (let k = 0; k < 5; k++) {
    if (j < 0 || j >= end || buf[j] !== (k < 3 ? 0x2d : 0x2e)) return -1;
    j = digits(buf, j + 1, end, 2);
  }
  if (j < 0) return -1;
  if (j < end && buf[j] === 0x2e) j = digitRun(buf, j + 1, end, 1, 9);
  return j;
}

/** `yyyyMMdd-h:m:s:SSS` (HealthApp), its time fields not always zero-padded. */
function skipCompactDate(buf: Uint8Array, i: number, end: number): number {
  let j = digits(buf, i, end, 8);
  if (j < 0 || j >= end || buf[j] !== 0x2d) return -1;
  for (let k = 0; k < 3; k++) {
    j = digitRun(buf, j + 1, end, 1, 2);
    if (j < 0 || (k < 2 && (j >= end || buf[j] !== COLON))) return -1;
  }
  if (j + 1 < end && (buf[j] === COLON || buf[j] === 0x2e) && isDigit(buf[j + 1]!)) j = digitRun(buf, j + 1, end, 1, 9);
  return j;
}

/** Seconds or milliseconds since the epoch: 10 or 13 digits, optionally with a fraction. */
export function skipEpoch(buf: Uint8Array, i: number, end: number): number {
  const j = digitRun(buf, i, end, 10, 13);
  if (j < 0 || (j - i !== 10 && j - i !== 13)) return -1;
  return j + 1 < end && buf[j] === 0x2e && isDigit(buf[j + 1]!) ? digitRun(buf, j + 1, end, 1, 9) : j;
}

/**
 * A date-time stamp in any of the shapes log formats lead with, bare or in square brackets;
 * the index after it (after `]` when bracketed, a zone or `#pid` inside the brackets included), or -1.
 * Shapes: ISO 8601 (`-` or `/` between date parts), `yyyy-MM-dd-hh.mm.ss.ffffff`, `yy/MM/dd
 * hh:mm:ss`, `yyMMdd hhmmss`, `yyyyMMdd-hh:mm:ss:SSS`, syslog's `Mmm dd hh:mm:ss`, `dd Mmm yyyy`, `dd-Mmm-yyyy`,
 * `dd/Mmm/yyyy:`, ctime, a bare clock time, and epoch seconds or milliseconds.
 */
export function skipStamp(buf: Uint8Array, i: number, end: number): number {
  if (i < end && buf[i] === LBRACKET) {
    let j = skipBareStamp(buf, i + 1, end);
    if (j < 0) return -1;
    const blank = skipBlanks(buf, j, end);
    if (blank > j && blank < end && buf[blank] !== RBRACKET) {
      // A zone, or the writer's pid (Ruby's Logger: `[2024-01-15T10:00:00.123456 #4242]`).
      const zone = buf[blank] === 0x23 ? digitRun(buf, blank + 1, end, 1, 10) : skipZoneToken(buf, blank, end);
      if (zone > 0) j = zone;
    }
    return j < end && buf[j] === RBRACKET ? j + 1 : -1;
  }
  return skipBareStamp(buf, i, end);
}

function skipBareStamp(buf: Uint8Array, i: number, end: number): number {
  if (i >= end) return -1;
  const b = buf[i]!;
  if (isUpper(b)) {
    const bsd = skipBsdTimestamp(buf, i, end);
    return bsd >= 0 ? bsd : skipCtime(buf, i, end);
  }
  // The length of the leading digit run and the byte after it tell the shapes apart, so a line
  // that is no stamp is turned down after one look.
  let j = i;
  while (j < end && j - i < 14 && isDigit(buf[j]!)) j++;
  const sep = j < end ? buf[j]! : -1;
  switch (j - i) {
    case 2:
      if (sep === COLON) return skipClockTime(buf, i, end);
      if (sep === 0x2f) {
        const short = skipShortYearDate(buf, i, end);
        if (short >= 0) return short;
      }
      return skipDayMonthYear(buf, i, end);
    case 4: {
      const dotted = sep === 0x2d ? skipDottedTime(buf, i, end) : -1;
      return dotted >= 0 ? dotted : skipIsoTimestamp(buf, i, end);
    }
    case 6: return sep === SPACE ? skipShortYearDate(buf, i, end) : -1;
    case 8: return sep === 0x2d ? skipCompactDate(buf, i, end) : -1;
    case 10:
    case 13: return skipEpoch(buf, i, end);
    default: return -1;
  }
}
