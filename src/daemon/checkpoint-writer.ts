import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fileState, streamState, type CheckpointParts } from '../profile/checkpoint';

/** States made between two looks at the deadline. */
const PIECE = 64;

interface Job {
  parts: CheckpointParts;
  ticks: number;
  fd: number;
  /** The list being written (0 files, 1 apps, 2 inodes) and how many of its states are written. */
  list: number;
  done: number;
}

/**
 * Writes a checkpoint a few states at a time, so that a refresh slice never holds the event loop
 * for the whole table (1,000 streams took about 10 ms at once): each piece of states goes to a
 * temporary file as it is made, and the file takes the checkpoint's name once whole (a daemon
 * killed meanwhile leaves the previous one). The text is what JSON.stringify makes of the whole
 * checkpoint. The parts stay consistent only while the profiler runs no tick: the refresh lets a
 * checkpoint finish before the profiler's next slice (see RefreshStep), and drops one that a tick
 * outside the refresh overtook (the next refresh starts it again).
 */
export class CheckpointWriter {
  private job: Job | null = null;

  constructor(private readonly file: string) {}

  get busy(): boolean {
    return this.job !== null;
  }

  /** Whether the checkpoint under way was taken before the profiler's tick number `ticks`. */
  overtaken(ticks: number): boolean {
    return this.job !== null && this.job.ticks !== ticks;
  }

  /** Starts a checkpoint of `parts` (one under way is dropped). */
  begin(parts: CheckpointParts, ticks: number): void {
    this.drop();
    const fd = openSync(this.tmp, 'w', 0o600);
    this.job = { parts, ticks, fd, list: 0, done: 0 };
    const head = JSON.stringify(parts.head);
    this.write(`${head.slice(0, -1)},"files":[`);
  }

  /** Writes states until `deadline` (performance.now() ms); true once the checkpoint is in place. */
  step(deadline: number): boolean {
    const job = this.job;
    if (!job) return true;
    const { files, apps, inodes } = job.parts;
    while (job.list < 3) {
      const count = [files.length, apps.length, inodes.length][job.list];
      const end = Math.min(count, job.done + PIECE);
      const text: string[] = [];
      for (let k = job.done; k < end; k++) {
        text.push(JSON.stringify(job.list === 2 ? fileState(inodes[k]) : streamState(job.list === 0 ? files[k] : apps[k])));
      }
      if (text.length > 0) this.write((job.done > 0 ? ',' : '') + text.join(','));
      job.done = end;
      if (end === count) {
        this.write(['],"apps":[', '],"inodes":[', ']}'][job.list]);
        job.list++;
        job.done = 0;
      }
      if (job.list < 3 && performance.now() > deadline) return false;
    }
    closeSync(job.fd);
    this.job = null;
    renameSync(this.tmp, this.file);
    return true;
  }

  /** Forgets the checkpoint under way (the one in place stays). */
  drop(): void {
    if (!this.job) return;
    closeSync(this.job.fd);
    this.job = null;
    rmSync(this.tmp, { force: true });
  }

  private get tmp(): string {
    return `${this.file}.tmp`;
  }

  private write(text: string): void {
    try {
      // a short write (a full run directory) would leave a checkpoint no daemon can parse
      if (writeSync(this.job!.fd, text) !== Buffer.byteLength(text)) throw new Error('short write to the checkpoint');
    } catch (err) {
      this.drop();
      throw err;
    }
  }
}
