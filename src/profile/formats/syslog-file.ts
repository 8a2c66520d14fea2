import { Severity } from '../severity';
import { isBlank, skipBlanks, SPACE, COLON, LBRACKET, RBRACKET } from './bytes';
import { bareLevelAt, bracketLevelAt } from './level-word';
import { skipBsdTimestamp, skipIsoTimestamp } from './timestamp';
import { NOT_MINE } from './types';

const MAX_HOST = 255;
const MAX_TAG = 96;

/**
 * Syslog lines as rsyslog, syslog-ng and journalctl write them to files, without PRI:
 * `Dec 10 06:55:46 host sshd[24200]: message` (traditional format) or
 * `2024-01-15T10:00:00.123456+00:00 host sshd[24200]: message` (RFC 3339 high-precision format;
 * a `T` is required, which keeps log4j-style `2024-01-15 10:00:00` lines out).
 *
 * The file format has no severity field, so the level is taken only from the head of the message
 * (the first thing after `tag: `), where programs put theirs: sshd's `error: `/`fatal: `,
 * NetworkManager's `<info>`, a bracketed `[WARN]`; same rules as bare-word and bracketed.
 * Otherwise the line is still syslog data, of unknown severity.
 */
export function detectSyslogFile(buf: Uint8Array, start: number, end: number): number {
  let i = skipBsdTimestamp(buf, start, end);
  if (i < 0) i = skipIsoTimestamp(buf, start, end, true);
  if (i < 0 || i >= end || buf[i] !== SPACE) return NOT_MINE;
  // Host: one token.
  const hostStart = i + 1;
  i = hostStart;
  const hostStop = Math.min(end, hostStart + MAX_HOST);
  while (i < hostStop && !isBlank(buf[i]!)) i++;
  if (i === hostStart || i >= end || buf[i] !== SPACE) return NOT_MINE;
  // Tag: a token ending in ':' (`sshd[24200]:`, `kernel:`), possibly with a bracketed pid.
  const tagStart = i + 1;
  i = tagStart;
  const tagStop = Math.min(end, tagStart + MAX_TAG);
  while (i < tagStop && !isBlank(buf[i]!)) i++;
  if (i - tagStart < 2 || buf[i - 1] !== COLON) return NOT_MINE;
  const head = skipBlanks(buf, i, end);
  return messageHeadLevel(buf, head, end);
}

function messageHeadLevel(buf: Uint8Array, i: number, end: number): number {
  if (i >= end) return Severity.Unknown;
  let severity = bracketLevelAt(buf, i, end, LBRACKET, RBRACKET);
  if (severity === NOT_MINE) severity = bracketLevelAt(buf, i, end, 0x3c, 0x3e); // <info>
  if (severity === NOT_MINE) severity = bareLevelAt(buf, i, end);
  return severity === NOT_MINE ? Severity.Unknown : severity;
}
