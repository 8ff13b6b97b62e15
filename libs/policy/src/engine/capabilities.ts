import type { CapabilitiesConfig, Protocol } from '@switchyard/contracts';
import type { RequestFeatures } from './policy.types';

export type Capability = keyof Required<CapabilitiesConfig>;
export type Capabilities = Readonly<Record<Capability, boolean>>;

/**
 * What each protocol's adapter can deliver. Ollama's /api/chat and Anthropic's Messages API
 * answer one choice and no logprobs; tools, JSON mode and images are translated by both.
 * Anthropic serves no embeddings; Ollama's /api/embed takes text only.
 */
export const PROTOCOL_CAPABILITIES: Readonly<Record<Protocol, Capabilities>> = {
  openai: { n: true, tools: true, jsonMode: true, images: true, logprobs: true, embeddings: true, tokenInput: true },
  ollama: { n: false, tools: true, jsonMode: true, images: true, logprobs: false, embeddings: true, tokenInput: false },
  anthropic: { n: false, tools: true, jsonMode: true, images: true, logprobs: false, embeddings: false, tokenInput: false },
};

/** Per capability: whether a request needs it, what to call it, and the request field to blame. */
const NEEDS: readonly { capability: Capability; needed: (f: RequestFeatures) => boolean; label: (f: RequestFeatures) => string; param: string }[] = [
  { capability: 'n', needed: (f) => (f.n ?? 1) > 1, label: (f) => `n=${f.n}`, param: 'n' },
  { capability: 'tools', needed: (f) => f.tools === true, label: () => 'tools', param: 'tools' },
  { capability: 'jsonMode', needed: (f) => f.jsonMode === true, label: () => 'JSON mode', param: 'response_format' },
  { capability: 'images', needed: (f) => f.images === true, label: () => 'image input', param: 'messages' },
  { capability: 'logprobs', needed: (f) => f.logprobs === true, label: () => 'logprobs', param: 'logprobs' },
  { capability: 'embeddings', needed: (f) => f.embeddings === true, label: () => 'embeddings', param: 'model' },
  { capability: 'tokenInput', needed: (f) => f.tokenInput === true, label: () => 'token-id input', param: 'input' },
];

/** What one target can do, and for each capability where that comes from (for the reason a drop gives). */
export interface TargetCapabilities {
  can: Capabilities;
  source: Readonly<Record<Capability, string>>;
}

/** A target's capabilities: its protocol's, then the backend's overrides, then the model entry's. */
export function capabilitiesOf(protocol: Protocol, backend?: CapabilitiesConfig, model?: CapabilitiesConfig): TargetCapabilities {
  const can = { ...PROTOCOL_CAPABILITIES[protocol] };
  const source = {} as Record<Capability, string>;
  for (const k of Object.keys(can) as Capability[]) {
    source[k] = `${protocol} protocol`;
    if (backend?.[k] !== undefined) [can[k], source[k]] = [backend[k], `backend capabilities.${k}: ${backend[k]}`];
    if (model?.[k] !== undefined) [can[k], source[k]] = [model[k], `model capabilities.${k}: ${model[k]}`];
  }
  return { can, source };
}

/** The first thing the request needs that the target lacks, and the request field it comes from; undefined: it can serve it. */
export function missingCapability(caps: TargetCapabilities, f: RequestFeatures): { reason: string; param: string } | undefined {
  for (const need of NEEDS) {
    if (!caps.can[need.capability] && need.needed(f)) return { reason: `cannot serve ${need.label(f)} (${caps.source[need.capability]})`, param: need.param };
  }
  return undefined;
}
