// Each port is an interface with a Symbol as its DI token (as GATEWAY_RUNTIME and REDIS are): an
// implementation or a test double is any object of the shape, with nothing to extend, and this
// lib stays free of Nest.
export * from './breaker/breaker-sync';
export * from './breaker/redis-breaker.sync';
export * from './redis/redis-connections';
export * from './keys/key-store';
export * from './keys/memory-key.store';
export * from './counters/counters';
export * from './counters/memory.counters';
export * from './counters/redis.counters';
export * from './ledger/ledger-sink';
export * from './ledger/memory-ledger.sink';
export * from './ledger/usage-query';
export * from './ledger/sql-ledger.sink';
export * from './ledger/sql-usage.query';
export * from './cache/response-cache';
export * from './cache/memory-response.cache';
export * from './sql/database';
export * from './sql/migrations';
export * from './tenants/tenant-store';
export * from './tenants/sql-tenant.store';
export * from './keys/api-keys';
export * from './keys/sql-key.store';
export * from './audit/audit-log';
export * from './audit/sql-audit.log';
export * from './credentials/credential-store';
export * from './credentials/sql-credential.store';
export * from './credentials/cached-credentials';
export * from './sql/lazy-database';
export * from './keys/layered-key.store';
export * from './keys/key-invalidations';
export * from './capture/capture-store';
export * from './capture/sql-capture.store';
