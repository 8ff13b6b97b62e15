export * from './openai.types';
export * from './errors';
export * from './config.schema';
export * from './config.loader';
export * from './redact';
export * from './router';
export * from './config.watcher';
export * from './config.hot-reload';
