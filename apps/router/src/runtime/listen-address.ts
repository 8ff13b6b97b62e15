/**
 * Where the router's gRPC server listens: `ROUTER_GRPC_HOST` (default 127.0.0.1, so a router
 * started by hand is not reachable from the network; the Helm chart sets 0.0.0.0) and
 * `ROUTER_GRPC_PORT` (default 50051). Throws a message naming the variable when one is invalid.
 */
export function grpcListenUrl(env: NodeJS.ProcessEnv): string {
  return `${listenHost(env)}:${port(env, 'ROUTER_GRPC_PORT', '50051')}`;
}

/**
 * Where the plaintext health-only port listens, when `ROUTER_HEALTH_PORT` is set: the same host
 * as the gRPC port. Kubelet's `grpc:` probes speak no TLS, so a router serving TLS offers
 * grpc.health.v1 alone, in plaintext, there. Unset (the default): no such port.
 */
export function healthListenUrl(env: NodeJS.ProcessEnv): string | undefined {
  if ((env.ROUTER_HEALTH_PORT ?? '').trim() === '') return undefined;
  const health = port(env, 'ROUTER_HEALTH_PORT');
  if (health === port(env, 'ROUTER_GRPC_PORT', '50051')) throw new Error(`ROUTER_HEALTH_PORT must differ from ROUTER_GRPC_PORT (both ${health})`);
  return `${listenHost(env)}:${health}`;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback?: string): number {
  const raw = (env[name] ?? fallback ?? '').trim();
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw new Error(`${name} must be a port number 1-65535 (got ${JSON.stringify(env[name] ?? fallback)})`);
  return n;
}

function listenHost(env: NodeJS.ProcessEnv): string {
  const host = (env.ROUTER_GRPC_HOST ?? '').trim() || '127.0.0.1';
  if (!/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*|[A-Za-z0-9.-]+)$/.test(host)) {
    throw new Error(`ROUTER_GRPC_HOST must be a host name or an IP address (got ${JSON.stringify(host)})`);
  }
  // A bare IPv6 address needs brackets before the port.
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
