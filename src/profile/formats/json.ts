import { Severity } from '../severity';
import { isBlank, isDigit, COLON } from './bytes';
import { isLevelKey, levelWord } from './level-word';
import { httpStatusLevel, letterLevel, numericLevel } from '../levels';
import { DERIVED, EMBEDDED, NOT_MINE } from './types';

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

/** A level value's severity: a level word, a number (pino, bunyan, syslog), or digits in a string (journald). */
function levelValue(buf: Uint8Array, i: number, end: number): number {
  let s = i;
  let e: number;
  if (buf[i] === QUOTE) {
    const close = stringEnd(buf, i, end);
    if (close < 0) return NOT_MINE;
    s = i + 1;
    e = close - 1;
    while (s < e && isBlank(buf[s]!)) s++;
    while (e > s && isBlank(buf[e - 1]!)) e--;
  } else {
    e = valueEnd(buf, i, end);
    if (e < 0) return NOT_MINE;
  }
  if (e > s && isDigit(buf[s]!)) {
    const n = leadingNumber(buf, s, e);
    return n < 0 ? NOT_MINE : numericLevel(n);
  }
  return levelWord(buf, s, e);
}

/** The integer part at the start of [s, e) (`30`, `30.5`), at most four digits, or -1. */
function leadingNumber(buf: Uint8Array, s: number, e: number): number {
  let value = 0;
  let k = s;
  for (; k < e && isDigit(buf[k]!); k++) value = value * 10 + (buf[k]! - 0x30);
  return k === s || k - s > 4 ? -1 : value;
}

/** MongoDB's `"s"` value: `"F"`, `"E"`, `"W"`, `"I"`, `"D"` or `"D1"`-`"D5"`. */
function mongoSeverity(buf: Uint8Array, i: number, end: number): number {
  if (buf[i] !== QUOTE || i + 3 > end) return NOT_MINE;
  const n = buf[i + 2] === QUOTE ? 1 : i + 4 <= end && buf[i + 3] === QUOTE && buf[i + 1] === 0x44 && isDigit(buf[i + 2]!) ? 2 : 0;
  if (n === 0) return NOT_MINE;
  const level = letterLevel(buf[i + 1]!);
  return level < 0 || buf[i + 1] === 0x56 || buf[i + 1] === 0x41 ? NOT_MINE : level;
}

/** Whether [s, e) (a key without its quotes) is exactly `name`. */
function keyIs(buf: Uint8Array, s: number, e: number, name: string): boolean {
  if (e - s !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (buf[s + k] !== name.charCodeAt(k)) return false;
  return true;
}

/**
 * Docker's json-file driver wraps each line a container wrote: `{"log":"...\n","stream":...}`.
 * The string is unescaped into `embedded` so the wrapped line can be classified as itself.
 */
export const embedded = { line: Buffer.alloc(JSON_SCAN_LIMIT), length: 0 };

function hexDigit(b: number): number {
  if (isDigit(b)) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

function unescapeInto(buf: Uint8Array, i: number, end: number): void {
  const out = embedded.line;
  let n = 0;
  for (i++; i < end && n < out.length; i++) {
    let b = buf[i]!;
    if (b === QUOTE) break;
    if (b === BACKSLASH && i + 1 < end) {
      b = buf[++i]!;
      if (b === 0x6e) break; // \n: the line's own terminator
      if (b === 0x74) b = 0x09;
      else if (b === 0x72) continue;
      else if (b === 0x75 && i + 4 < end) {
        let code = 0;
        for (let k = 1; k <= 4; k++) code = (code << 4) | hexDigit(buf[i + k]!);
        i += 4;
        b = code >= 0 && code < 0x80 ? code : 0x3f; // only ASCII matters to the detectors
      }
    }
    out[n++] = b;
  }
  embedded.length = n;
}

/**
 * JSON lines: an object (first non-blank byte `{`, then `"` or `}`). Top-level keys only (nested
 * objects are skipped whole, so `{"req":{"level":"x"}}` has no level), compared without decoding
 * escapes. The level is, in this order of precedence:
 * - the first level key (see isLevelKey: `level`, `severity`, `log.level`, journald's `PRIORITY`,
 *   PostgreSQL's `error_severity` ...) holding a level word or number (see numericLevel);
 *   MongoDB's `"s"` holding its letter;
 * - Docker json-file's `log` (the first key): the level of the line it wraps (EMBEDDED);
 * - a Serilog compact (CLEF) event without `@l`: Information, the format's documented default;
 * - an access log's `status` or `status_code` (100-599): derived from its class.
 * Malformed or truncated JSON is still JSON data, of unknown severity when no level was reached.
 */
export function detectJson(buf: Uint8Array, start: number, end: number): number {
  let i = skipWs(buf, start, end);
  if (i >= end || buf[i] !== LBRACE) return NOT_MINE;
  i = skipWs(buf, i + 1, end);
  if (i >= end) return Severity.Unknown;
  // `{}` alone is an empty object; `{}['key']` (a line of code in a traceback) is not JSON.
  if (buf[i] === RBRACE) return skipWs(buf, i + 1, end) >= end ? Severity.Unknown : NOT_MINE;
  if (buf[i] !== QUOTE) return NOT_MINE;
  let fallback: number = Severity.Unknown;
  let clef = 0;
  for (let first = true; ; first = false) {
    // At the opening quote of a key.
    const keyEnd = stringEnd(buf, i, end);
    if (keyEnd < 0) return fallback;
    const ks = i + 1;
    const ke = keyEnd - 1;
    i = skipWs(buf, keyEnd, end);
    if (i >= end || buf[i] !== COLON) return fallback;
    i = skipWs(buf, i + 1, end);
    if (i >= end) return fallback;
    let level: number = NOT_MINE;
    if (isLevelKey(buf, ks, ke)) level = levelValue(buf, i, end);
    else if (keyIs(buf, ks, ke, 's')) level = mongoSeverity(buf, i, end);
    else if (first && buf[i] === QUOTE && keyIs(buf, ks, ke, 'log')) {
      unescapeInto(buf, i, end);
      return EMBEDDED;
    }
    else if (keyIs(buf, ks, ke, '@t') || keyIs(buf, ks, ke, '@mt') || keyIs(buf, ks, ke, '@m')) {
      if (++clef >= 2 && fallback === Severity.Unknown) fallback = Severity.Info;
    } else if (keyIs(buf, ks, ke, 'status') || keyIs(buf, ks, ke, 'status_code')) {
      const status = levelValueOfStatus(buf, i, end);
      if (status >= 0) fallback = status | DERIVED;
    }
    if (level !== NOT_MINE && level !== Severity.Unknown) return level;
    i = valueEnd(buf, i, end);
    if (i < 0) return fallback;
    i = skipWs(buf, i, end);
    if (i >= end || buf[i] !== COMMA) return fallback;
    i = skipWs(buf, i + 1, end);
    if (i >= end || buf[i] !== QUOTE) return fallback;
  }
}

/** The derived level of a `status` value: a number or digits in a string, 100-599; -1 otherwise. */
function levelValueOfStatus(buf: Uint8Array, i: number, end: number): number {
  const quoted = buf[i] === QUOTE;
  const s = quoted ? i + 1 : i;
  let e = s;
  while (e < end && e - s < 4 && isDigit(buf[e]!)) e++;
  if (e - s !== 3 || (quoted && buf[e] !== QUOTE)) return -1;
  return httpStatusLevel(leadingNumber(buf, s, e));
}
