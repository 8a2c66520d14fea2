import { classifyLine, dataTypeOf, formatOf, severityOf } from '../../../src/profile/classify-line';
import { DATA_TYPE_NAMES } from '../../../src/profile/data-type';
import { FORMAT_NAMES, NOT_MINE, type Detector } from '../../../src/profile/formats';
import { SEVERITY_NAMES } from '../../../src/profile/severity';
import { mulberry32 } from '../../helpers/random';

/** Runs a detector over a whole line; returns the severity's name, or 'not mine'. */
export function detectName(detect: Detector, line: string | Uint8Array): string {
  const buf = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const code = detect(buf, 0, buf.length);
  return code === NOT_MINE ? 'not mine' : SEVERITY_NAMES[code]!;
}

export interface Named {
  severity: string;
  dataType: string;
  format: string;
}

/** classifyLine on a whole line, decoded into names; the line is placed mid-buffer to check bounds. */
export function classify(line: string | Uint8Array, isPrefix = false): Named {
  const content = typeof line === 'string' ? Buffer.from(line, 'utf8') : Buffer.from(line);
  // Guard bytes either side that would change the answer if read: a level word and a newline.
  const buf = Buffer.concat([Buffer.from('ERROR '), content, Buffer.from('\n[ERROR]')]);
  const c = classifyLine(buf, 6, 6 + content.length, isPrefix);
  const format = formatOf(c);
  return {
    severity: SEVERITY_NAMES[severityOf(c)]!,
    dataType: DATA_TYPE_NAMES[dataTypeOf(c)]!,
    format: format < 0 ? 'none' : FORMAT_NAMES[format]!,
  };
}

/** A seeded PRNG, so that random chunkings are reproducible. */
export const seededRandom = mulberry32;
