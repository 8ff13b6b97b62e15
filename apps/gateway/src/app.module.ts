import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { BackendsModule } from './backends/backends.module';
import { DialectExceptionFilter } from './errors/dialect-exception.filter';
import { HealthModule } from './health/health.module';
import { ObservabilityModule } from './observability/observability.module';
import { InferenceModule } from './inference/inference.module';
import { LedgerModule } from './ledger/ledger.module';
import { LimitsModule } from './limits/limits.module';
import { RoutingModule } from './routing/routing.module';
import type { GatewayRuntime } from './runtime/gateway-runtime';
import { RuntimeModule } from './runtime/runtime.module';
import { StoreModule } from './store/store.module';
import { UsageModule } from './usage/usage.module';

/** The gateway: one feature module each for the stores, auth, backends, limits, routing, inference, usage, the admin API, health and observability. */
@Module({})
export class AppModule {
  static register(runtime: GatewayRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.register(runtime),
        StoreModule,
        ObservabilityModule,
        AuthModule,
        BackendsModule,
        LimitsModule,
        LedgerModule,
        RoutingModule,
        InferenceModule,
        UsageModule,
        AdminModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: DialectExceptionFilter }],
    };
  }
}
