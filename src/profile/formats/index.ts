import { DataType } from '../data-type';
import { detectApacheError } from './apache-error';
import { detectBareWord } from './bare-word';
import { detectBracketed } from './bracketed';
import { detectGlog } from './glog';
import { detectHttpAccess, isHostByte } from './http-access';
import { detectJson, JSON_SCAN_LIMIT } from './json';
import { detectLogcat } from './logcat';
import { detectLogfmt } from './logfmt';
import { detectPython } from './python';
import { detectRas } from './ras';
import { detectRedis } from './redis';
import { detectStamped, isNameByte } from './stamped';
import { detectSyslogPri } from './syslog';
import { detectSyslogFile } from './syslog-file';
import { isDigit, isLetter, isUpper, isWordByte, COLON, SPACE, TAB } from './bytes';
import { MAX_LEVEL_WORD } from './level-word';
import type { LogFormat } from './types';

const DASH = 0x2d;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const COMMA = 0x2c;
const HASH = 0x23;
const ESC = 0x1b;

/** A logfmt key's bytes. */
const isKeyByte = (b: number): boolean => isWordByte(b) || b === 0x2e || b === DASH || b === 0x40 || b === SLASH;

export { CONTINUES, DERIVED, EMBEDDED, MAX_RUN, NOT_MINE } from './types';
export type { Detector, LogFormat } from './types';

/**
 * How many bytes from a line's start the text formats look at. Every level field they know sits
 * inside it: the furthest any of them reaches is a syslog file's stamp, host (up to 255 bytes) and
 * tag (up to 96), or a stamp plus a 128-byte thread or logger name; logfmt's level key is usually
 * among the first three pairs.
 */
export const TEXT_SCAN_LIMIT = 512;

/**
 * The detectors, tried in this order; the first that claims a line decides its severity, its data
 * type and its format. The order is by how strong the evidence is:
 * 1. Structured headers that cannot be mistaken: syslog `<PRI>`, a JSON object, logfmt pairs.
 * 2. Text formats with a rigid, distinctive prefix: Apache's ctime stamp, logcat's stamp with its
 *    one-letter priority column, glog's letter glued to the date, Redis's `pid:role` and level
 *    symbol, an access log's host, user, stamp, request and status, Blue Gene's RAS columns.
 * 3. Timestamp-then-level layouts, most specific first: Python's `- name - LEVEL -`, a stamp and
 *    header fields then the level (log4j, logback, Spring, oslo.log, PostgreSQL, MariaDB ...),
 *    PRI-less syslog files (host and tag, then the level only at the head of the message), then
 *    bracketed levels.
 * 4. A bare level word at the start of the line, last, since it is the weakest evidence.
 * Only leading or structured positions are ever read: a level word deep inside a message never
 * counts. A line no detector claims is text (or binary) of unknown severity.
 */
export const FORMATS: readonly LogFormat[] = [
  {
    name: 'syslog', dataType: DataType.Syslog, scanLimit: TEXT_SCAN_LIMIT, detect: detectSyslogPri,
    canStartWith: (b) => b === 0x3c, // <
  },
  {
    name: 'json', dataType: DataType.Json, scanLimit: JSON_SCAN_LIMIT, detect: detectJson,
    canStartWith: (b) => b === 0x7b || b === 0x20 || b === 0x09 || b === 0x0d, // { or blank
  },
  {
    name: 'logfmt', dataType: DataType.Logfmt, scanLimit: TEXT_SCAN_LIMIT, detect: detectLogfmt,
    canStartWith: isKeyByte,
    canStartWithRun: (_digits, _length, next) => isKeyByte(next) || next === EQUALS, // the first key goes on, or ends
  },
  {
    name: 'apache-error', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectApacheError,
    canStartWith: (b) => b === 0x5b, // [
  },
  {
    name: 'logcat', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectLogcat,
    canStartWith: (b) => isDigit(b) || isUpper(b),
    // `MM-DD` or `yyyy-MM-DD`, or the brief format's `L/Tag`
    canStartWithRun: (digits, length, next) => (digits ? (length === 2 || length === 4) && next === DASH : length === 1 && next === SLASH),
  },
  {
    name: 'glog', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectGlog,
    canStartWith: (b) => b === 0x49 || b === 0x57 || b === 0x45 || b === 0x46, // I W E F
    canStartWithRun: (digits, length, next) => !digits && length === 1 && isDigit(next),
  },
  {
    name: 'redis', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectRedis,
    canStartWith: (b) => isDigit(b) || b === 0x5b,
    canStartWithRun: (digits, _length, next) => digits && next === COLON, // `pid:role`
  },
  {
    name: 'http-access', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectHttpAccess,
    canStartWith: isHostByte, // a host name or address
    canStartWithRun: (_digits, _length, next) => isHostByte(next) || next === SPACE,
  },
  {
    name: 'ras', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectRas,
    canStartWith: (b) => b === 0x2d || isUpper(b),
    canStartWithRun: (digits, _length, next) => !digits && (next === SPACE || isDigit(next)), // the alert tag
  },
  {
    name: 'python', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectPython,
    canStartWith: (b) => isUpper(b) || isDigit(b) || b === 0x5b,
    // `LEVEL:logger:` or an ISO date
    canStartWithRun: (digits, length, next) => (digits ? length === 4 && (next === DASH || next === SLASH) : next === COLON),
  },
  {
    name: 'stamped', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectStamped,
    // A stamp, TTCC's milliseconds, Ruby's `I, [`, or a file or host name before the stamp.
    canStartWith: (b) => isNameByte(b) || b === 0x5b,
    // A stamp's first field (see skipStamp), epoch seconds or ms, TTCC's `176 [`, a name's next byte.
    canStartWithRun: (digits, length, next) => (digits && (length === 10 || length === 13)) || isNameByte(next) ||
      next === SPACE || next === TAB || next === COMMA || next === HASH,
  },
  {
    name: 'syslog-file', dataType: DataType.Syslog, scanLimit: TEXT_SCAN_LIMIT, detect: detectSyslogFile,
    canStartWith: (b) => isUpper(b) || isDigit(b),
    // `Mmm dd` or an ISO date
    canStartWithRun: (digits, length, next) => (digits ? length === 4 && (next === DASH || next === SLASH) : length === 3 && next === SPACE),
  },
  {
    name: 'bracketed', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectBracketed,
    canStartWith: (b) => b === 0x5b || isDigit(b),
    // an ISO date or a clock time
    canStartWithRun: (digits, length, next) => digits && ((length === 4 && (next === DASH || next === SLASH)) || (length === 2 && next === COLON)),
  },
  {
    name: 'bare-word', dataType: DataType.Text, scanLimit: TEXT_SCAN_LIMIT, detect: detectBareWord,
    canStartWith: isLetter,
    canStartWithRun: (digits, length, next) => !digits && length <= MAX_LEVEL_WORD && (next === -1 || next === COLON || next === SPACE || next === TAB || next === ESC),
  },
];

export const FORMAT_COUNT = FORMATS.length;

/** Indexed like FORMATS. */
export const FORMAT_NAMES: readonly string[] = FORMATS.map((f) => f.name);

/** The index of a format by name, or -1. */
export function formatIndex(name: string): number {
  return FORMAT_NAMES.indexOf(name);
}
