import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from './health/health.module';
import { RouterModule } from './router/router.module';
import { ROUTER_RUNTIME, type RouterRuntime } from './runtime/router-runtime';
import { StateModule } from './state/state.module';

@Module({})
export class AppModule {
  static register(runtime: RouterRuntime): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [StateModule, HealthModule, RouterModule],
      providers: [{ provide: ROUTER_RUNTIME, useValue: runtime }],
      exports: [ROUTER_RUNTIME],
    };
  }
}
