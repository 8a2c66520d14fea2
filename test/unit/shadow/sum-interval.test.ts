import { sumInterval } from '../../../src/shadow/shadow-log';

describe('the filesystem forecast (the sum over streams)', () => {
  test('its median lies inside its 90% interval, also when the streams\' upper bounds clamp it', () => {
    // Heavy-tailed streams: their means add up past the sum of their upper bounds.
    for (const [mean, variance, upper] of [[1283, 40_000, 1134], [10, 4, 100], [0, 0, 0], [500, 1e6, 200]]) {
      const i = sumInterval(mean, variance, upper, 3);
      expect(i.p90[0]).toBeLessThanOrEqual(i.median);
      expect(i.median).toBeLessThanOrEqual(i.p90[1]);
      expect(i.p50[0]).toBeLessThanOrEqual(i.median);
      expect(i.median).toBeLessThanOrEqual(i.p50[1]);
      expect(i.mean).toBe(mean);
    }
  });
});
