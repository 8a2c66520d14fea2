import { Severity } from '../severity';
import { isBlank, isDigit, COLON } from './bytes';
import { isLevelKey, levelWord, numericLevel } from './level-word';
import { NOT_MINE } from './types';

/**
 * How far into a JSON line the level key may start. Unlike text formats, JSON loggers do not all
 * put the level first (logrus sorts keys, bunyan writes name/hostname/pid before it, ECS puts
 * `@timestamp` first), so this bound is larger than the text formats' 512 bytes. It matches the
 * line splitter's default retained prefix: a level key that starts later is not seen, and the line
 * counts as JSON of unknown severity.
 */
export const JSON_SCAN_LIMIT = 4096;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LSQUARE = 0x5b;
const RSQUARE = 0x5d;
const COMMA = 0x2c;

function skipWs(buf: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const b = buf[i]!;
    if (!isBlank(b) && b !== 0x0d && b !== 0x0a) break;
    i++;
  }
  return i;
}

/** With buf[i] === '"', the index after the closing quote, or -1 if the string does not close. */
function stringEnd(buf: Uint8Array, i: number, end: number): number {
  for (i++; i < end; i++) {
    const b = buf[i]!;
    if (b === BACKSLASH) i++;
    else if (b === QUOTE) return i + 1;
  }
  return -1;
}

/** The index after the value at i (any JSON value, nested ones included), or -1. */
function valueEnd(buf: Uint8Array, i: number, end: number): number {
  const first = buf[i]!;
  if (first === QUOTE) return stringEnd(buf, i, end);
  if (first === LBRACE || first === LSQUARE) {
    let depth = 0;
    for (; i < end; i++) {
      const b = buf[i]!;
      if (b === QUOTE) {
        i = stringEnd(buf, i, end);
        if (i < 0) return -1;
        i--; // the loop's i++ lands just after the string
      } else if (b === LBRACE || b === LSQUARE) depth++;
      else if (b === RBRACE || b === RSQUARE) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number or a literal runs to the next delimiter.
  for (; i < end; i++) {
    const b = buf[i]!;
    if (b === COMMA || b === RBRACE || b === RSQUARE || isBlank(b)) return i;
  }
  return i;
}

/** The severity of a level value at i (a string of a level word, or a number), Unknown otherwise. */
function levelValue(buf: Uint8Array, i: number, end: number): Severity {
  const b = buf[i]!;
  if (b === QUOTE) {
    const close = stringEnd(buf, i, end);
    if (close < 0) return Severity.Unknown;
    let s = i + 1;
    let e = close - 1;
    while (s < e && isBlank(buf[s]!)) s++;
    while (e > s && isBlank(buf[e - 1]!)) e--;
    const severity = levelWord(buf, s, e);
    return severity === NOT_MINE ? Severity.Unknown : (severity as Severity);
  }
  if (isDigit(b)) {
    let value = 0;
    for (let k = 0; i < end && k < 4 && isDigit(buf[i]!); i++, k++) value = value * 10 + (buf[i]! - 0x30);
    return numericLevel(value);
  }
  return Severity.Unknown;
}

/**
 * JSON lines: an object (first non-blank byte `{`, then `"` or `}`). The level is the value of the
 * first top-level level key (see isLevelKey), a string naming a level in any case, or a number
 * (pino/bunyan levels, or syslog severities 0-7 as GELF sends them). Keys inside nested objects do
 * not count: `{"req":{"level":"x"}}` is not a level. Keys are compared without decoding escapes.
 * Malformed or truncated JSON is still JSON data, of unknown severity when the key was not reached.
 * Serilog's compact format omits `@l` for Information; such lines are left unknown rather than
 * guessed.
 */
export function detectJson(buf: Uint8Array, start: number, end: number): number {
  let i = skipWs(buf, start, end);
  if (i >= end || buf[i] !== LBRACE) return NOT_MINE;
  i = skipWs(buf, i + 1, end);
  if (i >= end) return Severity.Unknown;
  if (buf[i] === RBRACE) return Severity.Unknown;
  if (buf[i] !== QUOTE) return NOT_MINE;
  for (;;) {
    // At the opening quote of a key.
    const keyEnd = stringEnd(buf, i, end);
    if (keyEnd < 0) return Severity.Unknown;
    const isLevel = isLevelKey(buf, i + 1, keyEnd - 1);
    i = skipWs(buf, keyEnd, end);
    if (i >= end || buf[i] !== COLON) return Severity.Unknown;
    i = skipWs(buf, i + 1, end);
    if (i >= end) return Severity.Unknown;
    if (isLevel) return levelValue(buf, i, end);
    i = valueEnd(buf, i, end);
    if (i < 0) return Severity.Unknown;
    i = skipWs(buf, i, end);
    if (i >= end || buf[i] !== COMMA) return Severity.Unknown;
    i = skipWs(buf, i + 1, end);
    if (i >= end || buf[i] !== QUOTE) return Severity.Unknown;
  }
}
