import { detectJson, JSON_SCAN_LIMIT } from '../../../../src/profile/formats/json';
import { classify, detectName } from '../support';

describe('JSON lines', () => {
  it.each([
    // pino
    ['{"level":30,"time":1531171074631,"msg":"hello world","pid":657,"hostname":"Davids-MBP-3.fritz.box"}', 'info'],
    ['{"level":50,"time":1531171082399,"pid":657,"hostname":"box","msg":"this is at error level"}', 'error'],
    ['{"level":60,"time":1531171082399,"msg":"fatal"}', 'fatal'],
    ['{"level":10,"msg":"t"}', 'trace'],
    ['{"level":20,"msg":"d"}', 'debug'],
    ['{"level":40,"msg":"w"}', 'warn'],
    ['{"level":35,"msg":"a custom pino level between info and warn"}', 'info'],
    // bunyan: the level comes after name, hostname and pid
    ['{"name":"myapp","hostname":"banana.local","pid":40161,"level":30,"msg":"hi","time":"2013-01-04T18:46:23.851Z","v":0}', 'info'],
    // winston
    ['{"level":"info","message":"Hello distributed log files!"}', 'info'],
    ['{"message":"What time is the testing at?","level":"warn","timestamp":"2017-09-30T03:57:26.875Z"}', 'warn'],
    // zap
    ['{"level":"error","ts":1257894000,"caller":"zap/example.go:12","msg":"failed to fetch URL","url":"http://example.com","attempt":3}', 'error'],
    ['{"level":"dpanic","ts":1257894000,"msg":"x"}', 'fatal'],
    // logrus (keys sorted)
    ['{"animal":"walrus","level":"info","msg":"A group of walrus emerges from the ocean","size":10,"time":"2014-03-10 19:57:38.562264131 -0400 EDT"}', 'info'],
    // Google Cloud Logging structured logs
    ['{"severity":"ERROR","message":"There was an error in the application.","httpRequest":{"requestMethod":"GET"}}', 'error'],
    ['{"severity":"NOTICE","message":"deploy finished"}', 'notice'],
    // Elastic Common Schema
    ['{"@timestamp":"2024-01-15T10:00:00.000Z","log.level":"warn","message":"disk at 91%","ecs.version":"1.6.0"}', 'warn'],
    // python-json-logger
    ['{"asctime": "2024-01-15 10:00:00,123", "levelname": "CRITICAL", "message": "out of memory"}', 'fatal'],
    // Serilog's JSON formatter
    ['{"Timestamp":"2024-01-15T10:00:00.0000000+00:00","Level":"Information","MessageTemplate":"Started"}', 'info'],
    // GELF, whose level is a syslog severity
    ['{"version":"1.1","host":"example.org","short_message":"A short message","level":1,"_user_id":9001}', 'fatal'],
    ['{"version":"1.1","host":"example.org","short_message":"x","level":4}', 'warn'],
    // no level key, or none we know
    // CLEF leaves out @l for Information, the format's documented default.
    ['{"@t":"2016-06-07T03:44:57.8532799Z","@mt":"Hello, {User}","User":"nblumhardt"}', 'info'],
    ['{"msg":"no level here"}', 'unknown'],
    ['{}', 'unknown'],
    ['  {"level":"debug","msg":"leading blanks are allowed"}', 'debug'],
    ['{"level" : "  WARNING ", "msg":"padded"}', 'warn'],
    ['{"level":"chatty","msg":"a level we do not know"}', 'unknown'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectJson, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'json', format: 'json' });
  });

  it('ignores level keys inside nested values and strings', () => {
    expect(detectName(detectJson, '{"req":{"level":"error","x":[1,{"level":"fatal"}]},"level":"info"}')).toBe('info');
    expect(detectName(detectJson, '{"msg":"\\"level\\":\\"error\\"","level":"debug"}')).toBe('debug');
    expect(detectName(detectJson, '{"msg":"level: error"}')).toBe('unknown');
  });

  it('finds the first top-level level key only', () => {
    expect(detectName(detectJson, '{"lvl":"warn","level":"error"}')).toBe('warn');
  });

  it('claims malformed or cut JSON objects as JSON of unknown severity', () => {
    expect(detectName(detectJson, '{"msg":"unterminated')).toBe('unknown');
    expect(detectName(detectJson, '{"msg":"x" "level":"error"}')).toBe('unknown');
  });

  it.each(['[1,2,3]', '{not json}', 'level: {"x":1}', ''])('rejects %j', (line) => {
    expect(detectName(detectJson, line)).toBe('not mine');
  });

  it(`sees a level key that starts within ${JSON_SCAN_LIMIT} bytes, and no further`, () => {
    const pad = (n: number): string => `{"pad":"${'x'.repeat(n)}","level":"error"}`;
    const near = pad(JSON_SCAN_LIMIT - 64);
    const far = pad(JSON_SCAN_LIMIT + 64);
    expect(classify(near).severity).toBe('error');
    expect(classify(far)).toEqual({ severity: 'unknown', dataType: 'json', format: 'json' });
  });
});
