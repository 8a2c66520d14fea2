import { Severity } from '../severity';
import { isBlank, isWordByte, skipBlanks } from './bytes';
import { isLevelKey, levelWord } from './level-word';
import { NOT_MINE } from './types';

const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isKeyByte(b: number): boolean {
  return isWordByte(b) || b === 0x2e || b === 0x2d || b === 0x40 || b === 0x2f; // . - @ /
}

/** Heroku's router and some Ruby loggers write the level as `at=info`. */
function isAtKey(buf: Uint8Array, start: number, end: number): boolean {
  return end - start === 2 && buf[start] === 0x61 && buf[start + 1] === 0x74;
}

/**
 * logfmt: `key=value` pairs separated by blanks, values bare or double-quoted with backslash
 * escapes (logrus' text formatter, Go's slog.TextHandler, Heroku's router, go-kit, log15).
 *
 * The line must begin with a `key=` token; pairs are read until a token that is not `key=value`.
 * The line is logfmt once a level key (level, lvl, severity, ..., or `at`) holds a level word, or
 * once two pairs have been read; `a=b and some prose` is text. A level key whose value is not a
 * level word is read like any other pair, so a later level key can still be found.
 */
export function detectLogfmt(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let pairs = 0;
  while (i < end) {
    const keyStart = i;
    while (i < end && isKeyByte(buf[i]!)) i++;
    if (i === keyStart || i >= end || buf[i] !== EQUALS) break;
    const keyEnd = i;
    const valueStart = ++i;
    let valueEnd: number;
    if (i < end && buf[i] === QUOTE) {
      for (i++; i < end && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
      if (i >= end) break; // an unclosed quote is not a pair
      i++;
      valueEnd = i;
    } else {
      while (i < end && !isBlank(buf[i]!)) i++;
      valueEnd = i;
    }
    if (i < end && !isBlank(buf[i]!)) break; // `k="v"x` is not a pair
    pairs++;
    if (isLevelKey(buf, keyStart, keyEnd) || isAtKey(buf, keyStart, keyEnd)) {
      let s = valueStart;
      let e = valueEnd;
      if (e - s >= 2 && buf[s] === QUOTE) {
        s++;
        e--;
      }
      const severity = levelWord(buf, s, e);
      if (severity !== NOT_MINE) return severity;
    }
    i = skipBlanks(buf, i, end);
  }
  return pairs >= 2 ? Severity.Unknown : NOT_MINE;
}
