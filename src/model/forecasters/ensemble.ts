import { quantileScore } from '../scoring';
import { calibrateLevels, resetLevels } from '../calibration';
import type { Forecaster, ForecasterOptions, StateBlock } from '../forecaster';
import type { WindowHistory } from '../history';
import { Predictive } from '../predictive';
import { RecentRate } from './recent-rate';

const scratch = new Predictive(64);
const pointScratch = new Predictive(64);

// An instance's block: the header below, a block per member, the shift block, then each member's
// own state.
const H_SCORED = 0; // windows scored
const H_SELECTED = 1; // member giving the distribution
const H_SELECTED_POINT = 2; // member giving the point
const H_HAS_PENDING = 3; // an issued forecast awaits its window (0/1)
const H_SELECTED_PENDING = 4; // the point issued
const H_SHIFT_PENDING = 5; // the shift override's issued point (NaN: none)
const H_SHIFT_PENDING_DIR = 6;
const H_SHIFT_DIR = 7; // the last shift detected: its direction...
const H_SHIFT_SINCE = 8; // ...and the origin slot it was detected at
const H_SHIFTING = 9; // whether the override answered at the last origin asked (0/1)
const H_FIELDS = 10;
// Per-member block: the issued point and four bounds, the two decayed scores, the four calibrated
// levels.
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
  readonly stateSize: number;
  /** Where each member's own state starts, from the instance's. */
  private readonly memberAt: number[];
  private readonly shiftAt: number;
  private readonly decay: number;
  private readonly shift: RecentRate;
  /** Names of selections seen, by selected * 1000 + point member: the shadow log asks every tick. */
  private readonly names = new Map<number, string>();

  constructor(
    private readonly o: ForecasterOptions,
    create: (name: string) => Forecaster,
  ) {
    if (o.ensembleMembers.length === 0) throw new RangeError('an ensemble needs members');
    this.members = o.ensembleMembers.map((name) => {
      if (name === 'ensemble') throw new RangeError('an ensemble cannot contain an ensemble');
      return create(name);
    });
    this.shiftAt = H_FIELDS + this.members.length * M_FIELDS;
    let at = this.shiftAt + S_FIELDS;
    this.memberAt = this.members.map((m) => {
      const a = at;
      at += m.stateSize;
      return a;
    });
    this.stateSize = at;
    this.decay = Math.pow(0.5, 1 / Math.max(0.5, o.ensembleScoreHalfLife));
    this.shift = new RecentRate(Math.max(1, o.ensembleShiftSlots));
  }

  init(st: StateBlock, at: number): void {
    const s = st.f64;
    s[at + H_SHIFT_PENDING] = Number.NaN;
    s[at + H_SHIFT_SINCE] = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.members.length; i++) {
      resetLevels(s, at + H_FIELDS + i * M_FIELDS + M_LEVELS);
      this.members[i].init(st, at + this.memberAt[i]);
    }
    resetLevels(s, at + this.shiftAt + S_LEVELS);
  }

  /** Where member `i`'s own state starts, from the instance's (to read it as a forecaster of its own). */
  memberOffset(i: number): number {
    return this.memberAt[i];
  }

  /** The member answering: "distribution member", or "distribution/point member" when they differ. */
  answering(st: StateBlock, at: number): string {
    const s = st.f64;
    if (s[at + H_SHIFTING] === 1) return this.shift.name;
    const selected = s[at + H_SELECTED];
    const pm = this.pointMember(s, at);
    const key = selected * 1000 + pm;
    let name = this.names.get(key);
    if (name === undefined) {
      const d = this.members[selected].name;
      const p = this.members[pm].name;
      name = d === p ? d : `${d}/${p}`;
      this.names.set(key, name);
    }
    return name;
  }

  private pointMember(s: Float64Array, at: number): number {
    return s[at + (this.o.ensembleSelectBy === 'quantile' ? H_SELECTED : H_SELECTED_POINT)];
  }

  predict(h: WindowHistory, out: Predictive, issued: boolean, st: StateBlock, at: number): void {
    const s = st.f64;
    const selected = s[at + H_SELECTED];
    const pm = this.pointMember(s, at);
    if (!issued) {
      this.members[selected].predict(h, out, false, st, at + this.memberAt[selected]);
      copyLevels(s, at + H_FIELDS + selected * M_FIELDS + M_LEVELS, out);
      if (pm !== selected) {
        this.members[pm].predict(h, pointScratch, false, st, at + this.memberAt[pm]);
        out.point = pointScratch.point;
      }
      this.applyShift(h, out, false, s, at);
      return;
    }
    let point = 0;
    for (let i = 0; i < this.members.length; i++) {
      const target = i === selected ? out : scratch;
      const b = at + H_FIELDS + i * M_FIELDS;
      this.members[i].predict(h, target, true, st, at + this.memberAt[i]);
      copyLevels(s, b + M_LEVELS, target);
      s[b + M_POINT] = target.point;
      s[b + M_Q05] = target.bound(0);
      s[b + M_Q25] = target.bound(1);
      s[b + M_Q75] = target.bound(2);
      s[b + M_Q95] = target.bound(3);
      if (i === pm) point = target.point;
    }
    out.point = point;
    s[at + H_SELECTED_PENDING] = point;
    this.applyShift(h, out, true, s, at);
    s[at + H_HAS_PENDING] = 1;
  }

  /** Replaces `out` by the recent-rate projection when the last slots reject it (see the class comment). */
  private applyShift(h: WindowHistory, out: Predictive, issued: boolean, s: Float64Array, at: number): void {
    s[at + H_SHIFTING] = 0;
    if (issued) s[at + H_SHIFT_PENDING] = Number.NaN;
    const S = h.slotsPerWindow;
    const L = Math.min(this.o.ensembleShiftSlots, h.slotCount);
    if (L < 1 || h.length < 2) return;
    const u = h.unit > 0 ? h.unit : 1;
    const recent = h.sumSlots(0, L) / u;
    const expected = ((out.mean > out.point ? out.mean : out.point) * L) / S / u;
    // A new shift needs strong evidence; one detected less than a window ago is held while the
    // recent rate stays on the same side, until the window-based members have caught up.
    const held = h.originSlot - s[at + H_SHIFT_SINCE] < S;
    const shiftDir = s[at + H_SHIFT_DIR];
    let dir: number;
    if (held && shiftDir === 0 && recent > expected) dir = 0;
    else if (held && shiftDir === 1 && recent < expected) dir = 1;
    else {
      const z = (recent - expected) / Math.sqrt(Math.max(expected, 1));
      if (z > 3 && recent > 1.5 * expected) dir = 0;
      else if (z < -3 && recent < expected / 1.5) dir = 1;
      else return;
      if (!held || dir !== shiftDir) s[at + H_SHIFT_SINCE] = h.originSlot;
      s[at + H_SHIFT_DIR] = dir;
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
    const sa = at + this.shiftAt;
    // Upward, the override is trusted only on steady streams (window counts before the change
    // no more dispersed than twice Poisson, over a few windows at least), where a significant
    // rise is a level shift; on bursty streams a burst is the norm, and projecting one over a
    // whole window is a gamble that loses on average. Downward (a stream stopping: cheap to
    // follow, the error is bounded by what arrives), on any stream while it has not been losing.
    // Either is scored whether used or not, so that a stream never has to pay to find out.
    let use = s[sa + S_ADVANTAGE + dir] <= 0;
    if (use && dir === 0) {
      const m = sum / (n - 1);
      use = n > 4 && m > 0 && (sumSq - (n - 1) * m * m) / (n - 2) / (m * u) <= 2;
    }
    const target = use ? out : scratch;
    this.shift.predict(h, target);
    if (dir === 0 && target.point > 2 * max) scaleTo(target, 2 * max);
    copyLevels(s, sa + S_LEVELS, target);
    s[at + H_SHIFTING] = use ? 1 : 0;
    if (issued) {
      s[at + H_SHIFT_PENDING] = target.point;
      s[at + H_SHIFT_PENDING_DIR] = dir;
      for (let k = 0; k < 4; k++) s[sa + S_BOUNDS + k] = target.bound(k);
    }
  }

  observe(actual: number, st: StateBlock, at: number): void {
    for (let i = 0; i < this.members.length; i++) this.members[i].observe(actual, st, at + this.memberAt[i]);
    const s = st.f64;
    if (s[at + H_HAS_PENDING] === 0) return;
    s[at + H_HAS_PENDING] = 0;
    const g = this.o.calibrationStep;
    const first = s[at + H_SCORED] === 0;
    const d = this.decay;
    for (let i = 0; i < this.members.length; i++) {
      const b = at + H_FIELDS + i * M_FIELDS;
      calibrateLevels(s, b + M_LEVELS, g, actual, s[b + M_Q05], s[b + M_Q25], s[b + M_Q75], s[b + M_Q95]);
      const ae = Math.abs(actual - s[b + M_POINT]);
      // the median term uses the member's own point, so naive members are scored on their value
      const qs = quantileScore(actual, s[b + M_Q05], s[b + M_Q25], s[b + M_POINT], s[b + M_Q75], s[b + M_Q95]);
      s[b + M_AE] = first ? ae : d * s[b + M_AE] + (1 - d) * ae;
      s[b + M_QS] = first ? qs : d * s[b + M_QS] + (1 - d) * qs;
    }
    s[at + H_SCORED]++;
    const shiftPending = s[at + H_SHIFT_PENDING];
    if (!Number.isNaN(shiftPending)) {
      const sa = at + this.shiftAt;
      const sb = sa + S_BOUNDS;
      calibrateLevels(s, sa + S_LEVELS, g, actual, s[sb], s[sb + 1], s[sb + 2], s[sb + 3]);
      const diff = Math.abs(actual - shiftPending) - Math.abs(actual - s[at + H_SELECTED_PENDING]);
      const k = s[at + H_SHIFT_PENDING_DIR];
      s[sa + S_ADVANTAGE + k] = s[sa + S_SCORED + k] === 0 ? diff : d * s[sa + S_ADVANTAGE + k] + (1 - d) * diff;
      s[sa + S_SCORED + k]++;
      s[at + H_SHIFT_PENDING] = Number.NaN;
    }
    if (s[at + H_SCORED] < this.o.ensembleMinScored) return;
    this.reselect(s, at, M_QS, H_SELECTED);
    this.reselect(s, at, M_AE, H_SELECTED_POINT);
  }

  /** Moves the selection in header field `which` to the member best on `field`, past the margin. */
  private reselect(s: Float64Array, at: number, field: number, which: number): void {
    const m = at + H_FIELDS;
    const current = s[at + which];
    let best = current;
    for (let i = 0; i < this.members.length; i++) if (s[m + i * M_FIELDS + field] < s[m + best * M_FIELDS + field]) best = i;
    if (best !== current && s[m + best * M_FIELDS + field] < s[m + current * M_FIELDS + field] * (1 - this.o.ensembleSwitchMargin)) {
      s[at + which] = best;
    }
  }
}

function copyLevels(s: Float64Array, at: number, out: Predictive): void {
  for (let k = 0; k < 4; k++) out.levels[k] = s[at + k];
}

/** Scales a predictive distribution so that its point becomes `point` (keeping its shape). */
function scaleTo(p: Predictive, point: number): void {
  const f = p.point > 0 ? point / p.point : 0;
  for (let i = 0; i < p.n; i++) p.samples[i] *= f;
  p.mean *= f;
  p.point = point;
}
