import { formatListenAddress, isLoopback, parseListenAddress } from '../../../src/metrics/listen-address';

describe('--metrics-listen', () => {
  test('a bare port, :port and localhost mean loopback', () => {
    expect(parseListenAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('localhost:80')).toEqual({ host: '127.0.0.1', port: 80 });
    expect(isLoopback(parseListenAddress('9464').host)).toBe(true);
  });

  test('other addresses only as IP literals, IPv6 in brackets', () => {
    expect(parseListenAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListenAddress('192.168.1.5:9000').host).toBe('192.168.1.5');
    expect(parseListenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListenAddress('[::]:9464').host).toBe('::');
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('::1')).toBe(true);
    expect(formatListenAddress({ host: '::1', port: 1 })).toBe('[::1]:1');
  });

  test.each([
    ['abc', /is not a port or an address:port/],
    ['example.com:9464', /names a host/],
    ['0', /outside 1-65535/],
    ['70000', /outside 1-65535/],
    ['127.0.0.1:', /no port/],
    ['::1:9464', /without \[brackets\]/],
    ['[127.0.0.1]:80', /not an IPv6/],
    ['1.2.3:80', /names a host/],
  ])('"%s" is refused with a one-line usage error', (text, why) => {
    let err: unknown;
    try {
      parseListenAddress(text);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'LS_BAD_OPTION', exitCode: 2, flag: '--metrics-listen' });
    const message = (err as Error).message;
    expect(message).toMatch(/^--metrics-listen: /);
    expect(message).toMatch(why);
    expect(message).not.toContain('\n');
  });
});
