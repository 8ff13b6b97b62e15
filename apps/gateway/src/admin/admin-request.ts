import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { InvalidFieldsError } from '../errors/invalid-fields.error';
import '../auth/principal';

/** Who acts: the key id of the principal AdminGuard let through. */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<FastifyRequest>().principal?.keyId ?? 'unknown';
});

/** A page size from the query: 1 to 1000, default 100. */
export function pageLimit(raw: string | undefined): number {
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidFieldsError([{ field: 'limit', message: 'must be an integer from 1 to 1000' }]);
  return n;
}

/** An audit cursor: an entry id. */
export function auditCursor(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,18}$/.test(raw)) throw new InvalidFieldsError([{ field: 'before', message: 'must be an audit entry id' }]);
  return raw;
}

/** Documents the `limit` query parameter `pageLimit` reads. */
export const ApiPageLimit = (): MethodDecorator =>
  ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 }, description: 'Default 100.' });
