import { quantileScore } from '../scoring';
import { calibrateLevels, resetLevels } from '../calibration';
import type { Forecaster, ForecasterOptions } from '../forecaster';
import type { WindowHistory } from '../history';
import { Predictive } from '../predictive';
import { RecentRate } from './recent-rate';
import { f64 } from '../typed-arena';

const scratch = new Predictive(64);
const pointScratch = new Predictive(64);

// Per-member block of the state array: the issued point and four bounds, the two decayed scores,
// the four calibrated levels. One typed array per ensemble, because every small typed array costs
// a few hundred bytes of heap and a stream table holds thousands of streams x 3 series.
const M_POINT = 0;
const M_Q05 = 1;
const M_Q25 = 2;
const M_Q75 = 3;
const M_Q95 = 4;
const M_AE = 5; // decayed absolute error of the point
const M_QS = 6; // decayed five-quantile score of the distribution
const M_LEVELS = 7; // 4 levels
const M_FIELDS = 11;
// The shift block, after the members: the override's levels and issued bounds, and per
// direction (0 up, 1 down) its decayed advantage and the times it was scored.
const S_LEVELS = 0;
const S_BOUNDS = 4;
const S_ADVANTAGE = 8;
const S_SCORED = 10;
const S_FIELDS = 12;

/**
 * Per-stream selection among forecasters by their live scores, the way production forecasting
 * systems keep the last known-good model. At every scoring boundary every member forecasts; when
 * the window closes each is scored, and the scores decay with a half-life of
 * `ensembleScoreHalfLife` windows so that the choice follows regime changes.
 *
 * Each member's interval bounds are calibrated online on its own record (see calibration.ts), and
 * members are scored on their calibrated bounds, so a switch hands over a distribution together
 * with the calibration that belongs to it.
 *
 * Two choices are made, because two losses matter and they have different winners:
 * - the point (what MAE scores, the shadow log's central value) comes from the member with the
 *   lowest recent absolute error;
 * - the distribution (quantiles, intervals: what the pre-allocator reserves from) comes from the
 *   member with the lowest recent five-quantile score (pinball losses at the 5/25/50/75/95%
 *   bounds, a CRPS approximation that rewards sharp and well-placed quantiles).
 * `ensembleSelectBy: 'quantile'` makes the point follow the distribution's choice instead.
 *
 * Both start on the first member (the naive last window: known-good until proven otherwise),
 * switch only when a challenger is better by a relative margin (hysteresis against flapping), and
 * fall back to the naive members whenever those have been scoring better: they are members.
 *
 * Level shifts. Window-based members need up to a window to see a rate change. So at every origin
 * the last `ensembleShiftSlots` slots are tested against the selected forecast (a Poisson z-test
 * beyond 3, and a change by a factor of at least 1.5): when they are far outside it (a flood
 * starting, a stream stopping, a rate doubling), the forecast becomes the recent rate projected
 * over the window, within a couple of slots of the change (capped at twice the largest window in
 * the history, since a short burst projected over a whole window can be huge), and held for up to
 * a window while the recent rate stays on the same side, until the window-based members have
 * caught up. Whether that override helps is itself scored per stream: at each scoring boundary
 * where the test fires, used or not, the projection's error is compared with the selected
 * member's, and the override is used only while it has not been losing; upward shifts are
 * followed on steady streams only (see applyShift).
 */
export class Ensemble implements Forecaster {
  readonly name = 'ensemble';
  readonly selfCalibrating = true;
  readonly members: Forecaster[];
  private readonly st: Float64Array;
  private readonly shiftAt: number;
  private readonly decay: number;
  private readonly shift: RecentRate;
  private hasPending = false;
  private selectedPending = 0;
  private shiftPending = Number.NaN;
  private shiftPendingDir = 0;
  /** The last shift detected: its direction and the origin slot it was detected at. */
  private shiftDir = 0;
  private shiftSinceSlot = Number.NEGATIVE_INFINITY;
  scored = 0;
  /** Member giving the distribution. */
  selected = 0;
  /** Member giving the point. */
  selectedPoint = 0;
  /** Selection changes so far. */
  switches = 0;
  /** Whether the shift override answered at the last origin asked. */
  shifting = false;

  constructor(
    private readonly o: ForecasterOptions,
    create: (name: string) => Forecaster,
  ) {
    if (o.ensembleMembers.length === 0) throw new RangeError('an ensemble needs members');
    this.members = o.ensembleMembers.map((name) => {
      if (name === 'ensemble') throw new RangeError('an ensemble cannot contain an ensemble');
      return create(name);
    });
    this.shiftAt = this.members.length * M_FIELDS;
    this.st = f64(this.shiftAt + S_FIELDS);
    for (let i = 0; i < this.members.length; i++) resetLevels(this.st, i * M_FIELDS + M_LEVELS);
    resetLevels(this.st, this.shiftAt + S_LEVELS);
    this.decay = Math.pow(0.5, 1 / Math.max(0.5, o.ensembleScoreHalfLife));
    this.shift = new RecentRate(Math.max(1, o.ensembleShiftSlots));
  }

  get stateBytes(): number {
    let s = this.st.byteLength + 96;
    for (const m of this.members) s += m.stateBytes;
    return s;
  }

  /** The member answering: "distribution member", or "distribution/point member" when they differ. */
  get selectedName(): string {
    if (this.shifting) return this.shift.name;
    const pm = this.pointMember();
    if (this.nameKey !== this.selected * 1000 + pm) {
      // built only when the selection changes: the shadow log asks every tick
      const d = this.members[this.selected].name;
      const p = this.members[pm].name;
      this.nameCache = d === p ? d : `${d}/${p}`;
      this.nameKey = this.selected * 1000 + pm;
    }
    return this.nameCache;
  }

  private nameCache = '';
  private nameKey = -1;

  /** Decayed live scores of member i (lower is better; NaN before any scoring). */
  score(i: number): { absoluteError: number; quantile: number } {
    const ok = this.scored > 0;
    const b = i * M_FIELDS;
    return { absoluteError: ok ? this.st[b + M_AE] : Number.NaN, quantile: ok ? this.st[b + M_QS] : Number.NaN };
  }

  /** Per direction (0 up, 1 down): the override's decayed advantage (< 0: it wins) and its scored count. */
  shiftRecord(dir: number): { advantage: number; scored: number } {
    return { advantage: this.st[this.shiftAt + S_ADVANTAGE + dir], scored: this.st[this.shiftAt + S_SCORED + dir] };
  }

  private pointMember(): number {
    return this.o.ensembleSelectBy === 'quantile' ? this.selected : this.selectedPoint;
  }

  private copyLevels(at: number, out: Predictive): void {
    for (let k = 0; k < 4; k++) out.levels[k] = this.st[at + k];
  }

  predict(h: WindowHistory, out: Predictive, issued: boolean): void {
    const pm = this.pointMember();
    if (!issued) {
      this.members[this.selected].predict(h, out, false);
      this.copyLevels(this.selected * M_FIELDS + M_LEVELS, out);
      if (pm !== this.selected) {
        this.members[pm].predict(h, pointScratch, false);
        out.point = pointScratch.point;
      }
      this.applyShift(h, out, false);
      return;
    }
    let point = 0;
    for (let i = 0; i < this.members.length; i++) {
      const target = i === this.selected ? out : scratch;
      const b = i * M_FIELDS;
      this.members[i].predict(h, target, true);
      this.copyLevels(b + M_LEVELS, target);
      this.st[b + M_POINT] = target.point;
      this.st[b + M_Q05] = target.bound(0);
      this.st[b + M_Q25] = target.bound(1);
      this.st[b + M_Q75] = target.bound(2);
      this.st[b + M_Q95] = target.bound(3);
      if (i === pm) point = target.point;
    }
    out.point = point;
    this.selectedPending = point;
    this.applyShift(h, out, true);
    this.hasPending = true;
  }

  /** Replaces `out` by the recent-rate projection when the last slots reject it (see the class comment). */
  private applyShift(h: WindowHistory, out: Predictive, issued: boolean): void {
    this.shifting = false;
    if (issued) this.shiftPending = Number.NaN;
    const S = h.slotsPerWindow;
    const L = Math.min(this.o.ensembleShiftSlots, h.slotCount);
    if (L < 1 || h.length < 2) return;
    const u = h.unit > 0 ? h.unit : 1;
    const recent = h.sumSlots(0, L) / u;
    const expected = ((out.mean > out.point ? out.mean : out.point) * L) / S / u;
    // A new shift needs strong evidence; one detected less than a window ago is held while the
    // recent rate stays on the same side, until the window-based members have caught up.
    const held = h.originSlot - this.shiftSinceSlot < S;
    let dir: number;
    if (held && this.shiftDir === 0 && recent > expected) dir = 0;
    else if (held && this.shiftDir === 1 && recent < expected) dir = 1;
    else {
      const z = (recent - expected) / Math.sqrt(Math.max(expected, 1));
      if (z > 3 && recent > 1.5 * expected) dir = 0;
      else if (z < -3 && recent < expected / 1.5) dir = 1;
      else return;
      if (!held || dir !== this.shiftDir) this.shiftSinceSlot = h.originSlot;
      this.shiftDir = dir;
    }
    let max = h.at(0);
    let sum = 0;
    let sumSq = 0;
    const n = h.length;
    for (let i = 1; i < n; i++) {
      const x = h.at(i);
      if (x > max) max = x;
      sum += x;
      sumSq += x * x;
    }
    const sa = this.shiftAt;
    // Upward, the override is trusted only on steady streams (window counts before the change
    // no more dispersed than twice Poisson, over a few windows at least), where a significant
    // rise is a level shift; on bursty streams a burst is the norm, and projecting one over a
    // whole window is a gamble that loses on average. Downward (a stream stopping: cheap to
    // follow, the error is bounded by what arrives), on any stream while it has not been losing.
    // Either is scored whether used or not, so that a stream never has to pay to find out.
    let use = this.st[sa + S_ADVANTAGE + dir] <= 0;
    if (use && dir === 0) {
      const m = sum / (n - 1);
      use = n > 4 && m > 0 && (sumSq - (n - 1) * m * m) / (n - 2) / (m * u) <= 2;
    }
    const target = use ? out : scratch;
    this.shift.predict(h, target);
    if (dir === 0 && target.point > 2 * max) scaleTo(target, 2 * max);
    this.copyLevels(sa + S_LEVELS, target);
    this.shifting = use;
    if (issued) {
      this.shiftPending = target.point;
      this.shiftPendingDir = dir;
      for (let k = 0; k < 4; k++) this.st[sa + S_BOUNDS + k] = target.bound(k);
    }
  }

  observe(actual: number): void {
    for (const m of this.members) m.observe(actual);
    if (!this.hasPending) return;
    this.hasPending = false;
    const st = this.st;
    const g = this.o.calibrationStep;
    const first = this.scored === 0;
    const d = this.decay;
    for (let i = 0; i < this.members.length; i++) {
      const b = i * M_FIELDS;
      calibrateLevels(st, b + M_LEVELS, g, actual, st[b + M_Q05], st[b + M_Q25], st[b + M_Q75], st[b + M_Q95]);
      const ae = Math.abs(actual - st[b + M_POINT]);
      // the median term uses the member's own point, so naive members are scored on their value
      const qs = quantileScore(actual, st[b + M_Q05], st[b + M_Q25], st[b + M_POINT], st[b + M_Q75], st[b + M_Q95]);
      st[b + M_AE] = first ? ae : d * st[b + M_AE] + (1 - d) * ae;
      st[b + M_QS] = first ? qs : d * st[b + M_QS] + (1 - d) * qs;
    }
    this.scored++;
    if (!Number.isNaN(this.shiftPending)) {
      const sa = this.shiftAt;
      const sb = sa + S_BOUNDS;
      calibrateLevels(st, sa + S_LEVELS, g, actual, st[sb], st[sb + 1], st[sb + 2], st[sb + 3]);
      const diff = Math.abs(actual - this.shiftPending) - Math.abs(actual - this.selectedPending);
      const k = this.shiftPendingDir;
      st[sa + S_ADVANTAGE + k] = st[sa + S_SCORED + k] === 0 ? diff : d * st[sa + S_ADVANTAGE + k] + (1 - d) * diff;
      st[sa + S_SCORED + k]++;
      this.shiftPending = Number.NaN;
    }
    if (this.scored < this.o.ensembleMinScored) return;
    this.selected = this.reselect(M_QS, this.selected);
    this.selectedPoint = this.reselect(M_AE, this.selectedPoint);
  }

  private reselect(field: number, current: number): number {
    const st = this.st;
    let best = current;
    for (let i = 0; i < this.members.length; i++) if (st[i * M_FIELDS + field] < st[best * M_FIELDS + field]) best = i;
    if (best !== current && st[best * M_FIELDS + field] < st[current * M_FIELDS + field] * (1 - this.o.ensembleSwitchMargin)) {
      this.switches++;
      return best;
    }
    return current;
  }
}

/** Scales a predictive distribution so that its point becomes `point` (keeping its shape). */
function scaleTo(p: Predictive, point: number): void {
  const f = p.point > 0 ? point / p.point : 0;
  for (let i = 0; i < p.n; i++) p.samples[i] *= f;
  p.mean *= f;
  p.point = point;
}
