import { letterLevel } from '../levels';
import { digits, isBlank, isWordByte, skipBlanks, SPACE } from './bytes';
import { skipClockTime } from './timestamp';
import { NOT_MINE } from './types';

const SLASH = 0x2f;

/** Android priority letters (V D I W E F A): see letterLevel. */
const priority = letterLevel;

/** `MM-DD hh:mm:ss.mmm` (threadtime and time formats) or with the year (`-v year`). */
function skipLogcatTime(buf: Uint8Array, i: number, end: number): number {
  let j = digits(buf, i, end, 4);
  if (j >= 0 && j < end && buf[j] === 0x2d) i = j + 1; // a leading year
  j = digits(buf, i, end, 2);
  if (j < 0 || j >= end || buf[j] !== 0x2d) return -1;
  j = digits(buf, j + 1, end, 2);
  if (j < 0 || j >= end || buf[j] !== SPACE) return -1;
  const t = skipClockTime(buf, j + 1, end);
  // logcat always prints milliseconds (or micro/nanoseconds with -v usec/nsec).
  if (t < 0 || t - (j + 1) < 12 || buf[j + 9] !== 0x2e) return -1;
  return t;
}

/** `L/Tag( 1234): ...`: the brief format, and what follows the stamp in the time format. */
function briefPriority(buf: Uint8Array, i: number, end: number): number {
  if (i + 3 > end || buf[i + 1] !== SLASH) return NOT_MINE;
  const severity = priority(buf[i]!);
  if (severity === NOT_MINE) return NOT_MINE;
  // The tag runs to '(' then the pid and '):'; tags may contain spaces, so only bound the search.
  const stop = Math.min(end, i + 2 + 128);
  let j = i + 2;
  while (j < stop && buf[j] !== 0x28) j++; // (
  if (j >= stop) return NOT_MINE;
  j = skipBlanks(buf, j + 1, end);
  let k = j;
  while (k < end && k - j < 10 && buf[k]! >= 0x30 && buf[k]! <= 0x39) k++;
  if (k === j || k + 1 >= end || buf[k] !== 0x29 || buf[k + 1] !== 0x3a) return NOT_MINE; // ):
  return severity;
}

/**
 * Android logcat. The default `threadtime` format,
 * `03-17 16:13:38.811  1702  2395 D Tag: message` (pid and tid right-aligned), optionally with a
 * year or a uid column; the `time` format `03-17 16:13:38.811 D/Tag( 1702): message`; and the
 * `brief` format `D/Tag( 1702): message`. The priority is a single capital letter in a fixed
 * position, never taken from the message.
 */
export function detectLogcat(buf: Uint8Array, start: number, end: number): number {
  const t = skipLogcatTime(buf, start, end);
  if (t < 0) return briefPriority(buf, start, end);
  let i = skipBlanks(buf, t, end);
  if (i === t) return NOT_MINE;
  const brief = briefPriority(buf, i, end);
  if (brief !== NOT_MINE) return brief;
  // Up to three columns (uid, pid, tid) before the one-letter priority.
  for (let column = 0; column < 4 && i < end; column++) {
    const tokenStart = i;
    while (i < end && isWordByte(buf[i]!)) i++;
    const length = i - tokenStart;
    if (length === 0 || i >= end || !isBlank(buf[i]!)) return NOT_MINE;
    if (length === 1) {
      const severity = priority(buf[tokenStart]!);
      if (severity !== NOT_MINE) return severity;
    }
    i = skipBlanks(buf, i, end);
  }
  return NOT_MINE;
}
