import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';

/** Who the caller is: the key guard, which attaches a Principal to each request. */
@Module({ providers: [ApiKeyGuard], exports: [ApiKeyGuard] })
export class AuthModule {}
