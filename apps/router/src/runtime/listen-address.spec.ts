import { grpcListenUrl, healthListenUrl } from './listen-address';

describe('grpcListenUrl', () => {
  it.each([
    [{}, '127.0.0.1:50051'],
    [{ ROUTER_GRPC_PORT: '6000' }, '127.0.0.1:6000'],
    [{ ROUTER_GRPC_HOST: '0.0.0.0' }, '0.0.0.0:50051'],
    [{ ROUTER_GRPC_HOST: '::1', ROUTER_GRPC_PORT: '7000' }, '[::1]:7000'],
    [{ ROUTER_GRPC_HOST: '[::]' }, '[::]:50051'],
    [{ ROUTER_GRPC_HOST: '' }, '127.0.0.1:50051'],
  ])('%j listens on %s', (env, url) => {
    expect(grpcListenUrl(env)).toBe(url);
  });

  it.each([
    [{ ROUTER_GRPC_PORT: 'http' }, 'ROUTER_GRPC_PORT'],
    [{ ROUTER_GRPC_PORT: '70000' }, 'ROUTER_GRPC_PORT'],
    [{ ROUTER_GRPC_HOST: 'a b' }, 'ROUTER_GRPC_HOST'],
    [{ ROUTER_GRPC_HOST: 'host:50051/x' }, 'ROUTER_GRPC_HOST'],
  ])('%j is refused, naming %s', (env, name) => {
    expect(() => grpcListenUrl(env)).toThrow(name);
  });
});

describe('healthListenUrl', () => {
  it.each([
    [{}, undefined],
    [{ ROUTER_HEALTH_PORT: '' }, undefined],
    [{ ROUTER_HEALTH_PORT: '8086' }, '127.0.0.1:8086'],
    [{ ROUTER_HEALTH_PORT: '8086', ROUTER_GRPC_HOST: '0.0.0.0' }, '0.0.0.0:8086'],
    [{ ROUTER_HEALTH_PORT: '8086', ROUTER_GRPC_HOST: '::' }, '[::]:8086'],
  ])('%j: %s', (env, url) => {
    expect(healthListenUrl(env)).toBe(url);
  });

  it.each([
    [{ ROUTER_HEALTH_PORT: 'grpc' }, 'ROUTER_HEALTH_PORT must be a port number'],
    [{ ROUTER_HEALTH_PORT: '0' }, 'ROUTER_HEALTH_PORT must be a port number'],
    [{ ROUTER_HEALTH_PORT: '50051' }, 'ROUTER_HEALTH_PORT must differ from ROUTER_GRPC_PORT'],
    [{ ROUTER_HEALTH_PORT: '7000', ROUTER_GRPC_PORT: '7000' }, 'ROUTER_HEALTH_PORT must differ from ROUTER_GRPC_PORT'],
  ])('%j is refused: %s', (env, message) => {
    expect(() => healthListenUrl(env)).toThrow(message);
  });
});
