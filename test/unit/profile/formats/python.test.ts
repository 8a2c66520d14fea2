import { detectPython } from '../../../../src/profile/formats/python';
import { classify, detectName } from '../support';

describe('Python logging', () => {
  it.each([
    // basicConfig() default: %(levelname)s:%(name)s:%(message)s
    ['WARNING:root:Watch out!', 'warn'],
    ['INFO:root:So should this', 'info'],
    ['ERROR:urllib3.connectionpool:Retrying (Retry(total=2)) after connection broken', 'error'],
    ['CRITICAL:myapp.db:connection pool exhausted', 'fatal'],
    ['DEBUG:asyncio:Using selector: EpollSelector', 'debug'],
    // the logging cookbook's %(asctime)s - %(name)s - %(levelname)s - %(message)s
    ['2005-03-19 15:10:26,618 - simple_example - DEBUG - debug message', 'debug'],
    ['2005-03-19 15:10:26,620 - simple_example - INFO - info message', 'info'],
    ['2005-03-19 15:10:26,695 - simple_example - WARNING - warn message', 'warn'],
    ['2005-03-19 15:10:26,697 - simple_example - ERROR - error message', 'error'],
    ['2005-03-19 15:10:26,773 - simple_example - CRITICAL - critical message', 'fatal'],
    // Flask's default handler: [%(asctime)s] %(levelname)s in %(module)s: %(message)s
    ['[2024-01-15 10:00:00,123] ERROR in app: Exception on /login [POST]', 'error'],
    ['[2024-01-15 10:00:00,124] INFO in routes: user logged in', 'info'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectPython, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'text', format: 'python' });
  });

  it('reads levelname only in its field', () => {
    expect(detectName(detectPython, '2005-03-19 15:10:26,618 - worker - INFO - job raised ERROR - retrying')).toBe('info');
  });

  it.each([
    'Warning:root:levelname is always upper case',
    'WARNING: root: a space is not a logger name',
    '2005-03-19 15:10:26,618 - name - Info - mixed case',
    '2005-03-19 15:10:26,618 simple_example DEBUG no dashes',
  ])('rejects %s', (line) => {
    expect(detectName(detectPython, line)).toBe('not mine');
  });
});
