import { allUpper, isBlank, skipBlanks, COLON, SPACE } from './bytes';
import { levelWordEnd, levelWord } from './level-word';
import { skipBracketedTimestamp, skipIsoTimestamp } from './timestamp';
import { NOT_MINE } from './types';

const MAX_LOGGER_NAME = 128;

/** ` - ` at i. */
function isDash(buf: Uint8Array, i: number, end: number): boolean {
  return i + 3 <= end && buf[i] === SPACE && buf[i + 1] === 0x2d && buf[i + 2] === SPACE;
}

/** An upper-case level name (Python's levelname is always upper case) at i, its severity or NOT_MINE. */
function upperLevel(buf: Uint8Array, i: number, end: number): number {
  const e = levelWordEnd(buf, i, end);
  if (e < 0 || !allUpper(buf, i, e)) return NOT_MINE;
  return levelWord(buf, i, e);
}

/**
 * Python's logging module, in the layouts most programs leave as they are:
 * - basicConfig()'s default `%(levelname)s:%(name)s:%(message)s`: `WARNING:root:disk low`;
 * - the cookbook's `%(asctime)s - %(name)s - %(levelname)s - %(message)s`:
 *   `2005-03-19 15:10:26,618 - simple_example - DEBUG - debug message`;
 * - Flask's default handler `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`.
 * levelname is upper case (CRITICAL, ERROR, WARNING, INFO, DEBUG); it is only looked for in its
 * field, so a message that contains `ERROR` does not count.
 */
export function detectPython(buf: Uint8Array, start: number, end: number): number {
  // LEVEL:logger:message
  const e = levelWordEnd(buf, start, end);
  if (e >= 0) {
    if (e >= end || buf[e] !== COLON || !allUpper(buf, start, e)) return NOT_MINE;
    let i = e + 1;
    const stop = Math.min(end, i + MAX_LOGGER_NAME);
    while (i < stop && buf[i] !== COLON && !isBlank(buf[i]!)) i++;
    return i < stop && buf[i] === COLON ? levelWord(buf, start, e) : NOT_MINE;
  }
  // [asctime] LEVEL in module:
  const bracketed = skipBracketedTimestamp(buf, start, end);
  if (bracketed >= 0) {
    const i = skipBlanks(buf, bracketed, end);
    if (i === bracketed) return NOT_MINE;
    const we = levelWordEnd(buf, i, end);
    if (we < 0 || we + 4 > end || buf[we] !== SPACE || buf[we + 1] !== 0x69 || buf[we + 2] !== 0x6e || buf[we + 3] !== SPACE) {
      return NOT_MINE;
    }
    return upperLevel(buf, i, end);
  }
  // asctime - name - LEVEL - message
  const t = skipIsoTimestamp(buf, start, end);
  if (t < 0 || !isDash(buf, t, end)) return NOT_MINE;
  let i = t + 3;
  const stop = Math.min(end, i + MAX_LOGGER_NAME);
  while (i < stop && !isDash(buf, i, end)) i++;
  if (i >= stop) return NOT_MINE;
  i += 3;
  const levelEnd = levelWordEnd(buf, i, end);
  if (levelEnd < 0 || !isDash(buf, levelEnd, end)) return NOT_MINE;
  return upperLevel(buf, i, end);
}
