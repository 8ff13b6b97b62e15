export * from './adapter';
export * from './registry';
export * from './http/upstream-client';
export * from './http/call-abort';
export * from './http/stream-readers';
export * from './http/http-adapter.base';
export * from './health/backend-prober';
export * from './adapter-set';
