export * from './logger';
export * from './nest-logger';
export * from './request-id';
export * from './metrics';
export * from './tracing';
export * from './tracing-attributes';
