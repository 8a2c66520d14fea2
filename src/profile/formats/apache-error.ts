import { Severity } from '../severity';
import { isDigit, letterRunEnd, COLON, LBRACKET, RBRACKET, SPACE } from './bytes';
import { levelWord } from './level-word';
import { skipCtime } from './timestamp';
import { NOT_MINE } from './types';

/**
 * Apache httpd's error log: `[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] ...` (2.2) and
 * `[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] ...` (2.4, with the
 * module before the level). Levels: emerg, alert, crit, error, warn, notice, info, debug and
 * trace1-trace8 (all trace).
 */
export function detectApacheError(buf: Uint8Array, start: number, end: number): number {
  if (buf[start] !== LBRACKET) return NOT_MINE;
  let i = skipCtime(buf, start + 1, end);
  if (i < 0 || i + 3 > end || buf[i] !== RBRACKET || buf[i + 1] !== SPACE || buf[i + 2] !== LBRACKET) return NOT_MINE;
  i += 3;
  // Optional `module:` before the level (2.4).
  let wordStart = i;
  const stop = Math.min(end, i + 64);
  while (i < stop && buf[i] !== COLON && buf[i] !== RBRACKET) i++;
  if (i < stop && buf[i] === COLON) wordStart = i + 1;
  let wordEnd = letterRunEnd(buf, wordStart, end, 16);
  const severity = levelWord(buf, wordStart, wordEnd);
  if (severity === NOT_MINE) return NOT_MINE;
  if (severity === Severity.Trace && wordEnd < end && isDigit(buf[wordEnd]!)) wordEnd++;
  return wordEnd < end && buf[wordEnd] === RBRACKET ? severity : NOT_MINE;
}
