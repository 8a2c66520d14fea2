import { Severity, SYSLOG_SEVERITY } from '../severity';
import { allUpper, isBlank, isLetter, letterRunEnd, skipBlanks, skipSgr, COLON } from './bytes';
import { NOT_MINE } from './types';

/**
 * Level words and their synonyms, lower case. Three-letter forms are the abbreviations that
 * Serilog (`{Level:u3}`) and zerolog's console writer print; the four-letter `eror`/`dbug` are
 * log15's (and go-ethereum's); `dpanic` is zap's; `severe` is java.util.logging's top level. Words that are also ordinary English and rarely a level in
 * practice (JUL's `fine`/`config`, PostgreSQL's `log`) are left out on purpose: a bare word match
 * must be trustworthy.
 */
const WORDS: ReadonlyArray<readonly [string, Severity]> = [
  ['fatal', Severity.Fatal], ['ftl', Severity.Fatal], ['panic', Severity.Fatal], ['dpanic', Severity.Fatal],
  ['emerg', Severity.Fatal], ['emergency', Severity.Fatal], ['alert', Severity.Fatal],
  ['crit', Severity.Fatal], ['critical', Severity.Fatal],
  ['error', Severity.Error], ['err', Severity.Error], ['eror', Severity.Error], ['severe', Severity.Error],
  ['warn', Severity.Warn], ['warning', Severity.Warn], ['wrn', Severity.Warn],
  ['notice', Severity.Notice],
  ['info', Severity.Info], ['inf', Severity.Info], ['information', Severity.Info], ['informational', Severity.Info],
  ['debug', Severity.Debug], ['dbg', Severity.Debug], ['dbug', Severity.Debug],
  ['trace', Severity.Trace], ['trc', Severity.Trace], ['verbose', Severity.Trace], ['vrb', Severity.Trace],
];

/** Longest level word, in bytes: callers never need to look further for one. */
export const MAX_LEVEL_WORD = 13;

// Candidates grouped by length, so a lookup compares against two to seven words at most.
const BY_LENGTH: Uint8Array[][] = [];
const SEVERITY_BY_LENGTH: Severity[][] = [];
for (let n = 0; n <= MAX_LEVEL_WORD; n++) {
  BY_LENGTH.push([]);
  SEVERITY_BY_LENGTH.push([]);
}
for (const [word, severity] of WORDS) {
  BY_LENGTH[word.length]!.push(Uint8Array.from(word, (c) => c.charCodeAt(0)));
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
const LEVEL_KEYS: readonly string[] = ['level', 'lvl', 'severity', 'loglevel', 'log_level', 'log.level', 'levelname', '@l'];
const LEVEL_KEY_BYTES = LEVEL_KEYS.map((k) => Uint8Array.from(k, (c) => c.charCodeAt(0)));

/**
 * True when bytes [start, end) are a level key: `level` (pino, bunyan, winston, zap, logrus, slog),
 * `lvl` (log15), `severity` (Google Cloud Logging), `loglevel`/`log_level`, `log.level` (Elastic
 * Common Schema), `levelname` (python-json-logger), `@l` (Serilog's compact JSON).
 */
export function isLevelKey(buf: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n < 2 || n > 9) return false;
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

/**
 * A numeric level: pino and bunyan use 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
 * (values in between are custom levels and round down to the named one below); GELF and other
 * syslog-derived producers use the syslog severities 0-7. The two ranges do not overlap; 8 and 9
 * belong to neither and are unknown.
 */
export function numericLevel(value: number): Severity {
  if (value >= 60) return Severity.Fatal;
  if (value >= 50) return Severity.Error;
  if (value >= 40) return Severity.Warn;
  if (value >= 30) return Severity.Info;
  if (value >= 20) return Severity.Debug;
  if (value >= 10) return Severity.Trace;
  if (value >= 8 || value < 0) return Severity.Unknown;
  return SYSLOG_SEVERITY[value | 0]!;
}
