import { daemonNodeArgs } from '../../../src/daemon/node-flags';

describe('the daemon\'s node arguments', () => {
  it('add the small young generation, after the caller\'s own arguments', () => {
    expect(daemonNodeArgs([])).toEqual(['--max-semi-space-size=2']);
    expect(daemonNodeArgs(['--enable-source-maps'])).toEqual(['--enable-source-maps', '--max-semi-space-size=2']);
  });

  it('leave a size the caller chose, in either spelling', () => {
    expect(daemonNodeArgs(['--max-semi-space-size=16'])).toEqual(['--max-semi-space-size=16']);
    expect(daemonNodeArgs(['--max_semi_space_size=8'])).toEqual(['--max_semi_space_size=8']);
  });
});
