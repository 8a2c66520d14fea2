import { detectBracketed } from '../../../../src/profile/formats/bracketed';
import { classify, detectName } from '../support';

describe('bracketed levels', () => {
  it.each([
    ['[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.1:compile', 'error'],
    ['[INFO] BUILD SUCCESS', 'info'],
    ['[WARNING] Using platform encoding (UTF-8 actually) to copy filtered resources', 'warn'],
    ['[error] lowercase works too', 'error'],
    ['[Warn] so does mixed case', 'warn'],
    ['[INFO ] padded by %-5p', 'info'],
    ['[ DEBUG ] padded both sides', 'debug'],
    ['[notice] plain notice', 'notice'],
    ['[2024-01-15 10:00:00] [ERROR] with a bracketed stamp first', 'error'],
    ['[2024-01-15T10:00:00.123Z] [info] ISO stamp', 'info'],
    ['[2024-01-15 10:00:00 +0000] [warn] stamp with a zone inside the brackets', 'warn'],
    // nginx's error log
    ['2024/01/15 10:00:00 [error] 1234#1234: *5 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)', 'error'],
    ['2024/01/15 10:00:00 [notice] 1#1: start worker processes', 'notice'],
    ['2024/01/15 10:00:00 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)', 'fatal'],
    // Serilog's console template [{Timestamp:HH:mm:ss} {Level:u3}]
    ['[10:00:00 INF] Hosting environment: Production', 'info'],
    ['[10:00:01 WRN] Overriding address(es) http://localhost:5000', 'warn'],
    ['[10:00:02 ERR] An unhandled exception has occurred while executing the request.', 'error'],
    ['[10:00:03 FTL] Host terminated unexpectedly', 'fatal'],
    ['[10:00:04 VRB] verbose', 'trace'],
    // Monolog (Laravel)
    ['[2024-01-15 10:00:00] local.ERROR: SQLSTATE[HY000] [2002] Connection refused {"exception":"[object] (PDOException(code: 2002))"}', 'error'],
    ['[2024-01-15T10:00:00.123456+00:00] app.INFO: User logged in {"id":42} []', 'info'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectBracketed, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'text', format: 'bracketed' });
  });

  it('ignores a bracketed level word later in the line', () => {
    expect(classify('request failed [error] code=5').severity).toBe('unknown');
    expect(detectName(detectBracketed, '[main] worker [ERROR] later')).toBe('not mine');
  });

  it.each(['[errors] not a level', '[ERROR', '[1234] [ERROR] a pid is not a stamp', '2024-01-15 [ERROR] a date alone is not a stamp'])(
    'rejects %s',
    (line) => {
      expect(detectName(detectBracketed, line)).toBe('not mine');
    },
  );
});
