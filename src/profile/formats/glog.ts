import { Severity } from '../severity';
import { digits, SPACE } from './bytes';
import { skipClockTime } from './timestamp';
import { NOT_MINE } from './types';

/**
 * Google glog and Kubernetes klog: `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`, where L is
 * I (info), W (warning), E (error) or F (fatal), e.g. `I0115 10:00:00.123456    1234 main.go:42] ...`.
 * The letter is glued to the date, which is what sets it apart from a word.
 */
export function detectGlog(buf: Uint8Array, start: number, end: number): number {
  let severity: number;
  switch (buf[start]) {
    case 0x49: severity = Severity.Info; break;
    case 0x57: severity = Severity.Warn; break;
    case 0x45: severity = Severity.Error; break;
    case 0x46: severity = Severity.Fatal; break;
    default: return NOT_MINE;
  }
  const i = digits(buf, start + 1, end, 4);
  if (i < 0 || i >= end || buf[i] !== SPACE) return NOT_MINE;
  const t = skipClockTime(buf, i + 1, end);
  if (t < 0 || buf[i + 9] !== 0x2e) return NOT_MINE; // glog always prints microseconds after '.'
  return severity;
}
