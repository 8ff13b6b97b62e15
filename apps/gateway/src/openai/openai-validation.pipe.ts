import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { InvalidRequestError } from '@switchyard/contracts';

/**
 * class-validator over the DTOs, answering in OpenAI's shape with `param` naming the field.
 * The body is validated, not rewritten: the plain object the client sent is what flows on.
 */
export class OpenAIValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: false,
      whitelist: false,
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => {
        const [param, message] = firstProblem(errors);
        return new InvalidRequestError(`Invalid value for '${param}': ${message}.`, param);
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new InvalidRequestError('The request body must be a JSON object.');
    }
    return super.transform(value, metadata);
  }
}

function firstProblem(errors: ValidationError[], prefix = ''): [string, string] {
  const e = errors[0];
  const path = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
  const constraints = Object.values(e.constraints ?? {});
  if (constraints.length > 0) {
    const msg = constraints[0];
    return [path, msg.startsWith(`${e.property} `) ? msg.slice(e.property.length + 1) : msg];
  }
  if (e.children && e.children.length > 0) return firstProblem(e.children, path);
  return [path, 'is invalid'];
}
