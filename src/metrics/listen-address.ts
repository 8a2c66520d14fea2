import { isIP } from 'node:net';
import { optionError } from '../errors';

/** Where `mount --metrics-listen` serves GET /metrics. */
export interface ListenAddress {
  host: string;
  port: number;
}

const EXAMPLES = 'examples: 9464, 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464';

/**
 * Parses `--metrics-listen`. A bare port (or ":port", or "localhost:port") means loopback: the
 * metrics name every log file, so reaching them from another machine must be asked for in so
 * many words, with an IP address ("0.0.0.0:9464" for every interface). Host names other than
 * localhost are refused rather than resolved: what a name resolves to can change under us.
 */
export function parseListenAddress(text: string, what = '--metrics-listen'): ListenAddress {
  const t = text.trim();
  const fail = (why: string) => optionError(what, `"${text}" ${why} (${EXAMPLES})`);
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  if (/^\d+$/.test(t)) {
    host = '127.0.0.1';
    portText = t;
  } else if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
    if (isIP(host) !== 6) throw fail('is not an IPv6 address and port');
  } else {
    const colon = t.lastIndexOf(':');
    if (colon < 0) throw fail('is not a port or an address:port');
    host = t.slice(0, colon);
    portText = t.slice(colon + 1);
    if (host.includes(':')) throw fail('has an IPv6 address without [brackets]');
    if (host === '' || host === 'localhost') host = '127.0.0.1';
    else if (isIP(host) !== 4) throw fail('names a host: give an IP address (127.0.0.1 for this machine only)');
  }
  if (!/^\d+$/.test(portText)) throw fail('has no port number');
  const port = Number(portText);
  if (!(port >= 1 && port <= 65535)) throw fail('has a port outside 1-65535');
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === '::1' || /^127\./.test(host);
}

export function formatListenAddress(a: ListenAddress): string {
  return isIP(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
