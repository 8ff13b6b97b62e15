export * from './logger';
export * from './nest-logger';
export * from './request-id';
export * from './metrics';
