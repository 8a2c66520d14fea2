/**
 * Severity codes, ordered from most to least severe so that "at least as severe as X" is `code <= X`.
 * Plain numeric constants rather than an enum: ts-jest compiles each file in isolation, where a
 * `const enum` would not be inlined, and a number keeps classification free of allocation.
 */
export const Severity = {
  Fatal: 0,
  Error: 1,
  Warn: 2,
  Notice: 3,
  Info: 4,
  Debug: 5,
  Trace: 6,
  Unknown: 7,
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export const SEVERITY_COUNT = 8;

/** Indexed by Severity code. */
export const SEVERITY_NAMES = ['fatal', 'error', 'warn', 'notice', 'info', 'debug', 'trace', 'unknown'] as const;
export type SeverityName = (typeof SEVERITY_NAMES)[number];

/**
 * Syslog severities (RFC 5424 section 6.2.1, the low three bits of PRI) onto ours. Emergency, alert
 * and critical all become fatal: each means the program or the system cannot go on as it was, and
 * journald treats the three alike (it syncs to disk at once after any of them).
 */
export const SYSLOG_SEVERITY: readonly Severity[] = [
  Severity.Fatal, // 0 emerg
  Severity.Fatal, // 1 alert
  Severity.Fatal, // 2 crit
  Severity.Error, // 3 err
  Severity.Warn, // 4 warning
  Severity.Notice, // 5 notice
  Severity.Info, // 6 info
  Severity.Debug, // 7 debug
];
