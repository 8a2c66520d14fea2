import { fileState, streamState, type CheckpointParts } from '../profile/checkpoint';
import { writeCheckpointText } from './checkpoint-file';

/** States made between two looks at the deadline. */
const PIECE = 64;

/**
 * Writes a checkpoint a few states at a time, so that a refresh slice never holds the event loop
 * for the whole table (1,000 streams took about 10 ms at once). The text is the one a whole
 * JSON.stringify makes, put together from each state's; the file is written once it is whole.
 * The parts stay consistent only while the profiler runs no tick: a checkpoint overtaken by one
 * is started again (see RefreshStep.yieldsWhenCut: the refresh lets it finish first).
 */
export class CheckpointWriter {
  private job: { parts: CheckpointParts; ticks: number; files: string[]; apps: string[]; inodes: string[] } | null = null;

  constructor(private readonly file: string) {}

  get busy(): boolean {
    return this.job !== null;
  }

  /** Whether the checkpoint under way was taken before the profiler's tick number `ticks`. */
  overtaken(ticks: number): boolean {
    return this.job !== null && this.job.ticks !== ticks;
  }

  begin(parts: CheckpointParts, ticks: number): void {
    this.job = { parts, ticks, files: [], apps: [], inodes: [] };
  }

  /** Makes states until `deadline` (performance.now() ms); true once the file is written. */
  step(deadline: number): boolean {
    const job = this.job;
    if (!job) return true;
    if (!make(job.files, job.parts.files, streamState, deadline) || !make(job.apps, job.parts.apps, streamState, deadline) ||
      !make(job.inodes, job.parts.inodes, fileState, deadline)) return false;
    this.job = null;
    const head = JSON.stringify(job.parts.head);
    writeCheckpointText(this.file, `${head.slice(0, -1)},"files":[${job.files.join(',')}],"apps":[${job.apps.join(',')}],"inodes":[${job.inodes.join(',')}]}`);
    return true;
  }

  /** Forgets the checkpoint under way. */
  drop(): void {
    this.job = null;
  }
}

/** Adds the JSON of `from`'s states to `out` (which holds the first ones already) until `deadline`; true once all are in. */
function make<T>(out: string[], from: readonly T[], state: (item: T) => object, deadline: number): boolean {
  while (out.length < from.length) {
    const end = Math.min(from.length, out.length + PIECE);
    for (let k = out.length; k < end; k++) out.push(JSON.stringify(state(from[k])));
    if (out.length < from.length && performance.now() > deadline) return false;
  }
  return true;
}
