import type { FastifyRequest } from 'fastify';
import type { ChatCompletionRequest, EmbeddingsRequest } from '@switchyard/contracts';
import { estimatePromptTokens, requestTags, type RequestFeatures } from '@switchyard/policy';

function latencyBudget(req: FastifyRequest): number | undefined {
  const raw = req.headers['x-switchyard-max-latency-ms'];
  const n = typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** What policy needs to know of a chat request; the prompt itself stays here. */
export function chatFeatures(req: FastifyRequest, body: ChatCompletionRequest, pii: readonly string[]): RequestFeatures {
  return {
    keyId: 'admin',
    model: body.model,
    promptTokens: estimatePromptTokens(body),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    stream: body.stream === true,
    tags: requestTags(req.headers['x-switchyard-tags'], body.metadata),
    headers: req.headers as Record<string, string | undefined>,
    maxLatencyMs: latencyBudget(req),
    pii,
  };
}

export function embeddingsFeatures(req: FastifyRequest, body: EmbeddingsRequest): RequestFeatures {
  const input = body.input;
  const chars =
    typeof input === 'string' ? input.length : Array.isArray(input) ? input.reduce<number>((n, s) => n + (typeof s === 'string' ? s.length : 4), 0) : 0;
  return {
    keyId: 'admin',
    model: body.model,
    promptTokens: Math.ceil(chars / 4),
    stream: false,
    tags: requestTags(req.headers['x-switchyard-tags'], undefined),
    headers: req.headers as Record<string, string | undefined>,
    maxLatencyMs: latencyBudget(req),
    pii: [],
  };
}
