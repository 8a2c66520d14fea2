import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { usageError } from '../errors';
import { schedule, type Schedule, type ScheduleOptions } from './schedule';
import { detectFormat, STAMP_FORMATS, type StampFormat } from './timestamps';

export interface ReplayOptions extends ScheduleOptions {
  /** A format name from STAMP_FORMATS, or auto-detection. */
  format: string | null;
  onProgress?: (done: number, total: number, elapsedMs: number) => void;
}

export interface ReplayPlan {
  lines: string[];
  format: StampFormat;
  schedule: Schedule;
}

/** Reads a log and works out when each of its lines is written. CRLF endings are stripped. */
export function planReplay(file: string, o: ReplayOptions): ReplayPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (!lines.length) throw usageError(`${file} has no lines to replay`);
  const format = o.format ? STAMP_FORMATS.find((f) => f.name === o.format) : detectFormat(lines);
  if (!format) {
    throw usageError(o.format
      ? `--format: "${o.format}" is not one of ${STAMP_FORMATS.map((f) => f.name).join(', ')}`
      : `no known time stamp format in ${file}'s first lines (known: ${STAMP_FORMATS.map((f) => f.name).join(', ')})`);
  }
  return { lines, format, schedule: schedule(lines, format, o) };
}

/**
 * Writes the lines the way an application does: the target opened once with O_APPEND, one
 * write(2) per line, each at its scheduled time. Lines that are due together are written back to
 * back without yielding.
 */
export async function replay(plan: ReplayPlan, target: string, o: ReplayOptions): Promise<{ lines: number; bytes: number; lateMs: number }> {
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  } catch (err) {
    throw usageError(`cannot open ${target} for appending: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const start = performance.now();
  let bytes = 0;
  let maxLate = 0;
  let lastProgress = 0;
  try {
    const offsets = plan.schedule.offsetsMs;
    for (let i = 0; i < plan.lines.length; i++) {
      const wait = offsets[i] - (performance.now() - start);
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      else if (-wait > maxLate) maxLate = -wait;
      bytes += writeSync(fd, plan.lines[i] + '\n');
      const now = performance.now();
      if (o.onProgress && now - lastProgress > 1000) {
        lastProgress = now;
        o.onProgress(i + 1, plan.lines.length, now - start);
      }
    }
  } finally {
    closeSync(fd);
  }
  o.onProgress?.(plan.lines.length, plan.lines.length, performance.now() - start);
  return { lines: plan.lines.length, bytes, lateMs: maxLate };
}
