import { headed } from '../../../src/util/format';

describe('header lines', () => {
  test('a path that fits is kept whole; a long one keeps its end; the line never passes the width', () => {
    expect(headed('/var/log/app', '  native engine, writethrough')).toBe('/var/log/app  native engine, writethrough');
    const rest = '  native engine, writethrough  up 5s  rss 61.2MiB';
    for (let n = 1; n <= 100; n++) {
      const path = '/' + 'p'.repeat(n - 1);
      const line = headed(path, rest);
      expect(line.length).toBeLessThanOrEqual(80);
      expect(line.endsWith(rest)).toBe(true);
      if (path.length + rest.length <= 80) expect(line).toBe(path + rest);
      else expect(line.startsWith('…')).toBe(true);
    }
  });
});
