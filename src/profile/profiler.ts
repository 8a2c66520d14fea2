import { close } from 'node:fs';
import type { Engine } from '../engine/engine';

export interface ProfilerOptions {
  refreshMs: number;
}

/**
 * Drains the engine's write ring and file events on the refresh tick. This first version keeps
 * totals; per-stream profiling builds on it.
 */
export class Profiler {
  private writes = 0;
  private bytes = 0;
  private readonly files = new Set<string>();
  private readonly readFds = new Map<number, number>();

  constructor(private readonly engine: Engine, readonly options: ProfilerOptions) {}

  tick(): void {
    for (const ev of this.engine.drainFileEvents()) {
      if (ev.kind === 'open') {
        this.files.add(ev.path);
        if (ev.readFd >= 0) this.readFds.set(ev.handle, ev.readFd);
      } else if (ev.kind === 'release') {
        const fd = this.readFds.get(ev.handle);
        if (fd !== undefined) close(fd, () => undefined);
        this.readFds.delete(ev.handle);
      }
    }
    this.engine.ring.drain((r) => {
      this.writes++;
      this.bytes += r.length;
    });
  }

  snapshot(): { totals: { writes: number; bytes: number; files: number }; droppedRecords: number } {
    return { totals: { writes: this.writes, bytes: this.bytes, files: this.files.size }, droppedRecords: this.engine.ring.dropped };
  }

  close(): void {
    for (const ev of this.engine.drainFileEvents()) if (ev.kind === 'open' && ev.readFd >= 0) close(ev.readFd, () => undefined);
    for (const fd of this.readFds.values()) close(fd, () => undefined);
    this.readFds.clear();
  }
}
