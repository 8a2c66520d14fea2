import { isBlank, isWordByte, skipBlanks, COLON, LBRACKET, RBRACKET } from './bytes';
import { bracketLevelAt, levelWordEnd, levelWord } from './level-word';
import { skipBracketedTimestamp, skipTimestamp } from './timestamp';
import { NOT_MINE } from './types';

const MAX_CHANNEL = 64;

/** `[hh:mm:ss LEVEL]` (Serilog's console default `[{Timestamp:HH:mm:ss} {Level:u3}]`) at i. */
function timeAndLevelInBrackets(buf: Uint8Array, i: number, end: number): number {
  let j = skipTimestamp(buf, i + 1, end);
  if (j < 0 || j >= end || !isBlank(buf[j]!)) return NOT_MINE;
  j = skipBlanks(buf, j, end);
  const we = levelWordEnd(buf, j, end);
  if (we < 0) return NOT_MINE;
  const close = skipBlanks(buf, we, end);
  return close < end && buf[close] === RBRACKET ? levelWord(buf, j, we) : NOT_MINE;
}

/** Monolog's (PHP, Laravel) `channel.LEVEL:` after its bracketed timestamp. */
function channelLevel(buf: Uint8Array, i: number, end: number): number {
  const stop = Math.min(end, i + MAX_CHANNEL);
  let j = i;
  while (j < stop && (isWordByte(buf[j]!) || buf[j] === 0x2d)) j++;
  if (j === i || j >= stop || buf[j] !== 0x2e) return NOT_MINE;
  const we = levelWordEnd(buf, j + 1, end);
  return we >= 0 && we < end && buf[we] === COLON ? levelWord(buf, j + 1, we) : NOT_MINE;
}

/**
 * A level in square brackets, in any case, as the first field or the first after a timestamp:
 * `[ERROR] msg`, `[warn] msg`, `[2024-01-15 10:00:00] [INFO] msg`, `2024/01/15 10:00:00 [error] ...`
 * (nginx), `[10:00:00 INF] msg` (Serilog), `[2024-01-15 10:00:00] local.ERROR: msg` (Monolog).
 * A bracketed level word later in the line (`... failed [error] ...`) is message text and ignored.
 */
export function detectBracketed(buf: Uint8Array, start: number, end: number): number {
  let i: number;
  if (buf[start] === LBRACKET) {
    const direct = bracketLevelAt(buf, start, end, LBRACKET, RBRACKET);
    if (direct !== NOT_MINE) return direct;
    // Before the bracketed stamp: that would read a three-letter level as a zone (`UTC`).
    const inside = timeAndLevelInBrackets(buf, start, end);
    if (inside !== NOT_MINE) return inside;
    i = skipBracketedTimestamp(buf, start, end);
    if (i < 0) return NOT_MINE;
    const afterStamp = i;
    i = skipBlanks(buf, i, end);
    if (i === afterStamp) return NOT_MINE;
    if (i < end && buf[i] !== LBRACKET) return channelLevel(buf, i, end);
  } else {
    const afterStamp = skipTimestamp(buf, start, end);
    if (afterStamp < 0) return NOT_MINE;
    i = skipBlanks(buf, afterStamp, end);
    if (i === afterStamp) return NOT_MINE;
  }
  return bracketLevelAt(buf, i, end, LBRACKET, RBRACKET);
}
