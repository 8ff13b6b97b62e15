import type { BackendConfig, Protocol } from '@switchyard/contracts';
import type { AdapterFactory, BackendAdapter } from './adapter';
import { anthropicAdapterFactory } from './anthropic/anthropic.adapter';
import { ollamaAdapterFactory } from './ollama/ollama.adapter';
import { openAIAdapterFactory } from './openai/openai.adapter';

/** Every protocol Switchyard speaks. A new protocol is one folder and one line here. */
export const ADAPTERS: readonly AdapterFactory[] = [openAIAdapterFactory, ollamaAdapterFactory, anthropicAdapterFactory];

const byProtocol = new Map<Protocol, AdapterFactory>(ADAPTERS.map((a) => [a.protocol, a]));

export function createAdapter(backend: BackendConfig): BackendAdapter {
  const factory = byProtocol.get(backend.protocol);
  if (!factory) throw new Error(`No adapter for protocol "${backend.protocol}" (backend ${backend.name})`);
  return factory.create(backend);
}
