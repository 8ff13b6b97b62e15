/**
 * Where the router's gRPC server listens: `ROUTER_GRPC_HOST` (default 127.0.0.1, so a router
 * started by hand is not reachable from the network; the Helm chart sets 0.0.0.0) and
 * `ROUTER_GRPC_PORT` (default 50051). Throws a message naming the variable when one is invalid.
 */
export function grpcListenUrl(env: NodeJS.ProcessEnv): string {
  const rawPort = env.ROUTER_GRPC_PORT ?? '50051';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) throw new Error(`ROUTER_GRPC_PORT must be a port number 1-65535 (got ${JSON.stringify(rawPort)})`);
  const host = (env.ROUTER_GRPC_HOST ?? '').trim() || '127.0.0.1';
  if (!/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*|[A-Za-z0-9.-]+)$/.test(host)) {
    throw new Error(`ROUTER_GRPC_HOST must be a host name or an IP address (got ${JSON.stringify(host)})`);
  }
  // A bare IPv6 address needs brackets before the port.
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}
