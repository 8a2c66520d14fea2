/**
 * Time stamps read from a log line's own text, one parser per format. Each returns milliseconds
 * (an arbitrary but consistent epoch: formats without a year get a fixed one, since only the
 * gaps matter) or NaN, and says its resolution, so lines that share a stamp can be spread inside
 * it.
 */
export interface StampFormat {
  name: string;
  /** The smallest step the format can express, ms. */
  resolutionMs: number;
  parse(line: string): number;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const NO_YEAR = 2017;

/** Where a stamp may begin: the line's start, or a field boundary within its first fields. */
const HEAD = 120;
const AT_FIELD = String.raw`(?:^|[\s\[(|,"=:])`;

/** A regular expression for a stamp at a field boundary in a line's first HEAD characters. */
function nearStart(stamp: string): (line: string) => RegExpExecArray | null {
  const re = new RegExp(AT_FIELD + stamp);
  return (line) => re.exec(line.slice(0, HEAD));
}

const year2 = (yy: string): number => 2000 + Number(yy);
const fraction = (digits: string | undefined): number => (digits ? Number(digits.slice(0, 3).padEnd(3, '0')) : 0);

function zoned(t: number, zone: string | undefined): number {
  if (!zone || zone === 'Z') return t;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.replace(/[^0-9]/g, '');
  return t - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
}

const isoAt = nearStart(String.raw`(\d{4})[-/](\d\d)[-/](\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?`);
const dottedAt = nearStart(String.raw`(\d{4})-(\d\d)-(\d\d)-(\d\d)\.(\d\d)\.(\d\d)(?:\.(\d{1,9}))?`);
const shortYearAt = nearStart(String.raw`(\d\d)/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)\b`);
const compactAt = nearStart(String.raw`(\d\d)(\d\d)(\d\d) (\d\d)(\d\d)(\d\d)\b`);
const dayMonthAt = nearStart(String.raw`(\d\d)([ /-])([A-Z][a-z]{2})\2(\d{4})[ :](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?: ([+-]\d{4}))?`);
const syslogAt = nearStart(String.raw`(?:<\d{1,3}>)?([A-Z][a-z]{2}) +(\d+) (\d\d):(\d\d):(\d\d)\b`);
const clockAt = nearStart(String.raw`(\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\b`);
const epochAt = nearStart(String.raw`(\d{10}|\d{13})(?:\.(\d{1,9}))?(?=[\s,"}]|$)`);

export const STAMP_FORMATS: StampFormat[] = [
  {
    // ISO 8601 / RFC 3339 in the first fields, `-` or `/` between date parts, optional fraction
    // and zone: 2024-03-01T12:00:00.123Z, 2015-10-18 18:01:47,978 (log4j), 2024/01/15 10:00:00
    // (nginx, Go), {"time":"2024-..."}, a collector's file name first (OpenStack)
    name: 'iso8601',
    resolutionMs: 1,
    parse(line) {
      const m = isoAt(line);
      if (!m) return Number.NaN;
      return zoned(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], fraction(m[7])), m[8]);
    },
  },
  {
    // yyyy-MM-dd-HH.mm.ss.ffffff (DB2, Blue Gene RAS)
    name: 'dotted',
    resolutionMs: 1,
    parse(line) {
      const m = dottedAt(line);
      return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], fraction(m[7])) : Number.NaN;
    },
  },
  {
    // Android logcat: 03-17 16:13:38.811
    name: 'logcat',
    resolutionMs: 1,
    parse(line) {
      const m = /^(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(line);
      return m ? Date.UTC(NO_YEAR, +m[1] - 1, +m[2], +m[3], +m[4], +m[5], +m[6]) : Number.NaN;
    },
  },
  {
    // Apache error log: [Sun Dec 04 04:47:44 2005]
    name: 'apache',
    resolutionMs: 1000,
    parse(line) {
      const m = /^\[\w{3} (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\d{4})\]/.exec(line);
      return m ? Date.UTC(+m[7], MONTHS[m[1]] ?? 0, +m[2], +m[3], +m[4], +m[5]) : Number.NaN;
    },
  },
  {
    // HealthApp: 20171223-22:15:29:606, fields not zero-padded (22:32:0:95 is 22:32:00.095)
    name: 'healthapp',
    resolutionMs: 1,
    parse(line) {
      const m = /^(\d{4})(\d\d)(\d\d)-(\d+):(\d+):(\d+):(\d+)\|/.exec(line);
      return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : Number.NaN;
    },
  },
  {
    // yy/MM/dd HH:mm:ss (Spark's log4j pattern)
    name: 'short-year',
    resolutionMs: 1000,
    parse(line) {
      const m = shortYearAt(line);
      return m ? Date.UTC(year2(m[1]), +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : Number.NaN;
    },
  },
  {
    // yyMMdd HHmmss (HDFS)
    name: 'compact',
    resolutionMs: 1000,
    parse(line) {
      const m = compactAt(line);
      return m ? Date.UTC(year2(m[1]), +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : Number.NaN;
    },
  },
  {
    // dd Mmm yyyy HH:mm:ss.mmm (Redis), dd-Mmm-yyyy HH:mm:ss.mmm (Tomcat), [dd/Mmm/yyyy:HH:mm:ss +zzzz] (access logs)
    name: 'day-month-year',
    resolutionMs: 1,
    parse(line) {
      const m = dayMonthAt(line);
      if (!m || MONTHS[m[3]] === undefined) return Number.NaN;
      return zoned(Date.UTC(+m[4], MONTHS[m[3]], +m[1], +m[5], +m[6], +m[7], fraction(m[8])), m[9]);
    },
  },
  {
    // Traditional syslog (RFC 3164 files): Dec 10 06:55:46, optionally after <PRI>, or after
    // other fields a collector put first (Thunderbird's `- 1131566461 2005.11.09 dn228 Nov 9 12:01:01`)
    name: 'syslog',
    resolutionMs: 1000,
    parse(line) {
      const m = syslogAt(line);
      return m && MONTHS[m[1]] !== undefined ? Date.UTC(NO_YEAR, MONTHS[m[1]], +m[2], +m[3], +m[4], +m[5]) : Number.NaN;
    },
  },
  {
    // glog and Kubernetes klog: I0115 10:00:00.123456 (no year)
    name: 'glog',
    resolutionMs: 1,
    parse(line) {
      const m = /^[IWEF](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})/.exec(line);
      return m ? Date.UTC(NO_YEAR, +m[1] - 1, +m[2], +m[3], +m[4], +m[5], fraction(m[6])) : Number.NaN;
    },
  },
  {
    // A time of day alone (logback's and log4j 2's default console patterns, Serilog's console)
    name: 'clock',
    resolutionMs: 1,
    parse(line) {
      const m = clockAt(line);
      return m ? Date.UTC(NO_YEAR, 0, 1, +m[1], +m[2], +m[3], fraction(m[4])) : Number.NaN;
    },
  },
  {
    // Seconds or milliseconds since the epoch (BGL, zap's ts, pino's time), optionally fractional
    name: 'epoch',
    resolutionMs: 1,
    parse(line) {
      const m = epochAt(line);
      if (!m) return Number.NaN;
      return m[1].length === 13 ? Number(m[1]) : Number(m[1]) * 1000 + fraction(m[2]);
    },
  },
];

/**
 * The format that parses most of the first lines (at least a quarter of them): logs are
 * consistent, but stack traces and other continuation lines carry no stamp of their own. On a tie the earlier format in
 * STAMP_FORMATS wins: they are ordered finest and most specific first (a BGL line has both epoch
 * seconds and a microsecond stamp).
 */
export function detectFormat(lines: string[]): StampFormat | null {
  const sample = lines.slice(0, 50).filter((l) => l.length > 0);
  let best: StampFormat | null = null;
  let bestHits = 0;
  for (const f of STAMP_FORMATS) {
    const hits = sample.filter((l) => !Number.isNaN(f.parse(l))).length;
    if (hits > bestHits) {
      best = f;
      bestHits = hits;
    }
  }
  return best && bestHits * 4 >= sample.length ? best : null;
}
