import { FORMAT_COUNT } from './formats';

/** Claimed lines looked at before a stream's format is decided, and the share one format needs. */
const LEARN_LINES = 8;
const LEARN_SHARE = 0.75;
/** A learned format is given up when more than this share of a window of claimed lines is another format's. */
const RECHECK_LINES = 64;
const MISS_SHARE = 0.25;

/**
 * Which format one stream writes, learned from its first lines: a stream keeps its format, so
 * once eight claimed lines agree (six of them on one format) that detector is tried first on
 * every line (classifyLine's `preferred`), and a typical line costs one detector instead of every
 * candidate for its first byte. A line the learned format does not claim still goes through the
 * whole table, so nothing is lost; when more than a quarter of a window of 64 claimed lines belong
 * to another format (the file was rotated to another program, or two programs share it), the
 * stream learns again. Lines no format claims (stack traces, plain text) count for nothing.
 */
export class FormatLearner {
  /** The learned format's index in FORMATS, or -1 while learning. */
  format = -1;
  private readonly votes = new Uint16Array(FORMAT_COUNT);
  private claimed = 0;
  private misses = 0;

  observe(format: number): void {
    if (format < 0) return;
    this.claimed++;
    if (this.format >= 0) {
      if (format !== this.format) this.misses++;
      if (this.claimed < RECHECK_LINES) return;
      if (this.misses > RECHECK_LINES * MISS_SHARE) this.format = -1;
      this.claimed = 0;
      this.misses = 0;
      return;
    }
    this.votes[format]++;
    if (this.claimed < LEARN_LINES) return;
    let best = 0;
    for (let f = 1; f < FORMAT_COUNT; f++) if (this.votes[f]! > this.votes[best]!) best = f;
    if (this.votes[best]! >= LEARN_LINES * LEARN_SHARE) this.format = best;
    this.votes.fill(0);
    this.claimed = 0;
  }
}
