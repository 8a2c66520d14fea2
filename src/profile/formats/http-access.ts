import { httpStatusLevel } from '../levels';
import { isDigit, isWordByte, skipField, SPACE, LBRACKET } from './bytes';
import { skipStamp } from './timestamp';
import { DERIVED, NOT_MINE } from './types';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_TOKEN = 255;

/**
 * Bytes of a host name or address: letters, digits, `.`, `-`, `_`, `:` (IPv6, and vhost_combined's
 * `host:port`). A table: most lines that are no access log are read this far and no further.
 */
const HOST_BYTE = new Uint8Array(256);
for (let b = 0; b < 256; b++) HOST_BYTE[b] = isWordByte(b) || b === 0x2e || b === 0x2d || b === 0x3a ? 1 : 0;

export function isHostByte(b: number): boolean {
  return b >= 0 && HOST_BYTE[b] === 1;
}

/**
 * HTTP access logs in the common and combined formats, as nginx and Apache httpd write them by
 * default: `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 404 2326 ...`,
 * optionally after Apache's `%v:%p` (vhost_combined). Access logs carry no level: the status
 * class is read as one (see httpStatusLevel), returned with DERIVED so it is shown as derived.
 */
export function detectHttpAccess(buf: Uint8Array, start: number, end: number): number {
  // host, ident, user; then, if the next token is not the stamp, one more (the vhost came first).
  // The first field is a host or an address: most lines that are no access log stop here.
  let i = start;
  while (i < end && HOST_BYTE[buf[i]!] === 1) i++;
  if (i === start || i >= end || buf[i] !== SPACE) return NOT_MINE;
  i = start;
  let tokens = 0;
  for (; tokens < 4 && i >= 0 && i < end && buf[i] !== LBRACKET; tokens++) i = skipField(buf, i, end, MAX_TOKEN);
  if (i < 0 || tokens < 3) return NOT_MINE;
  i = skipStamp(buf, i, end);
  if (i < 0 || i + 2 >= end || buf[i] !== SPACE || buf[i + 1] !== QUOTE) return NOT_MINE;
  for (i += 2; i < end && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
  if (i + 5 > end || buf[i + 1] !== SPACE) return NOT_MINE;
  i += 2;
  if (!isDigit(buf[i]!) || !isDigit(buf[i + 1]!) || !isDigit(buf[i + 2]!) || (i + 3 < end && buf[i + 3] !== SPACE)) return NOT_MINE;
  const level = httpStatusLevel((buf[i]! - 0x30) * 100 + (buf[i + 1]! - 0x30) * 10 + (buf[i + 2]! - 0x30));
  return level < 0 ? NOT_MINE : level | DERIVED;
}
