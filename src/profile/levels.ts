import { Severity, SYSLOG_SEVERITY } from './severity';

/**
 * THE mapping from every level source logshadow reads to its eight levels (fatal, error, warn,
 * notice, info, debug, trace, unknown). Every detector takes its levels from here; README
 * "Severity levels" shows this table to users. The rules behind it:
 * - Anything meaning "the program or the system cannot go on as it was" is fatal: FATAL, PANIC
 *   (Go, PostgreSQL), EMERG, ALERT, CRIT/CRITICAL (syslog, Python), assert (logcat), dpanic (zap).
 * - SEVERE (java.util.logging), FAILURE (Blue Gene RAS), fail (.NET ILogger) are error.
 * - NOTICE (syslog, Apache, PostgreSQL, Redis `*`) and Note (MariaDB) are kept as notice.
 * - LOG (PostgreSQL's routine messages) and Information (.NET) are info.
 * - VERBOSE (Serilog, logcat V) is trace: below debug in those libraries. Redis's `-` is its
 *   "verbose" level, which Redis ranks above debug, so it is info (see REDIS_SYMBOL_LEVELS).
 * - Numbers: syslog severities 0-7 (PRI's low bits, journald PRIORITY, GELF level), pino/bunyan
 *   10-60 (the two ranges never overlap).
 * - HTTP access logs carry no level: the status class is a derived one (5xx error, 4xx warn,
 *   anything else info), flagged as derived wherever it is shown.
 */

/** Words and abbreviations, lower case; matched in any case where a format puts its level. */
export const LEVEL_WORDS: ReadonlyArray<readonly [string, Severity]> = [
  ['fatal', Severity.Fatal], ['ftl', Severity.Fatal], ['panic', Severity.Fatal], ['dpanic', Severity.Fatal],
  ['emerg', Severity.Fatal], ['emergency', Severity.Fatal], ['alert', Severity.Fatal],
  ['crit', Severity.Fatal], ['critical', Severity.Fatal],
  ['error', Severity.Error], ['err', Severity.Error], ['eror', Severity.Error], ['severe', Severity.Error],
  ['failure', Severity.Error], ['fail', Severity.Error],
  ['warn', Severity.Warn], ['warning', Severity.Warn], ['wrn', Severity.Warn],
  ['notice', Severity.Notice], ['note', Severity.Notice],
  ['info', Severity.Info], ['inf', Severity.Info], ['information', Severity.Info], ['informational', Severity.Info],
  ['debug', Severity.Debug], ['dbg', Severity.Debug], ['dbug', Severity.Debug],
  ['trace', Severity.Trace], ['trc', Severity.Trace], ['trce', Severity.Trace], ['verbose', Severity.Trace], ['vrb', Severity.Trace],
];

/**
 * Words that are a level only in capitals where a format puts its level (after a stamp):
 * PostgreSQL's `LOG:`, java.util.logging's CONFIG, FINE, FINER, FINEST. As ordinary words ("Log
 * file rotated", "Fine-tuning ...") they would give prose a level.
 */
export const HEADER_ONLY_WORDS: ReadonlyArray<readonly [string, Severity]> = [
  ['log', Severity.Info], ['config', Severity.Info], ['fine', Severity.Debug], ['finer', Severity.Trace], ['finest', Severity.Trace],
];

/**
 * PostgreSQL's secondary lines (`DETAIL:`, `HINT:`, `STATEMENT:` ...): written with a prefix of
 * their own, but they belong to the message before them, so they continue its entry.
 */
export const CONTINUATION_WORDS: readonly string[] = ['detail', 'hint', 'query', 'context', 'statement', 'location'];

/**
 * One-letter levels: logcat's V D I W E F A, glog/klog's I W E F, MongoDB's `"s"` F E W I D
 * (D1-D5 read as D).
 */
export function letterLevel(b: number): number {
  switch (b) {
    case 0x56: return Severity.Trace; // V
    case 0x44: return Severity.Debug; // D
    case 0x49: return Severity.Info; // I
    case 0x57: return Severity.Warn; // W
    case 0x45: return Severity.Error; // E
    case 0x46: // F
    case 0x41: return Severity.Fatal; // A (logcat's assert, logged by wtf())
    default: return -1;
  }
}

/** Redis's level symbols: `.` debug, `-` verbose, `*` notice, `#` warning. */
export function redisSymbolLevel(b: number): number {
  switch (b) {
    case 0x2e: return Severity.Debug;
    case 0x2d: return Severity.Info;
    case 0x2a: return Severity.Notice;
    case 0x23: return Severity.Warn;
    default: return -1;
  }
}

/**
 * A numeric level: pino and bunyan use 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
 * (values in between are custom levels and round down to the named one below); syslog-derived
 * producers (journald PRIORITY, GELF) use the severities 0-7. 8 and 9 belong to neither: unknown.
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

/** The derived level of an HTTP status (100-599): 5xx error, 4xx warn, else info; -1 otherwise. */
export function httpStatusLevel(status: number): number {
  if (status < 100 || status > 599) return -1;
  if (status >= 500) return Severity.Error;
  if (status >= 400) return Severity.Warn;
  return Severity.Info;
}
