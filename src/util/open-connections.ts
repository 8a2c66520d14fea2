import type { Server, Socket } from 'node:net';

/**
 * A server's open connections, each with when it was accepted (performance.now()), oldest
 * first: the daemon lets its refresh wait for a request while a young connection is open, and
 * drops every connection when it stops.
 */
export class OpenConnections {
  private readonly accepted = new Map<Socket, number>();
  /** Called as each connection is accepted, before any of its data is read. */
  onAccepted: (() => void) | null = null;

  add(socket: Socket): void {
    this.onAccepted?.();
    this.accepted.set(socket, performance.now());
    socket.on('close', () => this.accepted.delete(socket));
  }

  /** When the oldest connection open now was accepted, or null: none is. */
  get oldestSince(): number | null {
    const oldest = this.accepted.values().next();
    return oldest.done ? null : oldest.value;
  }

  destroyAll(): void {
    for (const s of this.accepted.keys()) s.destroy();
  }
}

/**
 * A listening server's descriptor, for a thread that waits on it beside the event loop (the
 * daemon's waker). Node has no public way to it: net.Server's handle has carried it as `fd` on
 * Unix for as long as Node has had handles; undefined where it does not. (http.Server is a
 * net.Server.)
 */
export function listeningFd(server: Server): number | undefined {
  const fd = (server as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
