import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { rawErrorResponse } from './body-deadline';

// Connections are cheap to open and a body can be sent a byte at a time: without a cap, one
// address holding thousands of connections that never authenticate exhausts file descriptors.
// Each address may hold `max` connections on which no request has authenticated yet; past that a
// new one is answered 429 and closed. A connection leaves the count once a request on it passes
// the key check, so clients keeping authenticated connections alive are never limited by it.

const RELEASE = Symbol('switchyard.releaseUnauthenticated');
type Tracked = Socket & { [RELEASE]?: () => void };

const REFUSAL = rawErrorResponse(
  '429 Too Many Requests',
  'too_many_connections',
  'rate_limit_error',
  'Too many connections from your address are waiting to authenticate. Retry later.',
  'retry-after: 1\r\n',
);

/** Counts unauthenticated connections per remote address on `server`; `max` 0 turns the cap off. */
export function capUnauthenticatedConnections(server: Server, max: number): void {
  if (max <= 0) return;
  const counts = new Map<string, number>();
  server.on('connection', (socket: Tracked) => {
    const address = socket.remoteAddress ?? '';
    const n = counts.get(address) ?? 0;
    if (n >= max) {
      // Nothing of what it sends is read: the answer goes out and the connection closes.
      socket.pause();
      socket.end(REFUSAL);
      socket.setTimeout(1_000, () => socket.destroy());
      return;
    }
    counts.set(address, n + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      socket[RELEASE] = undefined;
      const left = (counts.get(address) ?? 1) - 1;
      if (left <= 0) counts.delete(address);
      else counts.set(address, left);
    };
    socket[RELEASE] = release;
    socket.once('close', release);
  });
}

/** A request on `socket` authenticated: its connection no longer counts against the cap. */
export function authenticated(socket: Socket): void {
  (socket as Tracked)[RELEASE]?.();
}
