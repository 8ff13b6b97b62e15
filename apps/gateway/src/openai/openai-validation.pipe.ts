import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { InvalidRequestError } from '@switchyard/contracts';
import { ChatCompletionRequestDto } from './dto/chat-completion.dto';
import { EmbeddingsRequestDto } from './dto/embeddings.dto';
import { checkChatRequest, checkEmbeddingsRequest, type Problem } from './dto/request.validators';

/** Hot-path bodies are checked by the compiled form of their DTO's rules. */
const COMPILED = new Map<unknown, (body: Record<string, unknown>) => Problem | undefined>([
  [ChatCompletionRequestDto, checkChatRequest],
  [EmbeddingsRequestDto, checkEmbeddingsRequest],
]);

/**
 * The DTOs' rules, answering in OpenAI's shape with `param` naming the field. The body is
 * validated, not rewritten: the plain object the client sent is what flows on.
 */
export class OpenAIValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: false,
      whitelist: false,
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => invalid(firstProblem(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return super.transform(value, metadata);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InvalidRequestError('The request body must be a JSON object.');
    }
    const compiled = COMPILED.get(metadata.metatype);
    if (!compiled) return super.transform(value, metadata);
    const problem = compiled(value as Record<string, unknown>);
    if (problem) throw invalid(problem);
    return value;
  }
}

function invalid([param, message]: Problem): InvalidRequestError {
  return new InvalidRequestError(`Invalid value for '${param}': ${message}.`, param);
}

/** class-validator's first finding as a path (`messages[0].role`) and message. */
export function firstProblem(errors: ValidationError[], prefix = ''): Problem {
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
