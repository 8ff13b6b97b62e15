import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BackendsModule } from '../backends/backends.module';
import { RoutingModule } from '../routing/routing.module';
import { HealthController } from './health.controller';

/** Liveness and readiness for Kubernetes. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), BackendsModule, RoutingModule],
  controllers: [HealthController],
})
export class HealthModule {}
