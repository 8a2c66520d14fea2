import type { InodeState } from './inode';
import type { Stream } from './stream';

/**
 * What the profiler knows, as of one tick, in a form the next daemon can take over: the totals,
 * every stream's counters, and, for every file, where its content was read up to and how far its
 * writes reached. With the native engine the data path outlives the daemon; a daemon that died is
 * followed by one that resumes from the last checkpoint and reads what it missed from the files
 * (Profiler.resume). The models are not kept: they learn again in seconds.
 *
 * A checkpoint is consistent with one ring position (`ring.tail`): every record before it is in
 * the totals, none after. Records consumed by the dead daemon after its last checkpoint, and those
 * written while no daemon was attached, are the gap: counted as such, their lines and bytes read
 * from the files.
 */
export const CHECKPOINT_SCHEMA = 'logshadow.checkpoint/1';

/** Where the ring stood at the checkpoint (both u32 and wrapping, as in the ring's header). */
export interface RingMark {
  tail: number;
  dropped: number;
}

export interface StreamState {
  key: string;
  writes: number;
  bytes: number;
  lines: number;
  lineBytes: number;
  entries: number;
  levelLines: number[];
  levelEntries: number[];
  formatLines: number[];
  derivedLines: number;
  dataTypeLines: number[];
  unreadBytes: number;
  /** Absent in checkpoints written before it was counted. */
  unrecordedBytes?: number;
  copiedBytes: number;
  firstWriteMs: number;
  lastWriteMs: number;
  lastApp: string | null;
}

export interface FileState {
  /** "dev:ino" (a tiered file: its disk copy's). */
  key: string;
  path: string;
  /** Content is read (lines counted) up to here; -1: nothing read yet. */
  readOffset: number;
  /** The furthest end of a write counted (its bytes are in the totals). */
  writtenTo: number;
  /** A copy's destination (Profiler.copies): known, never read. Absent: false. */
  copy?: boolean;
}

export interface Checkpoint {
  schema: typeof CHECKPOINT_SCHEMA;
  /** The engine process it belongs to: another engine is another mount, whose counts start over. */
  enginePid: number;
  atWallMs: number;
  /**
   * Every file made before this wall time that the writer of the checkpoint was ever told of is
   * in `inodes` (or was forgotten long ago): a file unknown to it and made later is read from its
   * start by the next daemon. Before `atWallMs` when file events were taken and not applied yet.
   * Absent in checkpoints written before it was kept (then `atWallMs`).
   */
  filesKnownBeforeMs?: number;
  ring: RingMark;
  totals: {
    writes: number;
    bytes: number;
    lines: number;
    levels: number[];
    copies: { writes: number; bytes: number; files: number };
    unknownHandleRecords: number;
    readFdFallbacks: number;
    /** Absent in checkpoints written before it was counted. */
    unrecordedBytes?: number;
    gap: GapTotals;
  };
  files: StreamState[];
  apps: StreamState[];
  inodes: FileState[];
}

/** What no daemon saw, counted as it is found at each attach. */
export interface GapTotals {
  /** Write records no daemon read (written while none was attached, or lost with one that died). */
  records: number;
  /** Their bytes, as found in the files. */
  bytes: number;
  /** Times a daemon took over a running engine. */
  resumes: number;
}

/** A checkpoint's parts, its lists not yet made into states (see Profiler.checkpointParts). */
export interface CheckpointParts {
  head: Omit<Checkpoint, 'files' | 'apps' | 'inodes'>;
  files: Stream[];
  apps: Stream[];
  inodes: InodeState[];
}

/**
 * A file opened and not written yet (nothing of it counted) is saved as read and counted up to its
 * size at the open: what comes after it was written under watch, what was there before was not.
 */
export function fileState(i: InodeState): FileState {
  if (i.copied) return { key: i.key, path: i.path, readOffset: -1, writtenTo: -1, copy: true };
  return notWrittenYet(i)
    ? { key: i.key, path: i.path, readOffset: i.sizeAtOpen, writtenTo: i.sizeAtOpen }
    : { key: i.key, path: i.path, readOffset: i.readOffset, writtenTo: i.writtenTo };
}

/** Whether a file's state is worth saving: it has a stable identity and a known start. */
export function savesState(i: InodeState): boolean {
  return i.key.includes(':') && !i.key.startsWith('path:') && (i.copied || i.readOffset >= 0 || (notWrittenYet(i) && i.sizeAtOpen >= 0));
}

function notWrittenYet(i: InodeState): boolean {
  return i.readOffset < 0 && i.writtenTo < 0;
}

export function streamState(s: Stream): StreamState {
  return {
    key: s.key, writes: s.writes, bytes: s.bytes, lines: s.lines, lineBytes: s.lineBytes, entries: s.entries,
    levelLines: [...s.levelLines], levelEntries: [...s.levelEntries], formatLines: [...s.formatLines],
    derivedLines: s.derivedLines, dataTypeLines: [...s.dataTypeLines], unreadBytes: s.unreadBytes,
    unrecordedBytes: s.unrecordedBytes, copiedBytes: s.copiedBytes, firstWriteMs: s.firstWriteMs, lastWriteMs: s.lastWriteMs, lastApp: s.lastApp,
  };
}

/** Puts a saved stream's counters back into a stream (its arrays keep their lengths). */
export function restoreStream(s: Stream, st: StreamState): void {
  s.writes = st.writes;
  s.bytes = st.bytes;
  s.lines = st.lines;
  s.lineBytes = st.lineBytes;
  s.entries = st.entries;
  copyInto(s.levelLines, st.levelLines);
  copyInto(s.levelEntries, st.levelEntries);
  copyInto(s.formatLines, st.formatLines);
  s.derivedLines = st.derivedLines;
  copyInto(s.dataTypeLines, st.dataTypeLines);
  s.unreadBytes = st.unreadBytes;
  s.unrecordedBytes = st.unrecordedBytes ?? 0;
  s.copiedBytes = st.copiedBytes;
  s.firstWriteMs = st.firstWriteMs;
  s.lastWriteMs = st.lastWriteMs;
  s.lastApp = st.lastApp;
}

/** A checkpoint read back from disk, or null when it is not one (another schema, cut short). */
export function parseCheckpoint(text: string): Checkpoint | null {
  try {
    const cp = JSON.parse(text) as Partial<Checkpoint>;
    const ok = cp.schema === CHECKPOINT_SCHEMA && typeof cp.enginePid === 'number' && cp.ring && cp.totals &&
      Array.isArray(cp.files) && Array.isArray(cp.apps) && Array.isArray(cp.inodes);
    return ok ? (cp as Checkpoint) : null;
  } catch {
    return null;
  }
}

function copyInto(to: Float64Array, from: readonly number[]): void {
  for (let i = 0; i < to.length && i < from.length; i++) to[i] = from[i];
}
