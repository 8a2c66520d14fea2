import { detectGlog } from '../../../../src/profile/formats/glog';
import { classify, detectName } from '../support';

describe('glog / klog', () => {
  it.each([
    ['I0115 10:00:00.123456    1234 main.go:42] Starting kubelet', 'info'],
    ['W0115 10:00:01.000001       1 reflector.go:324] watch of *v1.Pod ended with: too old resource version', 'warn'],
    ['E0115 10:00:02.500000   98765 server.cc:101] Failed to bind port 8080', 'error'],
    ['F0115 10:00:03.000000    1234 main.cc:12] Check failed: ptr != nullptr', 'fatal'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectGlog, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'text', format: 'glog' });
  });

  it.each(['D0115 10:00:00.123456 1 x.go:1] no D level in glog', 'I0115 10:00:00 1 x.go:1] no micros', 'Info0115', 'E 0115 10:00:00.1'])(
    'rejects %s',
    (line) => {
      expect(detectName(detectGlog, line)).toBe('not mine');
    },
  );
});
