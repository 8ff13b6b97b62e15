import { PassThrough } from 'node:stream';
import { Test, type TestingModule } from '@nestjs/testing';
import { parseConfig } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { RuntimeModule } from '../runtime/runtime.module';
import { StoreModule } from './store.module';

// For specs only (`*.mock.ts` is not built).

export const TEST_ADMIN_KEY = 'sy-admin-spec-0123456789abcdef';

/** The runtime and store modules, as the gateway starts them (no Redis unless `more` names one). */
export function storeTestingModule(more: Partial<GatewayRuntime> = {}): Promise<TestingModule> {
  const runtime: GatewayRuntime = {
    config: parseConfig(JSON.stringify({ backends: [{ name: 'b', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', tier: 'local', models: ['m'] }] }), {}),
    adminKey: TEST_ADMIN_KEY,
    logger: createLogger({ destination: new PassThrough().resume() }),
    ...more,
  };
  return Test.createTestingModule({ imports: [RuntimeModule.register(runtime), StoreModule] }).compile();
}
