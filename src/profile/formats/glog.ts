import { letterLevel } from '../levels';
import { digits, SPACE } from './bytes';
import { skipClockTime } from './timestamp';
import { NOT_MINE } from './types';

/**
 * Google glog and Kubernetes klog: `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`, where L is
 * I (info), W (warning), E (error) or F (fatal), e.g. `I0115 10:00:00.123456    1234 main.go:42] ...`.
 * The letter is glued to the date, which is what sets it apart from a word.
 */
export function detectGlog(buf: Uint8Array, start: number, end: number): number {
  const b = buf[start]!;
  if (b !== 0x49 && b !== 0x57 && b !== 0x45 && b !== 0x46) return NOT_MINE; // I W E F
  const severity = letterLevel(b);
  const i = digits(buf, start + 1, end, 4);
  if (i < 0 || i >= end || buf[i] !== SPACE) return NOT_MINE;
  const t = skipClockTime(buf, i + 1, end);
  if (t < 0 || buf[i + 9] !== 0x2e) return NOT_MINE; // glog always prints microseconds after '.'
  return severity;
}
