export * from './breaker/breaker-sync';
export * from './breaker/redis-breaker.sync';
export * from './redis/redis-connections';
export * from './sql/database';
export * from './sql/migrations';
export * from './tenants/tenant-store';
export * from './tenants/sql-tenant.store';
