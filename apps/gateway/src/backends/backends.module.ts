import { Module } from '@nestjs/common';
import { PolicyRuntime } from '@switchyard/runtime';
import { BackendsService, policyRuntimeProvider } from './backends.service';

/** The policy runtime and one adapter per configured backend, kept across config reloads. */
@Module({ providers: [policyRuntimeProvider, BackendsService], exports: [PolicyRuntime, BackendsService] })
export class BackendsModule {}
