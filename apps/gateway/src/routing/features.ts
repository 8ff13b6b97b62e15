import type { FastifyRequest } from 'fastify';
import '../auth/principal';
import type { PromptView } from '@switchyard/contracts';
import { estimatePromptTokens, requestTags, type RequestFeatures, type ScanResult } from '@switchyard/policy';
import '../observability/outcome-bus';
import type { PlacementService } from './placement.service';
import { assertMayUseModel } from './model-access';
import { clientRequestId } from './privacy-screen';

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

/**
 * What policy needs to know of a request, from its dialect-neutral view; the prompt itself stays
 * here. Needs beyond plain text (n > 1, tools, JSON mode, images, logprobs) are set only when they apply.
 */
export function requestFeatures(
  req: FastifyRequest,
  prompt: PromptView,
  pii: readonly string[],
  headerNames: readonly string[],
  unscannable?: readonly string[],
): RequestFeatures {
  const f: RequestFeatures = {
    // Rules name tenants as operators know them: by name (ids are generated).
    tenant: req.principal?.tenantName ?? req.principal?.tenantId,
    keyId: req.principal?.keyId,
    model: prompt.model,
    promptTokens: estimatePromptTokens(prompt),
    maxTokens: prompt.maxTokens,
    stream: prompt.stream,
    tags: requestTags(req.headers['x-switchyard-tags'], prompt.metadata),
    headers: ruleHeaders(req, headerNames),
    maxLatencyMs: latencyBudget(req),
    pii,
  };
  const onPii = req.principal?.grants?.onPii;
  if (onPii !== undefined) f.onPii = onPii;
  if (prompt.kind === 'embeddings') f.embeddings = true;
  if (prompt.n !== undefined) f.n = prompt.n;
  if (prompt.tools) f.tools = true;
  if (prompt.jsonMode) f.jsonMode = true;
  if (prompt.logprobs) f.logprobs = true;
  if (prompt.images) f.images = true;
  if (prompt.tokenInput) f.tokenInput = true;
  if (unscannable !== undefined && unscannable.length > 0) f.unscannable = unscannable;
  return f;
}

/**
 * The privacy scan and the features of a request, as every inference endpoint reads them; what
 * they found goes to the request's outcome. A model outside the key's allow-list is refused here,
 * as an unknown one (404 model_not_found).
 */
export async function screenRequest(
  placement: PlacementService,
  req: FastifyRequest,
  body: object,
  prompt: PromptView,
  admit?: () => Promise<void>,
): Promise<{ scan: ScanResult | undefined; features: RequestFeatures }> {
  const outcome = req.outcome;
  if (outcome !== undefined) {
    outcome.model = prompt.model;
    outcome.streamed = prompt.stream;
    // The body as the client sent it, in its own dialect (the Anthropic door screens its canonical form).
    if (req.principal?.grants?.capture === true) outcome.capture = { request: req.body };
  }
  // Before the scan: a model the key may not use goes nowhere, so there is nothing to look at.
  assertMayUseModel(req.principal, prompt.model);
  // Limits next: a model the key may not use counts nothing, and a request over its limits is not scanned.
  if (admit !== undefined) await admit();
  const scan = await placement.privacy.scan(body, clientRequestId(req), req.principal?.grants?.onPii);
  const features = requestFeatures(req, prompt, scan?.categories ?? [], placement.engine.ruleHeaders, scan?.unscannable);
  if (outcome !== undefined) {
    outcome.pii = features.pii;
    outcome.tags = features.tags;
    outcome.user = prompt.user;
  }
  return { scan, features };
}
