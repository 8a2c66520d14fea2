import { isBlank, isDigit, isLetter, isLower, isUpper, skipField, skipSgr, LBRACKET, RBRACKET, SPACE } from './bytes';
import { bracketLevelAt, headerLevelAt } from './level-word';
import { skipStamp, skipZoneToken } from './timestamp';
import { CONTINUES, NOT_MINE } from './types';

const MAX_FIELD = 128;
/** Header fields between the stamp and the level: pid, tid, zone, thread, a separator or two. */
const MAX_FIELDS = 5;
/** Fields a collector may put before the stamp (a file name, a host). */
const MAX_LEADING_FIELDS = 2;
const PIPE = 0x7c;
const DASH = 0x2d;
const COMMA = 0x2c;
const COLON = 0x3a;
const HASH = 0x23;

/** Blanks and colour sequences between fields (tracing-subscriber colours each field). */
function skipGap(buf: Uint8Array, i: number, end: number): number {
  for (;;) {
    while (i < end && isBlank(buf[i]!)) i++;
    const next = skipSgr(buf, i, end);
    if (next === i) return i;
    i = next;
  }
}

/** Index after a run of digits at i (a pid, a thread id, elapsed ms, `1234#5678`), or -1. */
function skipNumber(buf: Uint8Array, i: number, end: number): number {
  const start = i;
  while (i < end && (isDigit(buf[i]!) || (i > start && (buf[i] === HASH || buf[i] === COLON) && i + 1 < end && isDigit(buf[i + 1]!)))) i++;
  return i > start ? i : -1;
}

/** Index after a separator field (`-`, `---`, `|`, `:`), or -1. */
function skipSeparator(buf: Uint8Array, i: number, end: number): number {
  const b = buf[i]!;
  if (b !== DASH && b !== PIPE && b !== COLON) return -1;
  let j = i + 1;
  while (j < end && j - i < 3 && buf[j] === b) j++;
  return j >= end || isBlank(buf[j]!) ? j : -1;
}

/** A byte of a file or host name put before a stamp: letters, digits, `.`, `-`, `_`, `:`, `/`. */
export function isNameByte(b: number): boolean {
  return isLetter(b) || isDigit(b) || b === 0x2e || b === 0x2d || b === 0x5f || b === COLON || b === 0x2f;
}

/** Index after a file or host name (`nova-api.log.1`, `web-1`, `-`) at i and the space after it, or -1. */
function skipNameToken(buf: Uint8Array, i: number, end: number): number {
  const stop = Math.min(end, i + MAX_FIELD);
  const start = i;
  while (i < stop && isNameByte(buf[i]!)) i++;
  return i > start && i < end && buf[i] === SPACE ? i + 1 : -1;
}

/** Index after `[...]` at i (a thread, a pid, a request id), or -1. */
function skipBracket(buf: Uint8Array, i: number, end: number): number {
  const stop = Math.min(end, i + MAX_FIELD);
  let depth = 0;
  for (let j = i; j < stop; j++) {
    if (buf[j] === LBRACKET) depth++;
    else if (buf[j] === RBRACKET && --depth === 0) return j + 1;
  }
  return -1;
}

/**
 * A level after a leading stamp and the header fields that layouts put before it: the
 * pattern-layout family and everything built the same way.
 * `2015-10-18 18:01:47,978 INFO [main] ...` (log4j, Hadoop), `10:00:00.123 [main] WARN  c.e.App`
 * (logback), `2024-01-15 10:00:00.123  INFO 1 --- [main] ...` (Spring Boot),
 * `2016-02-01 10:00:00.123 1234 INFO nova.compute ...` (oslo.log), `2015-07-29 17:41:44,747 - INFO  [...]`
 * (ZooKeeper), `17/06/09 20:10:40 INFO ...` (Spark), `081109 203615 148 INFO ...` (HDFS),
 * `176 [main] INFO  ...` (log4j TTCC), `2024-01-15 10:00:00.123 UTC [4242] LOG:  ...` (PostgreSQL),
 * `2024-01-15 10:00:00 0 [Note] ...` (MariaDB), `2024-01-15 10:00:00.123 +00:00 [INF] ...` (Serilog
 * files), `2016-09-28 04:30:30, Info    CBS ...` (Windows CBS), `2024-01-15 10:00:00.123 | ERROR | ...`
 * (loguru), `[2024-01-15T10:00:00Z INFO  my_app] ...` (Rust env_logger), `2024-01-15T10:00:00Z  INFO
 * my_app: ...` (tracing-subscriber), `2024/01/15 10:00:00 INFO ...` (Go slog), `I, [2024-01-15T10:00:00.123456
 * #4242]  INFO -- app: ...` (Ruby's Logger), `15-Jan-2024 10:00:00.123 FINE [main] ...` (Tomcat).
 *
 * Where a level may stand: only after the stamp (itself first, or after one or two leading fields
 * such as a file or host name), past nothing but header fields (numbers, a zone, `[bracketed]`
 * fields, `-`/`|`/`:` separators), at most five of them, or past one host name right after the
 * stamp when the level is in capitals. The first field that is none of these ends the search: a
 * level word after a logger name or in the message is text. The word itself follows headerLevelAt's rule (capitals, or any case before a colon, tab or
 * padding). A bracket holding a level right after the stamp is left to the bracketed detector.
 */
export function detectStamped(buf: Uint8Array, start: number, end: number): number {
  if (buf[start] === LBRACKET) {
    // env_logger keeps the level inside the stamp's brackets: `[2024-... INFO  app] msg`.
    const inner = skipStamp(buf, start + 1, end);
    if (inner >= 0 && inner < end && isBlank(buf[inner]!)) {
      const level = headerLevelAt(buf, skipGap(buf, inner, end), end);
      if (level !== NOT_MINE) return level;
    }
  }
  // Ruby's Logger repeats the level's initial before the stamp: `I, [2024-... #4242]  INFO -- app: ...`.
  if (end - start > 4 && isUpper(buf[start]!) && buf[start + 1] === COMMA && buf[start + 2] === SPACE && buf[start + 3] === LBRACKET) start += 3;
  let stampAt = start;
  let i = skipStamp(buf, stampAt, end);
  // The stamp may follow a field or two that a collector put first (a file or host name:
  // `nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO ...`).
  for (let lead = 0; i < 0 && lead < MAX_LEADING_FIELDS; lead++) {
    stampAt = skipNameToken(buf, stampAt, end);
    if (stampAt < 0) break;
    i = skipStamp(buf, stampAt, end);
  }
  if (i >= 0) i = skipSgr(buf, i, end); // tracing-subscriber colours the stamp
  if (i < 0) {
    i = skipNumber(buf, start, end); // TTCC's elapsed milliseconds
    if (i < 0 || i >= end || !isBlank(buf[i]!)) return NOT_MINE;
  } else if (i < end && (buf[i] === COMMA || buf[i] === COLON)) i++; // `04:30:30, Info` (CBS), `,123:INFO:`
  else if (i < end && !isBlank(buf[i]!)) return NOT_MINE;
  return i < end ? levelInHeader(buf, i, end) : NOT_MINE;
}

/** The level among the header fields from i (just after the stamp) on; see detectStamped. */
function levelInHeader(buf: Uint8Array, i: number, end: number): number {
  for (let field = 0; field <= MAX_FIELDS; field++) {
    i = skipGap(buf, i, end);
    if (i >= end) return NOT_MINE;
    const level = headerLevelAt(buf, i, end);
    if (level !== NOT_MINE) return level;
    const b = buf[i]!;
    let next: number;
    if (b === LBRACKET) {
      if (field === 0 && bracketLevelAt(buf, i, end, LBRACKET, RBRACKET) !== NOT_MINE) return NOT_MINE;
      const inside = bracketLevelAt(buf, i, end, LBRACKET, RBRACKET);
      if (inside !== NOT_MINE) return inside;
      next = skipBracket(buf, i, end);
    } else if (isDigit(b)) {
      next = skipNumber(buf, i, end);
    } else {
      next = skipSeparator(buf, i, end);
      if (next < 0 && field === 0) next = skipZoneToken(buf, i, end);
      if (next < 0 && field === 0) return levelAfterHost(buf, i, end);
    }
    if (next <= i || (next < end && !isBlank(buf[next]!) && buf[next] !== 0x1b)) return NOT_MINE;
    i = next;
  }
  return NOT_MINE;
}

/**
 * `stamp host LEVEL ...`: one host name right after the stamp, then a level in capitals. Only there
 * and only in capitals: past a logger name or a word of prose, a level word is message text.
 */
function levelAfterHost(buf: Uint8Array, i: number, end: number): number {
  const next = skipField(buf, i, end, MAX_FIELD);
  if (next < 0) return NOT_MINE;
  // A host name has a digit, a dot, a dash or an underscore in it (`web-1`, `db02.lan`); a word
  // of prose has none (`2024-... Unexpected ERROR in ...`).
  let hostLike = false;
  for (let k = i; k < next - 1 && !hostLike; k++) hostLike = !isLetter(buf[k]!);
  if (!hostLike) return NOT_MINE;
  const at = skipGap(buf, next, end);
  const level = headerLevelAt(buf, at, end);
  if (level === NOT_MINE || level === CONTINUES) return NOT_MINE;
  let e = at;
  while (e < end && isUpper(buf[e]!)) e++;
  return e < end && isLower(buf[e]!) ? NOT_MINE : level;
}
