/** One part of the refresh, able to stop at a deadline and go on where it stopped. */
export interface RefreshStep {
  readonly name: string;
  /** Works until `deadline` (performance.now() ms) at most; true once this refresh's part is done. */
  run(deadline: number): boolean;
  /**
   * Cut by a deadline: false, it goes on first in the next slice (a checkpoint being written must
   * not be interleaved with new counts); true, it waits behind the other steps (the profiler far
   * behind under overload must not keep the shadow, the allocator and the space guard from running).
   */
  readonly yieldsWhenCut: boolean;
}

/**
 * The daemon's refresh, run in slices that each hold the event loop for a few milliseconds: every
 * refresh queues each step not already waiting, in order, and a slice runs the queue until its
 * deadline. A step that throws is logged and counts as done (the next refresh runs it again).
 */
export class RefreshSlices {
  private readonly queue: RefreshStep[] = [];

  constructor(private readonly steps: readonly RefreshStep[], private readonly onError: (step: string, err: unknown) => void) {}

  /** A new refresh: each step joins the queue unless it is still waiting from the last one. */
  schedule(): void {
    for (const s of this.steps) if (!this.queue.includes(s)) this.queue.push(s);
  }

  /** Runs queued steps until `deadline`; true when none is left. */
  run(deadline: number): boolean {
    while (this.queue.length > 0) {
      const step = this.queue[0];
      let done = true;
      try {
        done = step.run(deadline);
      } catch (err) {
        this.onError(step.name, err);
      }
      if (!done) {
        if (step.yieldsWhenCut) this.queue.push(this.queue.shift()!);
        break;
      }
      this.queue.shift();
      if (performance.now() > deadline) break;
    }
    return this.queue.length === 0;
  }
}
