import { redisSymbolLevel } from '../levels';
import { Severity } from '../severity';
import { ascii, isDigit, isUpper, startsWithBytes, LBRACKET, RBRACKET, SPACE } from './bytes';
import { skipClockTime, skipStamp } from './timestamp';
import { NOT_MINE } from './types';

/** `[pid] dd Mmm hh:mm:ss.mmm` (Redis before 3.0, no year): the index after the time, or -1. */
function skipOldHeader(buf: Uint8Array, i: number, end: number): number {
  let j = i + 1;
  while (j < end && isDigit(buf[j]!)) j++;
  if (j === i + 1 || j + 2 >= end || buf[j] !== RBRACKET || buf[j + 1] !== SPACE) return -1;
  j += 2;
  if (j + 7 > end || !isDigit(buf[j]!) || !isDigit(buf[j + 1]!) || buf[j + 2] !== SPACE || !isUpper(buf[j + 3]!) || buf[j + 6] !== SPACE) return -1;
  return skipClockTime(buf, j + 7, end);
}

/** What Redis writes from a signal handler: `1234:signal-handler (1705312800) Received SIGTERM ...`, no level. */
const SIGNAL_HANDLER = ascii('signal-handler (');

/**
 * Redis: `1234:M 15 Jan 2024 10:00:00.123 * Ready to accept connections` (pid, role letter,
 * stamp, level symbol) and before 3.0 `[1234] 15 Jan 10:00:00.123 # ...`. The symbol is the
 * level: see redisSymbolLevel.
 */
export function detectRedis(buf: Uint8Array, start: number, end: number): number {
  let i: number;
  if (buf[start] === LBRACKET) {
    i = skipOldHeader(buf, start, end);
  } else {
    i = start;
    while (i < end && isDigit(buf[i]!)) i++;
    if (i === start || i + 3 >= end || buf[i] !== 0x3a) return NOT_MINE;
    if (startsWithBytes(buf, i + 1, end, SIGNAL_HANDLER)) return Severity.Unknown;
    if (!isUpper(buf[i + 1]!) || buf[i + 2] !== SPACE) return NOT_MINE;
    i = skipStamp(buf, i + 3, end);
  }
  if (i < 0 || i + 3 > end || buf[i] !== SPACE || buf[i + 2] !== SPACE) return NOT_MINE;
  const level = redisSymbolLevel(buf[i + 1]!);
  return level < 0 ? NOT_MINE : level;
}
