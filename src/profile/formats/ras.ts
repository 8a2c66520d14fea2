import { isDigit, isUpper, skipField, SPACE } from './bytes';
import { headerLevelAt } from './level-word';
import { skipEpoch, skipStamp } from './timestamp';
import { NOT_MINE } from './types';

const MAX_TOKEN = 64;

/**
 * Blue Gene/L RAS lines (the HPC logs of the Loghub and USENIX CFDR collections):
 * `- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO ...`:
 * an alert tag, epoch seconds, the date, the node, the full stamp, the node again, the event type
 * and component, then the level (INFO, WARNING, SEVERE, ERROR, FAILURE, FATAL).
 */
export function detectRas(buf: Uint8Array, start: number, end: number): number {
  // The alert tag: `-`, or a category in capitals (KERNDTLB, APPSEV).
  let i = start + 1;
  if (buf[start] !== 0x2d) {
    while (i < end && (isUpper(buf[i]!) || isDigit(buf[i]!))) i++;
    if (!isUpper(buf[start]!)) return NOT_MINE;
  }
  if (i >= end || buf[i] !== SPACE) return NOT_MINE;
  i++;
  i = skipEpoch(buf, i, end);
  if (i < 0 || i >= end || buf[i] !== SPACE) return NOT_MINE;
  i = skipField(buf, i + 1, end, MAX_TOKEN); // date
  if (i >= 0) i = skipField(buf, i, end, MAX_TOKEN); // node
  if (i >= 0) i = skipStamp(buf, i, end);
  if (i < 0 || i >= end || buf[i] !== SPACE) return NOT_MINE;
  i++;
  for (let n = 0; n < 3 && i >= 0; n++) i = skipField(buf, i, end, MAX_TOKEN); // node, type, component
  return i < 0 ? NOT_MINE : headerLevelAt(buf, i, end);
}
