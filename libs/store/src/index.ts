export * from './breaker/redis-breaker.sync';
