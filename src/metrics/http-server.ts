import { createServer, type Server } from 'node:http';
import { ErrorCodes, LogshadowError } from '../errors';
import { CONTENT_TYPE } from './exposition';
import { formatListenAddress, type ListenAddress } from './listen-address';
import { listeningFd, OpenConnections } from '../util/open-connections';

/**
 * `mount --metrics-listen`: GET /metrics answers the exposition text; any other path is 404 and
 * any other method 405. No TLS and no authentication (put a proxy in front for that), so the
 * listener is on loopback unless the operator named another address.
 */
export class MetricsHttpServer {
  readonly connections = new OpenConnections();

  private constructor(private readonly server: Server, readonly address: string) {
    server.on('connection', (s) => this.connections.add(s));
  }

  /** The listening socket's descriptor (see listeningFd). */
  get fd(): number | undefined {
    return listeningFd(this.server);
  }

  /** Binds before anything else is set up, so a taken port fails the mount before it mounts. */
  static async listen(at: ListenAddress, render: () => string | Promise<string>): Promise<MetricsHttpServer> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
        return;
      }
      Promise.resolve()
        .then(render)
        .then(
          (body) => {
            // A new connection per scrape: a waiting connection is what raises a lowered daemon
            // to answer at once (DaemonPriority); a request on a kept-alive one would wait.
            res.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body), connection: 'close' });
            res.end(req.method === 'HEAD' ? undefined : body);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
          },
        );
    });
    server.keepAliveTimeout = 5_000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'the address is in use: pick another port'
          : err.code === 'EADDRNOTAVAIL' ? 'no interface of this machine has that address'
            : err.code === 'EACCES' ? 'not allowed to listen there' : err.message;
        reject(new LogshadowError(ErrorCodes.USAGE, `--metrics-listen ${formatListenAddress(at)}: ${why}`));
      });
      server.listen({ host: at.host, port: at.port, exclusive: true }, () => resolve());
    });
    return new MetricsHttpServer(server, formatListenAddress(at));
  }

  close(): Promise<void> {
    this.connections.destroyAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
