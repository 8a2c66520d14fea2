import { Severity, SYSLOG_SEVERITY } from '../severity';
import { isDigit } from './bytes';
import { NOT_MINE } from './types';

/**
 * Syslog messages with their `<PRI>` header, as sent on the wire and as some collectors and
 * `/dev/kmsg`-style dumps keep them: RFC 5424 (`<165>1 2003-10-11T22:14:15.003Z host app - ID47 ...`)
 * and RFC 3164 (`<34>Oct 11 22:14:15 host su: ...`). PRI = facility * 8 + severity, 0-191, at most
 * three digits and no leading zero except `<0>` itself (RFC 5424 section 6.2.1).
 *
 * The header is authoritative: a level word later in the message does not override it.
 * Severity mapping: see SYSLOG_SEVERITY (0-2 fatal, 3 error, 4 warn, 5 notice, 6 info, 7 debug).
 */
export function detectSyslogPri(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 3 || buf[start] !== 0x3c) return NOT_MINE; // <
  let i = start + 1;
  let pri = 0;
  const stop = Math.min(end, i + 4);
  while (i < stop && isDigit(buf[i]!)) {
    pri = pri * 10 + (buf[i]! - 0x30);
    i++;
  }
  const n = i - start - 1;
  if (n === 0 || n > 3 || i >= end || buf[i] !== 0x3e) return NOT_MINE; // >
  if (n > 1 && buf[start + 1] === 0x30) return NOT_MINE;
  if (pri > 191) return NOT_MINE;
  return SYSLOG_SEVERITY[pri & 7] ?? Severity.Unknown;
}
