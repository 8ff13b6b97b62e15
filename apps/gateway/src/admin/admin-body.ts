import { createParamDecorator, ValidationPipe, type ArgumentMetadata, type ExecutionContext, type ValidationError } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InvalidRequestError } from '@switchyard/contracts';
import { InvalidFieldsError, type FieldError } from '../errors/invalid-fields.error';

/**
 * The admin API's DTO rules, every bad field named (problem details list them in `errors`), and
 * unknown fields refused, so a misspelt `allowed_models` is a 400 rather than silently ignored.
 * The body is validated, not rewritten.
 */
class AdminValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: false,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validateCustomDecorators: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new InvalidFieldsError(fieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // No body (a POST without one) is an empty object: required fields are then named as missing.
    const body = value ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequestError('The request body must be a JSON object.');
    await super.transform(body, metadata);
    return body;
  }
}

/** Every bad field of class-validator's findings, as paths (`limits.rpm`, `allowedModels[0]`) and messages. */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
    const messages = Object.values(e.constraints ?? {});
    if (messages.length === 0) return fieldErrors(e.children ?? [], field);
    return messages.map((m) => ({ field, message: m.replace(`property ${e.property} `, '').replace(new RegExp(`^${escapeRegExp(e.property)} `), '') }));
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const pipe = new AdminValidationPipe();
const requestBody = createParamDecorator((_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<FastifyRequest>().body);

/**
 * The request body, checked against the parameter's DTO by the admin API's own rules. A custom
 * parameter decorator, so the global OpenAI pipe (first error only, in OpenAI's words) leaves it alone.
 */
export const AdminBody = (): ParameterDecorator => requestBody(undefined, pipe);
