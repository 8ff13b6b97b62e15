export * from './config/config.file';
export * from './config/config.watcher';
export * from './config/config.hot-reload';
export * from './policy-runtime';
export * from './router-client/router-client';
export * from './router-proto';
export * from './tls/router-tls';
export * from './probes/shared-prober';
