import type { FastifyRequest } from 'fastify';
import '../auth/principal';
import type { ChatCompletionRequest, EmbeddingsRequest } from '@switchyard/contracts';
import { estimatePromptTokens, requestTags, type RequestFeatures } from '@switchyard/policy';

function latencyBudget(req: FastifyRequest): number | undefined {
  const raw = req.headers['x-switchyard-max-latency-ms'];
  const n = typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Only the headers rules look at: credentials and the rest never leave the gateway (nor reach the router). */
function ruleHeaders(req: FastifyRequest, names: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of names) {
    const v = req.headers[name];
    out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** What a chat request needs of a backend beyond plain text (n > 1, tools, JSON mode, images, logprobs); only what applies is set. */
function chatNeeds(body: ChatCompletionRequest, f: RequestFeatures): RequestFeatures {
  if (typeof body.n === 'number' && body.n > 1) f.n = body.n;
  if (body.tools !== undefined && body.tools.length > 0 && body.tool_choice !== 'none') f.tools = true;
  const format = body.response_format?.type;
  if (format === 'json_object' || format === 'json_schema') f.jsonMode = true;
  if (body.logprobs === true || (typeof body.top_logprobs === 'number' && body.top_logprobs > 0)) f.logprobs = true;
  if (body.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'))) f.images = true;
  return f;
}

/** What policy needs to know of a chat request; the prompt itself stays here. */
export function chatFeatures(
  req: FastifyRequest,
  body: ChatCompletionRequest,
  pii: readonly string[],
  headerNames: readonly string[],
  unscannable?: readonly string[],
): RequestFeatures {
  const features = chatNeeds(body, {
    tenant: req.principal?.tenantId,
    keyId: req.principal?.keyId,
    model: body.model,
    promptTokens: estimatePromptTokens(body),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    stream: body.stream === true,
    tags: requestTags(req.headers['x-switchyard-tags'], body.metadata),
    headers: ruleHeaders(req, headerNames),
    maxLatencyMs: latencyBudget(req),
    pii,
  });
  if (unscannable !== undefined && unscannable.length > 0) features.unscannable = unscannable;
  return features;
}

export function embeddingsFeatures(
  req: FastifyRequest,
  body: EmbeddingsRequest,
  pii: readonly string[],
  headerNames: readonly string[],
  unscannable?: readonly string[],
): RequestFeatures {
  const input = body.input;
  const chars =
    typeof input === 'string' ? input.length : Array.isArray(input) ? input.reduce<number>((n, s) => n + (typeof s === 'string' ? s.length : 4), 0) : 0;
  const f: RequestFeatures = {
    tenant: req.principal?.tenantId,
    keyId: req.principal?.keyId,
    model: body.model,
    promptTokens: Math.ceil(chars / 4),
    stream: false,
    tags: requestTags(req.headers['x-switchyard-tags'], undefined),
    headers: ruleHeaders(req, headerNames),
    maxLatencyMs: latencyBudget(req),
    pii,
    embeddings: true,
  };
  // Token ids: a number, or arrays of numbers (validation never lets them mix with text).
  if (Array.isArray(input) && input.some((x) => typeof x !== 'string')) f.tokenInput = true;
  if (unscannable !== undefined && unscannable.length > 0) f.unscannable = unscannable;
  return f;
}
