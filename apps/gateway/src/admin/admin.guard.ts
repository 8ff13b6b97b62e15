import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AdminForbiddenError } from './admin.errors';

/** The admin key only: the key guard resolves the caller (401 without a good key), then a key without the `admin` scope gets 403. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyGuard) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.keys.canActivate(context);
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (principal?.scopes.includes('admin') !== true) throw new AdminForbiddenError('The admin API takes the admin key only.', 'admin_only');
    return true;
  }
}
