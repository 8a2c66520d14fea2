import { CONTINUATION_WORDS, HEADER_ONLY_WORDS, LEVEL_WORDS } from '../levels';
import { Severity } from '../severity';
import { allUpper, ascii, isBlank, isDigit, isLetter, letterRunEnd, skipBlanks, skipSgr, COLON, TAB } from './bytes';
import { CONTINUES, NOT_MINE } from './types';

/** Longest level word, in bytes: callers never need to look further for one. */
export const MAX_LEVEL_WORD = 13;

// Candidates grouped by length, so a lookup compares against two to seven words at most.
const BY_LENGTH: Uint8Array[][] = [];
const SEVERITY_BY_LENGTH: Severity[][] = [];
for (let n = 0; n <= MAX_LEVEL_WORD; n++) {
  BY_LENGTH.push([]);
  SEVERITY_BY_LENGTH.push([]);
}
for (const [word, severity] of LEVEL_WORDS) {
  BY_LENGTH[word.length]!.push(ascii(word));
  SEVERITY_BY_LENGTH[word.length]!.push(severity);
}

/**
 * The severity named by exactly the bytes [start, end), case-insensitively, or NOT_MINE.
 * `b | 0x20` lower-cases a letter; every candidate byte is a lower-case letter, and no non-letter
 * byte becomes a lower-case letter under `| 0x20`, so the comparison cannot match a non-letter.
 */
export function levelWord(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n < 3 || n > MAX_LEVEL_WORD) return NOT_MINE;
  const candidates = BY_LENGTH[n]!;
  next: for (let c = 0; c < candidates.length; c++) {
    const word = candidates[c]!;
    for (let k = 0; k < n; k++) if ((buf[start + k]! | 0x20) !== word[k]) continue next;
    return SEVERITY_BY_LENGTH[n]![c]!;
  }
  return NOT_MINE;
}

/**
 * A level word standing alone at `start` (the line's start, or a position a detector has
 * established as the level's place). Ambiguity policy: plain prose often begins with "Error" or
 * "Info", so a bare word counts only when it looks like a level field: written in capitals and
 * followed by a blank or the end (`INFO starting`, `WARN  low disk`), or in any case followed
 * directly by a colon (`error: no such file`, `Warning: ...`, `panic: runtime error`).
 * A colour sequence right after the word (`ESC[32minfo ESC[39m: ...`, winston's colorize) is
 * looked through.
 */
export function bareLevelAt(buf: Uint8Array, start: number, end: number): number {
  const wordEnd = letterRunEnd(buf, start, end, MAX_LEVEL_WORD + 1);
  if (wordEnd === start) return NOT_MINE;
  const severity = levelWord(buf, start, wordEnd);
  if (severity === NOT_MINE) return NOT_MINE;
  const after = skipSgr(buf, wordEnd, end);
  if (after === end) return allUpper(buf, start, wordEnd) ? severity : NOT_MINE;
  const next = buf[after]!;
  if (next === COLON) return severity;
  if (isBlank(next) && allUpper(buf, start, wordEnd)) return severity;
  return NOT_MINE;
}

/**
 * A level word alone between `open` and `close` at `start`, in any case, blanks allowed inside:
 * `[ERROR]`, `[warn]`, `[INFO ]` (padded by `%-5p`), `<info>` (NetworkManager). A bracket is a
 * field delimiter, so case does not matter there.
 */
export function bracketLevelAt(buf: Uint8Array, start: number, end: number, open: number, close: number): number {
  if (start >= end || buf[start] !== open) return NOT_MINE;
  const wordStart = skipBlanks(buf, start + 1, end);
  const wordEnd = letterRunEnd(buf, wordStart, end, MAX_LEVEL_WORD + 1);
  const severity = levelWord(buf, wordStart, wordEnd);
  if (severity === NOT_MINE) return NOT_MINE;
  const after = skipBlanks(buf, wordEnd, end);
  return after < end && buf[after] === close ? severity : NOT_MINE;
}

/** Index after the level word at `start` if there is one (letters only), else -1. */
export function levelWordEnd(buf: Uint8Array, start: number, end: number): number {
  const wordEnd = letterRunEnd(buf, start, end, MAX_LEVEL_WORD + 1);
  if (wordEnd < end && isLetter(buf[wordEnd]!)) return -1;
  return levelWord(buf, start, wordEnd) === NOT_MINE ? -1 : wordEnd;
}

/** Keys whose value is a level in structured lines (JSON, logfmt), compared case-insensitively. */
const LEVEL_KEYS: readonly string[] = [
  'level', 'lvl', 'severity', 'loglevel', 'log_level', 'log.level', 'levelname', '@l', 'priority', 'error_severity',
];
const LEVEL_KEY_BYTES = LEVEL_KEYS.map(ascii);

/**
 * True when bytes [start, end) are a level key: `level` (pino, bunyan, winston, zap, logrus, slog),
 * `lvl` (log15), `severity` (Google Cloud Logging), `loglevel`/`log_level`, `log.level` (Elastic
 * Common Schema), `levelname` (python-json-logger), `@l` (Serilog's compact JSON), `PRIORITY`
 * (journald's JSON export), `error_severity` (PostgreSQL's jsonlog).
 */
export function isLevelKey(buf: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n < 2 || n > 14) return false;
  next: for (let c = 0; c < LEVEL_KEY_BYTES.length; c++) {
    const key = LEVEL_KEY_BYTES[c]!;
    if (key.length !== n) continue;
    for (let k = 0; k < n; k++) {
      const b = buf[start + k]!;
      // Only letters are case-folded: '.', '_' and '@' must match exactly.
      const folded = isLetter(b) ? b | 0x20 : b;
      if (folded !== key[k]) continue next;
    }
    return true;
  }
  return false;
}

/** `DEBUG1`-`DEBUG5` (PostgreSQL), `trace1`-`trace8` (Apache): a debug or trace word and one digit. */
function digitSuffixEnd(buf: Uint8Array, wordEnd: number, end: number, severity: number): number {
  if ((severity === Severity.Debug || severity === Severity.Trace) && wordEnd < end && isDigit(buf[wordEnd]!)) return wordEnd + 1;
  return wordEnd;
}

const HEADER_ONLY = HEADER_ONLY_WORDS.map(([w, s]) => [ascii(w), s] as const);
const CONTINUATIONS = CONTINUATION_WORDS.map(ascii);

/** Whether [start, end) is `word` (lower case) in capitals. */
function isCapitalised(buf: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[start + k] !== word[k]! - 0x20) return false;
  return true;
}

/**
 * The level standing at `i`, a position where a format puts its level (after a stamp and the
 * header fields before it), or NOT_MINE. The word must end the field: in capitals, before a blank,
 * a colon or the end (`INFO x`, `LOG:  x`, `DEBUG1: x`); in any case only before a colon, a tab or
 * padding of two blanks (`Info     CBS`, `info\thttp`), since `Error handling was improved` after
 * a stamp is prose. HEADER_ONLY_WORDS count here, in capitals only; PostgreSQL's `DETAIL:`-style
 * words return CONTINUES: the line belongs to the entry before it.
 */
export function headerLevelAt(buf: Uint8Array, i: number, end: number): number {
  const runEnd = letterRunEnd(buf, i, end, MAX_LEVEL_WORD + 1);
  if (runEnd === i) return NOT_MINE;
  let severity = levelWord(buf, i, runEnd);
  const upper = allUpper(buf, i, runEnd);
  if (severity === NOT_MINE && upper) {
    for (const [word, s] of HEADER_ONLY) if (isCapitalised(buf, i, runEnd, word)) severity = s;
    const colon = runEnd < end && buf[runEnd] === COLON;
    if (colon) for (const word of CONTINUATIONS) if (isCapitalised(buf, i, runEnd, word)) return CONTINUES;
  }
  if (severity === NOT_MINE) return NOT_MINE;
  const wordEnd = digitSuffixEnd(buf, runEnd, end, severity);
  const after = skipSgr(buf, wordEnd, end);
  if (after >= end) return upper ? severity : NOT_MINE;
  const next = buf[after]!;
  if (next === COLON) return severity;
  if (!isBlank(next)) return NOT_MINE;
  return upper || next === TAB || (after + 1 < end && isBlank(buf[after + 1]!)) ? severity : NOT_MINE;
}
