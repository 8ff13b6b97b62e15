import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ADMIN_PRINCIPAL } from '@switchyard/contracts';
import {
  API_KEYS,
  AUDIT_LOG,
  SqlAuditLog,
  type AuditLog,
  CachedCredentials,
  CREDENTIALS,
  SqlCredentialStore,
  type CredentialStore,
  LayeredKeyStore,
  LazyDatabase,
  migrate,
  SqlKeyStore,
  SqlTenantStore,
  TENANT_STORE,
  type ApiKeys,
  type Database,
  type TenantStore,
  COUNTERS,
  KEY_STORE,
  LEDGER_SINK,
  CAPTURE_STORE,
  SqlCaptureStore,
  type CaptureStore,
  MemoryCounters,
  MemoryKeyStore,
  MemoryLedgerSink,
  MemoryResponseCache,
  RedisCounters,
  IpcCounters,
  LeasedCounters,
  type RedisConnections,
  type Counters,
  RESPONSE_CACHE,
  RedisResponseCache,
  type ResponseCache,
  SEMANTIC_INDEX,
  MemorySemanticIndex,
  type SemanticIndex,
  type KeyStore,
  type LedgerSink,
  SqlLedgerSink,
  SqlUsageQuery,
  USAGE_QUERY,
  type UsageQuery,
} from '@switchyard/store';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS } from '../runtime/redis.provider';
import { LazySemanticIndex } from '../cache/lazy-semantic.index';

/** DI token: the migrated Database, or null when the gateway runs without one. */
export const DATABASE = Symbol('switchyard.Database');
const SQL_KEYS = Symbol('switchyard.SqlKeyStore');

/** Databases the gateway opened itself (from `databaseOptions`), and so closes. */
const owned = new WeakSet<Database>();

/**
 * Where the ledger spools records while its database is unreachable: under the runtime's data dir,
 * else the embedded database's, else `SWITCHYARD_DATA_DIR`, else `./data`, as the gateway's start resolves it.
 */
function ledgerSpoolDir(runtime: GatewayRuntime): string {
  return join(resolve(runtime.dataDir ?? runtime.databaseOptions?.dataDir ?? process.env.SWITCHYARD_DATA_DIR ?? 'data'), 'ledger-spool');
}

/** Flushes and closes the ledger when the application shuts down, so no record is left behind; then the database it opened. */
@Injectable()
class StoreShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(LEDGER_SINK) private readonly ledger: LedgerSink,
    @Inject(DATABASE) private readonly db: Database | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.ledger.close();
    if (this.db !== null && owned.has(this.db)) await this.db.close();
  }
}

/**
 * The stores behind their ports, by DI token. Tenants, keys, provider credentials and the audit
 * log live in the runtime's database (PostgreSQL or embedded PGlite) when it has one; without one,
 * keys live in memory and only the admin key exists (TENANT_STORE, API_KEYS, CREDENTIALS and
 * AUDIT_LOG are then null). Counters are in Redis when the gateway has one, else in memory (the
 * primary's, over IPC, for the workers of SWITCHYARD_WORKERS). The usage ledger is written to the
 * database in batches (spooled to the data dir while it is unreachable) and read through
 * USAGE_QUERY; without a database it is a ring in memory and USAGE_QUERY is null. The response
 * cache is in memory.
 */
@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [GATEWAY_RUNTIME],
      // One handed in (tests) is brought up to date now. One the gateway opens itself is opened
      // now too when the usage ledger is on (its every request is a record): opening embedded PGlite
      // takes seconds of the event loop, which must not happen under traffic. With the ledger off
      // it waits for its first query, so a gateway only ever asked with the admin key never starts one.
      useFactory: async (runtime: GatewayRuntime): Promise<Database | null> => {
        if (runtime.database !== undefined) {
          await migrate(runtime.database);
          return runtime.database;
        }
        if (runtime.databaseOptions === undefined) return null;
        const db = new LazyDatabase(runtime.databaseOptions);
        owned.add(db);
        if (runtime.config.usage.enabled) await db.query('SELECT 1');
        return db;
      },
    },
    {
      provide: SQL_KEYS,
      inject: [GATEWAY_RUNTIME, DATABASE],
      useFactory: (runtime: GatewayRuntime, db: Database | null): SqlKeyStore | null => {
        if (db === null) return null;
        if (!runtime.serverSecret) throw new Error('a server secret (SWITCHYARD_SECRET) is required with a database');
        return new SqlKeyStore(db, runtime.serverSecret);
      },
    },
    {
      provide: KEY_STORE,
      inject: [GATEWAY_RUNTIME, SQL_KEYS],
      // The admin key is held in memory, registered at every start as the principal of the built-in
      // admin tenant, and found without I/O; tenant keys are in the database behind it. Digests in
      // memory last no longer than the process, so a fresh server secret each start will do.
      useFactory: async (runtime: GatewayRuntime, sql: SqlKeyStore | null): Promise<KeyStore> => {
        const startup = new MemoryKeyStore(randomBytes(32));
        await startup.register(runtime.adminKey, ADMIN_PRINCIPAL);
        return sql === null ? startup : new LayeredKeyStore(startup, sql);
      },
    },
    { provide: API_KEYS, inject: [SQL_KEYS], useFactory: (sql: SqlKeyStore | null): ApiKeys | null => sql },
    { provide: TENANT_STORE, inject: [DATABASE], useFactory: (db: Database | null): TenantStore | null => (db === null ? null : new SqlTenantStore(db)) },
    { provide: AUDIT_LOG, inject: [DATABASE], useFactory: (db: Database | null): AuditLog | null => (db === null ? null : new SqlAuditLog(db)) },
    {
      provide: CREDENTIALS,
      inject: [GATEWAY_RUNTIME, DATABASE],
      // Encrypted under the server secret; each tenant's keys are held in memory briefly, not read per request.
      useFactory: (runtime: GatewayRuntime, db: Database | null): CredentialStore | null =>
        db === null || !runtime.serverSecret ? null : new CachedCredentials(new SqlCredentialStore(db, runtime.serverSecret)),
    },
    // Shared by every replica with Redis; else, in a worker of SWITCHYARD_WORKERS, the primary's (over IPC); else this process's own.
    // Shared counts are leased ahead for busy keys, so most requests skip the round trip.
    {
      provide: COUNTERS,
      inject: [REDIS, GATEWAY_RUNTIME],
      useFactory: (redis: RedisConnections | null, runtime: GatewayRuntime): Counters => {
        const shared = redis !== null ? new RedisCounters(redis) : runtime.workers !== undefined ? new IpcCounters(runtime.workers.channel) : undefined;
        if (shared === undefined) return new MemoryCounters();
        const share = runtime.config.limits.leaseShare;
        if (share <= 0) return shared;
        const log = runtime.logger.child({ component: 'limits' });
        const onError = (err: unknown) =>
          log.warn({ error: err instanceof Error ? err.message : String(err) }, 'could not give a limit lease back: it lapses with its window');
        return new LeasedCounters(shared, { share, onError });
      },
    },
    {
      provide: LEDGER_SINK,
      inject: [GATEWAY_RUNTIME, DATABASE],
      // Its first batch opens a lazy database; nothing is queried here.
      useFactory: (runtime: GatewayRuntime, db: Database | null): LedgerSink => {
        if (db === null) return new MemoryLedgerSink();
        const { flushMs, retentionDays } = runtime.config.usage;
        return new SqlLedgerSink(db, { spoolDir: ledgerSpoolDir(runtime), flushMs, retentionDays, log: runtime.logger.child({ component: 'ledger' }) });
      },
    },
    { provide: USAGE_QUERY, inject: [DATABASE], useFactory: (db: Database | null): UsageQuery | null => (db === null ? null : new SqlUsageQuery(db)) },
    // Shared by every replica with Redis; else this process's own, bounded in bytes.
    {
      provide: RESPONSE_CACHE,
      inject: [GATEWAY_RUNTIME, REDIS],
      useFactory: (runtime: GatewayRuntime, redis: RedisConnections | null): ResponseCache =>
        redis !== null ? new RedisResponseCache(redis) : new MemoryResponseCache(runtime.config.cache.maxBytes),
    },
    {
      provide: SEMANTIC_INDEX,
      inject: [GATEWAY_RUNTIME, DATABASE],
      useFactory: (runtime: GatewayRuntime, db: Database | null): SemanticIndex =>
        db === null ? new MemorySemanticIndex() : new LazySemanticIndex(db, runtime.logger.child({ component: 'cache' })),
    },
    { provide: CAPTURE_STORE, inject: [DATABASE], useFactory: (db: Database | null): CaptureStore | null => (db === null ? null : new SqlCaptureStore(db)) },
    StoreShutdown,
  ],
  exports: [
    DATABASE,
    KEY_STORE,
    API_KEYS,
    TENANT_STORE,
    AUDIT_LOG,
    CREDENTIALS,
    COUNTERS,
    LEDGER_SINK,
    USAGE_QUERY,
    RESPONSE_CACHE,
    SEMANTIC_INDEX,
    CAPTURE_STORE,
  ],
})
export class StoreModule {}
