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

export const STAMP_FORMATS: StampFormat[] = [
  {
    // ISO 8601 / RFC 3339 anywhere near the start, with optional fraction and zone:
    // 2024-03-01T12:00:00.123Z, 2015-10-18 18:01:47,978 (log4j), {"time":"2024-..."}
    name: 'iso8601',
    resolutionMs: 1,
    parse(line) {
      const m = /(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?/.exec(line.slice(0, 80));
      if (!m) return Number.NaN;
      const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
      let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
      if (m[8] && m[8] !== 'Z') {
        const sign = m[8][0] === '-' ? -1 : 1;
        const hh = Number(m[8].slice(1, 3));
        const mm = Number(m[8].slice(-2));
        t -= sign * (hh * 60 + mm) * 60_000;
      }
      return t;
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
    // Traditional syslog (RFC 3164 files): Dec 10 06:55:46, optionally after <PRI>
    name: 'syslog',
    resolutionMs: 1000,
    parse(line) {
      const m = /^(?:<\d{1,3}>)?(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)/.exec(line);
      return m && MONTHS[m[1]] !== undefined ? Date.UTC(NO_YEAR, MONTHS[m[1]], +m[2], +m[3], +m[4], +m[5]) : Number.NaN;
    },
  },
];

/**
 * The format that parses most of the first lines (at least half of them): logs are consistent,
 * but the first line may be a banner or a continuation.
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
  return best && bestHits * 2 >= sample.length ? best : null;
}
