import type { InodeState } from './inode';
import type { Stream, StreamTable } from './stream';

/** An open file as the engine reported it. */
export interface OpenFile {
  inode: InodeState;
  app: Stream;
  /** The opener's process id (0: unknown) and whether it opened read-only. */
  pid: number;
  readOnly: boolean;
  /** A copy's destination (see Profiler.copies): its writes are counted apart. */
  copy: boolean;
  /** A copy that has written (counted once in the copies' file count). */
  copied: boolean;
}

/**
 * The backing files the profiler knows: by identity ("dev:ino", or "path:..." when the file could
 * not be read), by the path each goes by now, and by the engine's handles open on them; and the
 * processes reading files of the mount. The Map of identities is in recency order (a file moves
 * to its end once per tick it is written in), which is the order files are forgotten in.
 */
export class FileTable {
  private readonly handles = new Map<number, OpenFile>();
  private readonly byKey = new Map<string, InodeState>();
  private readonly byPath = new Map<string, InodeState>();
  /** Processes (by pid) holding files of the mount open read-only, and how many. */
  private readonly readers = new Map<number, number>();

  constructor(private readonly files: StreamTable) {}

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): InodeState | undefined {
    return this.byKey.get(key);
  }

  atPath(path: string): InodeState | undefined {
    return this.byPath.get(path);
  }

  values(): IterableIterator<InodeState> {
    return this.byKey.values();
  }

  handle(handle: number): OpenFile | undefined {
    return this.handles.get(handle);
  }

  /** The file known as `key`, now at `path`: the one known already, or `make()`'s on its first open. */
  place(key: string, path: string, make: () => InodeState): InodeState {
    let inode = this.byKey.get(key);
    if (!inode) {
      inode = make();
      this.byKey.set(key, inode);
    } else if (inode.path !== path) {
      this.movePath(inode, path);
    } else if (this.files.peek(path) !== inode.stream) {
      // Its stream was evicted while the file was closed: it goes on in the stream at its path.
      this.movePath(inode, path);
    }
    this.byPath.set(path, inode);
    return inode;
  }

  /** Whether the process has a file of the mount open read-only. */
  reading(pid: number): boolean {
    return pid > 0 && (this.readers.get(pid) ?? 0) > 0;
  }

  addHandle(handle: number, of: OpenFile): void {
    if (of.readOnly && of.pid > 0) this.readers.set(of.pid, (this.readers.get(of.pid) ?? 0) + 1);
    this.handles.set(handle, of);
  }

  removeHandle(handle: number): OpenFile | undefined {
    const of = this.handles.get(handle);
    if (!of) return undefined;
    this.handles.delete(handle);
    if (of.readOnly && of.pid > 0) {
      const n = (this.readers.get(of.pid) ?? 1) - 1;
      if (n > 0) this.readers.set(of.pid, n);
      else this.readers.delete(of.pid);
    }
    return of;
  }

  /** Marks a file as just written: to the end of the recency order. */
  promote(inode: InodeState): void {
    this.byKey.delete(inode.key);
    this.byKey.set(inode.key, inode);
  }

  /**
   * A rename moves the files at `from` and below it to their new paths (the old path's stream
   * goes idle). Returns the files it moved, then the one `to` named before, if any.
   */
  rename(from: string, to: string): InodeState[] {
    const replaced = this.byPath.get(to);
    if (replaced) this.byPath.delete(to);
    const prefix = from + '/';
    const moved: InodeState[] = [];
    for (const inode of [...this.byPath.values()]) {
      if (inode.path === from) this.movePath(inode, to);
      else if (inode.path.startsWith(prefix)) this.movePath(inode, to + inode.path.slice(from.length));
      else continue;
      moved.push(inode);
    }
    if (replaced) moved.push(replaced);
    return moved;
  }

  /** The file that `path` named, which no longer goes by it. */
  unlink(path: string): InodeState | undefined {
    const inode = this.byPath.get(path);
    if (inode) this.byPath.delete(path);
    return inode;
  }

  /** The least recently written file that `mayGo` lets go of, if any (not removed: see forget). */
  leastRecent(mayGo: (inode: InodeState) => boolean): InodeState | undefined {
    for (const inode of this.byKey.values()) if (mayGo(inode)) return inode;
    return undefined;
  }

  forget(inode: InodeState): void {
    this.byKey.delete(inode.key);
    if (this.byPath.get(inode.path) === inode) this.byPath.delete(inode.path);
  }

  private movePath(inode: InodeState, path: string): void {
    if (this.byPath.get(inode.path) === inode) this.byPath.delete(inode.path);
    if (inode.openHandles > 0) inode.stream.openCount--;
    inode.path = path;
    inode.stream = this.files.get(path);
    if (inode.openHandles > 0) inode.stream.openCount++;
    this.byPath.set(path, inode);
  }
}
