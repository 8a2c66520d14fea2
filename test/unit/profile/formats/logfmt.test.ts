import { detectLogfmt } from '../../../../src/profile/formats/logfmt';
import { classify, detectName } from '../support';

describe('logfmt', () => {
  it.each([
    // logrus' text formatter without a TTY
    ['time="2015-03-26T01:27:38-04:00" level=debug msg="Started observing beach" animal=walrus number=8', 'debug'],
    ['time="2015-03-26T01:27:38-04:00" level=warning msg="The group\'s number increased tremendously!" number=122 omg=true', 'warn'],
    ['time="2015-03-26T01:27:38-04:00" level=fatal msg="The ice breaks!" err=&{0x2082280c0 map[animal:orca size:9009]} number=100 omg=true', 'fatal'],
    // Go's log/slog TextHandler
    ['time=2023-08-04T16:09:59.123-04:00 level=INFO msg=hello count=3', 'info'],
    ['time=2023-08-04T16:09:59.123-04:00 level=ERROR msg="connection refused" addr=10.0.0.5:5432', 'error'],
    // log15
    ['t=2024-01-15T10:00:00+0000 lvl=eror msg="connection lost" peer=10.0.0.2', 'error'],
    ['t=2024-01-15T10:00:00+0000 lvl=dbug msg="dial" addr=10.0.0.2:30303', 'debug'],
    ['t=2024-01-15T10:00:00+0000 lvl=chatty msg="not a level word" x=1', 'unknown'],
    // Heroku's router
    ['at=info method=GET path="/" host=myapp.herokuapp.com request_id=8601b555 fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=200 bytes=13', 'info'],
    ['at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com dyno=web.1 connect=1ms service=30000ms status=503', 'error'],
    // go-kit
    ['ts=2024-01-15T10:00:00Z caller=main.go:42 level=warn msg="slow request" took=1.2s', 'warn'],
    // pairs, no level
    ['method=GET path=/healthz status=200 duration=0.4ms', 'unknown'],
    ['level="notice" msg="quoted level"', 'notice'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectLogfmt, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'logfmt', format: 'logfmt' });
  });

  it.each([
    'a=b and then some prose', // one pair, then words
    'x=1',
    'hello world level=error', // does not begin with a pair
    'key="unterminated value',
    '=value orphan=1',
  ])('does not claim %j', (line) => {
    expect(detectName(detectLogfmt, line)).toBe('not mine');
  });

  it('claims a single pair when it is a level', () => {
    expect(detectName(detectLogfmt, 'level=error')).toBe('error');
  });
});
