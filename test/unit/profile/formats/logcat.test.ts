import { detectLogcat } from '../../../../src/profile/formats/logcat';
import { classify, detectName } from '../support';

describe('Android logcat', () => {
  it.each([
    // threadtime, logcat's default: pid and tid right-aligned in five columns
    ['01-15 10:00:00.123  1234  1250 I ActivityManager: Start proc 4242:com.example.app/u0a123 for activity', 'info'],
    ['01-15 10:00:00.124   612   612 D SurfaceFlinger: duplicate layer name: changing SurfaceView', 'debug'],
    ['01-15 10:00:00.125  4242  4242 V Choreographer: onVsync', 'trace'],
    ['01-15 10:00:00.126  4242  4260 W System.err: java.io.IOException: unexpected end of stream', 'warn'],
    ['01-15 10:00:00.127  4242  4242 E AndroidRuntime: FATAL EXCEPTION: main', 'error'],
    ['01-15 10:00:00.128   333   333 F libc    : Fatal signal 11 (SIGSEGV), code 1 (SEGV_MAPERR)', 'fatal'],
    ['01-15 10:00:00.129  4242  4242 A DEBUG   : Abort message: \'assertion failed\'', 'fatal'],
    ['01-15 10:00:00.130 12345 12399 I chatty  : uid=10123(com.example.app) expire 3 lines', 'info'],
    // -v year, -v uid
    ['2024-01-15 10:00:00.131  1234  1250 W Looper: Slow dispatch took 120ms', 'warn'],
    ['01-15 10:00:00.132 u0_a123  4242  4242 I Example: with a uid column', 'info'],
    // time format and brief format
    ['01-15 10:00:00.133 D/PowerManagerService( 1234): acquire lock', 'debug'],
    ['I/ActivityManager(  585): Starting activity: Intent { act=android.intent.action.MAIN }', 'info'],
    ['E/AndroidRuntime( 4242): FATAL EXCEPTION: main', 'error'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectLogcat, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'text', format: 'logcat' });
  });

  it('takes the priority from its column, not from the message', () => {
    expect(classify('01-15 10:00:00.123  1234  1250 I Tag: E W ERROR fatal').severity).toBe('info');
  });

  it.each([
    '01-15 10:00:00.123  1234  1250 X Tag: unknown priority letter',
    '01-15 10:00:00,123  1234  1250 I Tag: comma before millis is not logcat',
    '01-15 10:00:00  1234  1250 I Tag: no millis',
    '2024-01-15 10:00:00.123 INFO [main] a log4j line',
    'D/not-a-tag without pid',
  ])('rejects %s', (line) => {
    expect(detectName(detectLogcat, line)).toBe('not mine');
  });
});
