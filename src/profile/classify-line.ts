import { ByteFlag, scanBytes } from './byte-scan';
import { DataType } from './data-type';
import { skipSgr } from './formats/bytes';
import { FORMATS, MAX_RUN } from './formats';
import { isDigit, isLetter } from './formats/bytes';
import { embedded } from './formats/json';
// Imported from its own module: a re-export compiles to a getter, called on every comparison.
import { CONTINUES, DERIVED, EMBEDDED, NOT_MINE, type Detector } from './formats/types';
import { Severity } from './severity';

/**
 * A line's classification, packed into one small integer so that classifying allocates nothing:
 *   bits 0-2   Severity code
 *   bits 3-5   DataType code
 *   bits 6-10  index in FORMATS + 1 (0: no format claimed the line)
 *   bits 11-13 ByteFlag bits (NUL, invalid UTF-8, control-heavy)
 *   bit 14     the format says the line continues the entry before it (CONTINUES)
 *   bit 15     the severity is derived, not written (an HTTP status class)
 * Read it with severityOf, dataTypeOf, formatOf, byteFlagsOf, continuesEntry and isDerived.
 */
export type Classification = number;

const DATA_TYPE_SHIFT = 3;
const FORMAT_SHIFT = 6;
const FLAGS_SHIFT = 11;
const CONTINUES_BIT = 1 << 14;
const DERIVED_BIT = 1 << 15;

export function severityOf(c: Classification): Severity {
  return (c & 7) as Severity;
}

export function dataTypeOf(c: Classification): DataType {
  return ((c >>> DATA_TYPE_SHIFT) & 7) as DataType;
}

/** Index into FORMATS / FORMAT_NAMES of the format that claimed the line, or -1. */
export function formatOf(c: Classification): number {
  return ((c >>> FORMAT_SHIFT) & 31) - 1;
}

export function byteFlagsOf(c: Classification): number {
  return (c >>> FLAGS_SHIFT) & 7;
}

export function continuesEntry(c: Classification): boolean {
  return (c & CONTINUES_BIT) !== 0;
}

export function isDerived(c: Classification): boolean {
  return (c & DERIVED_BIT) !== 0;
}

// The table's columns as flat arrays: the hot loop then loads no object properties.
const DETECTORS: readonly Detector[] = FORMATS.map((f) => f.detect);
const SCAN_LIMITS = Int32Array.from(FORMATS, (f) => f.scanLimit);
const DATA_TYPES = Uint8Array.from(FORMATS, (f) => f.dataType);
if (FORMATS.length > 30) throw new Error('classify-line packs the format index in 5 bits: at most 30 formats');

/** Per first byte, a bit per format (bit i for FORMATS[i]) that can begin with it. */
const CANDIDATES = new Uint32Array(256);
for (let b = 0; b < 256; b++) {
  for (let f = 0; f < FORMATS.length; f++) if (FORMATS[f]!.canStartWith(b)) CANDIDATES[b]! |= 1 << f;
}

/**
 * For a line that begins with a run of digits (or of letters): per run length (capped at MAX_RUN)
 * and the byte after the run (+1, so that the end of the line, -1, is slot 0), the formats that
 * can begin so. A digit-led line in no format (`20171223-22:15:29:606|Step_LSC|...`) is turned
 * down by most detectors on these two facts; the table spares it their calls.
 */
const RUN_SLOTS = 257;
function runTable(digits: boolean): Uint32Array {
  const table = new Uint32Array((MAX_RUN + 1) * RUN_SLOTS);
  for (let length = 1; length <= MAX_RUN; length++) {
    for (let next = -1; next < 256; next++) {
      let mask = 0;
      for (let f = 0; f < FORMATS.length; f++) {
        const can = FORMATS[f]!.canStartWithRun;
        // A capped run is longer than it says: allow what any byte after it would.
        const allowed = can === undefined || (length === MAX_RUN ? anyNext(can, digits, length) : can(digits, length, next));
        if (allowed) mask |= 1 << f;
      }
      table[length * RUN_SLOTS + next + 1] = mask;
    }
  }
  return table;
}
function anyNext(can: (digits: boolean, length: number, next: number) => boolean, digits: boolean, length: number): boolean {
  for (let next = -1; next < 256; next++) if (can(digits, length, next)) return true;
  return false;
}
const DIGIT_RUNS = runTable(true);
const LETTER_RUNS = runTable(false);

/** CANDIDATES[first byte], narrowed by the run of digits or letters the line begins with. */
function candidatesFor(buf: Uint8Array, from: number, end: number): number {
  const first = buf[from]!;
  const candidates = CANDIDATES[first]!;
  const digits = isDigit(first);
  if (!digits && !isLetter(first)) return candidates;
  const stop = Math.min(end, from + MAX_RUN);
  let j = from + 1;
  if (digits) while (j < stop && isDigit(buf[j]!)) j++;
  else while (j < stop && isLetter(buf[j]!)) j++;
  const next = j < end ? buf[j]! : -1;
  return candidates & (digits ? DIGIT_RUNS : LETTER_RUNS)[(j - from) * RUN_SLOTS + next + 1]!;
}

function pack(severity: number, dataType: number, format: number, flags: number): Classification {
  return severity | (dataType << DATA_TYPE_SHIFT) | ((format + 1) << FORMAT_SHIFT) | (flags << FLAGS_SHIFT);
}

/** A detector's answer as Classification bits (severity, continuation, derived), without format and type. */
function answerBits(answer: number): number {
  if (answer === CONTINUES) return Severity.Unknown | CONTINUES_BIT;
  return (answer & 7) | ((answer & DERIVED) !== 0 ? DERIVED_BIT : 0);
}

/** The answer of format f for [from, end), a wrapped line (Docker's `log`) answered for what it wraps. */
function detectWith(f: number, buf: Uint8Array, from: number, end: number): number {
  const answer = DETECTORS[f]!(buf, from, Math.min(end, from + SCAN_LIMITS[f]!));
  return answer === EMBEDDED ? embeddedAnswer(buf) : answer;
}

/** The answer for the line a detector found wrapped in `buf` (unescaped into `embedded`). */
function embeddedAnswer(buf: Uint8Array): number {
  if (buf === embedded.line) return Severity.Unknown; // a wrapper inside a wrapped line: no deeper
  const inner = detectAny(embedded.line, skipPreamble(embedded.line, 0, embedded.length), embedded.length, -1);
  return inner === NOT_MINE ? Severity.Unknown : inner;
}

/** The first answer in table order (after `skip`, already tried), or NOT_MINE; sets `claimedBy`. */
function detectAny(buf: Uint8Array, from: number, end: number, skip: number): number {
  if (from >= end) return NOT_MINE;
  // Candidates in table order: the lowest set bit is the earliest format.
  let candidates = candidatesFor(buf, from, end);
  if (skip >= 0) candidates &= ~(1 << skip);
  while (candidates !== 0) {
    const bit = candidates & -candidates;
    candidates ^= bit;
    const f = 31 - Math.clz32(bit);
    // The detector called here rather than through detectWith: most answers are NOT_MINE.
    let answer = DETECTORS[f]!(buf, from, Math.min(end, from + SCAN_LIMITS[f]!));
    if (answer === EMBEDDED) answer = embeddedAnswer(buf);
    if (answer !== NOT_MINE) {
      claimedBy = f;
      return answer;
    }
  }
  return NOT_MINE;
}

/** The format that gave detectAny's last answer (module state, so the hot path returns a number). */
let claimedBy = -1;

/**
 * Index after what may precede a line's first field without being part of it: a UTF-8 byte order
 * mark (the first line of a file written by some Windows tools) and ANSI colour sequences
 * (`ESC [ 1;31 m`, from loggers writing colour to a file).
 */
function skipPreamble(buf: Uint8Array, i: number, end: number): number {
  if (i + 3 <= end && buf[i] === 0xef && buf[i + 1] === 0xbb && buf[i + 2] === 0xbf) i += 3;
  // A few sequences at most (bold + colour + reset): the line is untrusted input, keep it bounded.
  for (let n = 0; n < 4; n++) {
    const next = skipSgr(buf, i, end);
    if (next === i) break;
    i = next;
  }
  return i;
}

/**
 * Classifies one line: bytes [start, end) without its line terminator. `isPrefix` says the bytes
 * are only the retained head of a longer line (see LineSplitter).
 *
 * Binary policy: a line with NUL bytes or mostly control bytes is binary of unknown severity and
 * no format, without trying the detectors. A line that is only invalid UTF-8 (text in a legacy
 * encoding, or a cut multi-byte character) is binary too, but its severity is still looked for,
 * since its level field is usually plain ASCII.
 *
 * `preferred` (a format index, or -1) is tried first: the format a stream has been learned to
 * write (see FormatLearner), so a learned stream costs one detector per line.
 */
export function classifyLine(buf: Uint8Array, start: number, end: number, isPrefix = false, preferred = -1): Classification {
  const flags = scanBytes(buf, start, end, isPrefix);
  if ((flags & (ByteFlag.Nul | ByteFlag.ControlHeavy)) !== 0) {
    return pack(Severity.Unknown, DataType.Binary, -1, flags);
  }
  const from = skipPreamble(buf, start, end);
  let answer: number = NOT_MINE;
  let f = -1;
  if (preferred >= 0 && from < end) {
    answer = detectWith(preferred, buf, from, end);
    f = preferred;
  }
  if (answer === NOT_MINE) {
    answer = detectAny(buf, from, end, preferred);
    f = claimedBy;
  }
  if (answer === NOT_MINE) return pack(Severity.Unknown, flags === 0 ? DataType.Text : DataType.Binary, -1, flags);
  return answerBits(answer) | pack(0, flags === 0 ? DATA_TYPES[f]! : DataType.Binary, f, flags);
}
