import { randomBytes } from 'node:crypto';
import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ADMIN_PRINCIPAL } from '@switchyard/contracts';
import {
  COUNTERS,
  KEY_STORE,
  LEDGER_SINK,
  MemoryCounters,
  MemoryKeyStore,
  MemoryLedgerSink,
  MemoryResponseCache,
  RESPONSE_CACHE,
  type KeyStore,
  type LedgerSink,
} from '@switchyard/store';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

/** Flushes and closes the ledger when the application shuts down, so no record is left behind. */
@Injectable()
class LedgerShutdown implements OnApplicationShutdown {
  constructor(@Inject(LEDGER_SINK) private readonly ledger: LedgerSink) {}

  onApplicationShutdown(): Promise<void> {
    return this.ledger.close();
  }
}

/**
 * The stores behind their ports, by DI token: in memory, the embedded default for one replica.
 * PostgreSQL/Redis implementations plug in here, behind the same tokens.
 */
@Global()
@Module({
  providers: [
    {
      provide: KEY_STORE,
      inject: [GATEWAY_RUNTIME],
      // The admin key is registered at every start, as the principal of the built-in admin tenant.
      // Digests in memory last no longer than the process, so a fresh server secret each start will do.
      useFactory: async (runtime: GatewayRuntime): Promise<KeyStore> => {
        const keys = new MemoryKeyStore(randomBytes(32));
        await keys.register(runtime.adminKey, ADMIN_PRINCIPAL);
        return keys;
      },
    },
    { provide: COUNTERS, useFactory: () => new MemoryCounters() },
    { provide: LEDGER_SINK, useFactory: () => new MemoryLedgerSink() },
    { provide: RESPONSE_CACHE, useFactory: () => new MemoryResponseCache() },
    LedgerShutdown,
  ],
  exports: [KEY_STORE, COUNTERS, LEDGER_SINK, RESPONSE_CACHE],
})
export class StoreModule {}
