import { RefreshSlices, type RefreshStep } from '../../../src/daemon/refresh-slices';

/** A step that needs `pieces` calls to finish, logging each call. */
function step(name: string, pieces: number, log: string[], yieldsWhenCut = true): RefreshStep & { left: number } {
  const s = {
    name, yieldsWhenCut, left: pieces,
    run: () => {
      log.push(name);
      s.left--;
      if (s.left <= 0) {
        s.left = pieces;
        return true;
      }
      return false;
    },
  };
  return s;
}

describe('RefreshSlices', () => {
  const past = 0; // a deadline already gone: a slice runs one piece of work
  const never = Infinity;

  it('runs the steps in order, each once per refresh', () => {
    const log: string[] = [];
    const r = new RefreshSlices([step('a', 1, log), step('b', 1, log)], () => {});
    r.schedule();
    r.schedule();
    expect(r.run(never)).toBe(true);
    expect(log).toEqual(['a', 'b']);
    r.run(never); // nothing left to run
    expect(log).toEqual(['a', 'b']);
  });

  it('a step cut by the deadline that yields goes behind the others; one that does not goes on first', () => {
    const log: string[] = [];
    const r = new RefreshSlices([step('profile', 3, log), step('shadow', 1, log), step('checkpoint', 2, log, false)], () => {});
    r.schedule();
    while (!r.run(past));
    expect(log).toEqual(['profile', 'shadow', 'checkpoint', 'checkpoint', 'profile', 'profile']);
  });

  it('a step that throws is reported and counts as done', () => {
    const log: string[] = [];
    const errors: string[] = [];
    const bad: RefreshStep = { name: 'bad', yieldsWhenCut: false, run: () => { throw new Error('boom'); } };
    const r = new RefreshSlices([bad, step('after', 1, log)], (name, err) => errors.push(`${name}: ${(err as Error).message}`));
    r.schedule();
    expect(r.run(never)).toBe(true);
    expect(errors).toEqual(['bad: boom']);
    expect(log).toEqual(['after']);
  });
});
