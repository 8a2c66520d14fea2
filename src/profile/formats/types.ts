import type { DataType } from '../data-type';

/** What a detector returns when the line is not in its format. */
export const NOT_MINE = -1;
/**
 * Returned (alone) for a line in the format that continues the entry before it rather than
 * starting one (PostgreSQL's `DETAIL:` lines): it takes that entry's level.
 */
export const CONTINUES = 8;
/** The line wraps another (Docker's json-file `log`), unescaped into json.ts's `embedded`: classify that. */
export const EMBEDDED = 32;
/** Or'ed into a Severity code whose level is derived rather than written (an HTTP status class). */
export const DERIVED = 16;

/**
 * A format detector: looks at bytes [start, end) of one line (no line terminator) and returns a
 * Severity code when the line has the format's shape (Severity.Unknown when the shape matches but
 * carries no level; with DERIVED or'ed in when the level is read off something else), CONTINUES,
 * or NOT_MINE. It must not allocate, throw, or read outside [start, end).
 */
export type Detector = (buf: Uint8Array, start: number, end: number) => number;

export interface LogFormat {
  readonly name: string;
  /** The data type of a line this format claims (unless the line is binary). */
  readonly dataType: DataType;
  /** The detector sees at most this many bytes from the line's start. */
  readonly scanLimit: number;
  readonly detect: Detector;
  /**
   * True for every byte a line of this format can begin with (after the BOM and colour codes that
   * classifyLine skips). classifyLine uses it to try only the detectors that can match; it must
   * never be false for a byte that detect() could accept, and the tests check that it is not.
   */
  readonly canStartWith: (b: number) => boolean;
  /**
   * For a line that begins with a run of digits or of letters: true for every run (`digits`
   * or not, its length capped at MAX_RUN, the byte after it or -1 at the end) a line of this
   * format can begin with. Same contract as canStartWith; absent means any.
   */
  readonly canStartWithRun?: (digits: boolean, length: number, next: number) => boolean;
}

/** Run lengths at or above this are one class in canStartWithRun. */
export const MAX_RUN = 15;
