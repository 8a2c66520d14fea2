import { daemonNodeArgs } from '../../../src/daemon/node-flags';

const OURS = ['--max-semi-space-size=2', '--optimize-for-size'];

describe('the daemon\'s node arguments', () => {
  it('add the small young generation and V8\'s memory-first sizing, after the caller\'s own arguments', () => {
    expect(daemonNodeArgs([])).toEqual(OURS);
    expect(daemonNodeArgs(['--enable-source-maps'])).toEqual(['--enable-source-maps', ...OURS]);
  });

  it('leave a setting the caller chose, in either spelling, or turned off', () => {
    expect(daemonNodeArgs(['--max-semi-space-size=16'])).toEqual(['--max-semi-space-size=16', '--optimize-for-size']);
    expect(daemonNodeArgs(['--max_semi_space_size=8'])).toEqual(['--max_semi_space_size=8', '--optimize-for-size']);
    expect(daemonNodeArgs(['--no-optimize-for-size'])).toEqual(['--no-optimize-for-size', '--max-semi-space-size=2']);
    expect(daemonNodeArgs(['--no_optimize_for_size'])).toEqual(['--no_optimize_for_size', '--max-semi-space-size=2']);
    expect(daemonNodeArgs(['--nooptimize-for-size'])).toEqual(['--nooptimize-for-size', '--max-semi-space-size=2']);
  });
});
