import { ContentProfile, type LineHook } from './content-profile';
import type { Stream } from './stream';

/**
 * What the profiler knows about one backing file (by device and inode): where its content has
 * been read up to, the partial line carried over, the descriptor to read it through, and which
 * file stream its writes currently belong to (that changes when it is renamed).
 */
export class InodeState {
  readFd = -1;
  /** A tiered file's disk copy, read below its length (see Profiler.readAt); -1 otherwise. */
  diskFd = -1;
  /** Queued for a sync by a severe line (Profiler.takeSevere). */
  severe = false;
  /** The last disk-reservation hint given for it (SyncTriggers), bytes; 0: none. */
  diskHint = 0;
  /** Handles open on this file. */
  openHandles = 0;
  /** Of those, handles of a copy (Profiler.copies): its growth is no application's writing. */
  copyHandles = 0;
  /**
   * Content is read up to here. Set from the first write seen (an existing file's old content is
   * not profiled), raised as content is read, lowered by truncation. Bytes written below it again
   * (an overwrite, or the writeback cache flushing a page twice) are counted as writes, not lines.
   */
  readOffset = -1;
  /** The furthest end of a write counted (its bytes are in the totals), or -1 when none. */
  writtenTo = -1;
  /**
   * Bytes [grownFrom, grownTo) were counted from the file's growth, their records dropped
   * (Profiler.readGrowth); a record that arrives late for them takes them over. -1: none.
   */
  grownFrom = -1;
  grownTo = -1;
  /** The file's size when the profiler first learned of it (0 when the open created it); -1: unknown. */
  sizeAtOpen = -1;
  /** The furthest end of a write seen this tick, or -1 when none. */
  tickEnd = -1;
  /** First and last write segment of this tick in the profiler's segment pool (-1: none). */
  segFirst = -1;
  segLast = -1;
  lastUseMs = 0;
  /** Whether a write landed since the last open (a writer that closes without appending frees its reservation). */
  wroteSinceOpen = false;
  /** Written through a copy's handle (Profiler.copies): its content is never read as lines. */
  copied = false;
  /** Opened before records were found dropped, and not measured then (see Profiler.readGrowth): measured at its close. */
  measureAtClose = false;
  /** The engine's handle id of the latest open of this file (see Engine.consumerDone). */
  lastHandle = 0;
  readonly content: ContentProfile;

  /** The backing file's identity, parsed from the key ("dev:ino"); NaN when unknown. */
  readonly dev: number;
  readonly ino: number;

  constructor(readonly key: string, public path: string, public stream: Stream, onLine: LineHook) {
    const [dev, ino] = key.split(':').map(Number);
    this.dev = dev;
    this.ino = ino;
    this.content = new ContentProfile({ onLine });
  }
}
