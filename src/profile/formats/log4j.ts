import { isBlank, isDigit, skipBlanks, LBRACKET, RBRACKET } from './bytes';
import { bareLevelAt, bracketLevelAt } from './level-word';
import { skipTimestamp, skipZoneToken } from './timestamp';
import { NOT_MINE } from './types';

const MAX_THREAD = 128;
const PIPE = 0x7c;

/** Index after up to three blank-separated runs of digits at i (TTCC's elapsed ms, HDFS's `081109 203615 148`), or -1. */
function skipNumberColumns(buf: Uint8Array, i: number, end: number): number {
  let columns = 0;
  while (columns < 3 && i < end && isDigit(buf[i]!)) {
    while (i < end && isDigit(buf[i]!)) i++;
    if (i >= end || !isBlank(buf[i]!)) return -1;
    columns++;
    i = skipBlanks(buf, i, end);
  }
  return columns > 0 ? i : -1;
}

/**
 * Java-style pattern layouts (log4j, logback, Spring Boot) and others built the same way: a
 * timestamp (or TTCC's elapsed milliseconds), then optionally a zone word, a `|` (loguru), a
 * `[thread]`, and then the level as a word: `2015-10-18 18:01:47,978 INFO [main] ...`,
 * `10:00:00.123 [main] WARN  c.e.App - ...` (logback), `2024-01-15 10:00:00.123  INFO 1 --- [main] ...`
 * (Spring Boot), `2024-01-15 10:00:00.123 | ERROR | mod:fn:12 - ...` (loguru),
 * `2024-01-15 10:00:00.123 UTC [1234] ERROR:  ...` (PostgreSQL).
 * The level must stand where a level goes and obey the bare-word rule (capitals, or any case with
 * a colon); a bracket holding a level word is left to the bracketed detector.
 */
export function detectLog4j(buf: Uint8Array, start: number, end: number): number {
  let i = skipTimestamp(buf, start, end);
  if (i < 0) i = skipNumberColumns(buf, start, end);
  else {
    if (i >= end || !isBlank(buf[i]!)) return NOT_MINE;
    i = skipBlanks(buf, i, end);
  }
  if (i < 0 || i >= end) return NOT_MINE;
  // An optional zone word (`UTC`), unless the word is the level itself.
  let severity = bareLevelAt(buf, i, end);
  if (severity !== NOT_MINE) return severity;
  const zoneEnd = skipZoneToken(buf, i, end);
  if (zoneEnd > i && zoneEnd < end && isBlank(buf[zoneEnd]!)) i = skipBlanks(buf, zoneEnd, end);
  if (i < end && buf[i] === PIPE) i = skipBlanks(buf, i + 1, end);
  if (i < end && buf[i] === LBRACKET) {
    if (bracketLevelAt(buf, i, end, LBRACKET, RBRACKET) !== NOT_MINE) return NOT_MINE;
    const stop = Math.min(end, i + MAX_THREAD);
    let j = i + 1;
    while (j < stop && buf[j] !== RBRACKET) j++;
    if (j >= stop) return NOT_MINE;
    i = skipBlanks(buf, j + 1, end);
  }
  severity = bareLevelAt(buf, i, end);
  return severity;
}
