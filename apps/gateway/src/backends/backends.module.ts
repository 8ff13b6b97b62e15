import { Module } from '@nestjs/common';
import { BackendsService } from './backends.service';

/** One adapter per configured backend, kept across config reloads. */
@Module({ providers: [BackendsService], exports: [BackendsService] })
export class BackendsModule {}
