import { ascii, isBlank, startsWithBytes } from './formats/bytes';
import { skipStamp } from './formats/timestamp';

/** How continuation lines of stack traces and tracebacks begin (after no stamp and no level). */
const MARKERS: readonly Uint8Array[] = [
  'at ', 'Caused by:', 'Suppressed:', '...', 'Traceback (', 'File "', 'During handling of', 'The above exception',
].map(ascii);
/** Bytes a marker begins with: most lines are turned down on their first byte. */
const MARKER_START = new Uint8Array(256);
for (const m of MARKERS) MARKER_START[m[0]!] = 1;

/**
 * Whether a line that no format claimed (bytes [from, end), after its preamble) continues the
 * entry before it instead of starting one. The rule:
 * - a line with a stamp of its own starts an entry (of unknown level: no format found one);
 * - after an entry whose first line was in a format (a stamp, a level, a structure), any other
 *   line continues it: the exception line and the frames of a Java stack trace, a Python
 *   traceback down to its `ValueError: ...`, the rest of a multi-line message;
 * - after an entry in no format, only an indented line or one that begins like a trace (`at `,
 *   `Caused by:`, `Suppressed:`, `...`, `Traceback (`, `File "`, `During handling of`, `The above
 *   exception`) continues it: plain text has no header to tell entries apart by.
 */
export function continuesPrevious(buf: Uint8Array, from: number, end: number, entryInFormat: boolean): boolean {
  if (from < end && isBlank(buf[from]!)) return true;
  if (entryInFormat) return skipStamp(buf, from, end) < 0;
  // No trace marker begins with a stamp, so plain text needs no look for one.
  if (from >= end || MARKER_START[buf[from]!] === 0) return false;
  for (const m of MARKERS) if (startsWithBytes(buf, from, end, m)) return true;
  return false;
}
