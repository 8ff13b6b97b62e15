/**
 * fake-llm: a lean, deterministic simulated LLM backend.
 *
 * One instance speaks exactly one wire protocol (OpenAI, native Ollama or Anthropic Messages) over a
 * plain `node:http` server, with configurable latency, streaming cadence and fault injection. Used by
 * unit/e2e tests, the demo and benchmarks. The protocol-free server lives in `core/`; each protocol
 * is one folder (`openai/`, `ollama/`, `anthropic/`), like `libs/adapters`, registered below.
 */
import { FakeLlmServer } from './core/server';
import type { WireProtocol } from './core/protocol';
import type { FakeLlm, FakeLlmOptions } from './core/types';
import { anthropicProtocol } from './anthropic/anthropic.protocol';
import { ollamaProtocol } from './ollama/ollama.protocol';
import { openaiProtocol } from './openai/openai.protocol';

export type { Fault, FaultMode, FakeLlm, FakeLlmOptions, FakeLlmStats, FakeProtocol, RecordedRequest } from './core/types';
export { countWords, embeddingFor, fakeEmbedding, SEMANTIC_EMBED_DIM, semanticEmbedding, tokenizeReply } from './core/simulation';

/** Every protocol fake-llm speaks. A new protocol is one folder and one entry here. */
const PROTOCOLS: readonly WireProtocol[] = [openaiProtocol, ollamaProtocol, anthropicProtocol];

/** Starts a fake LLM backend; resolves once it is listening. */
export async function startFakeLlm(options: FakeLlmOptions): Promise<FakeLlm> {
  const wire = PROTOCOLS.find((p) => p.name === options.protocol);
  if (wire === undefined) throw new Error(`fake-llm: unknown protocol ${JSON.stringify(options.protocol)}`);
  const server = new FakeLlmServer(wire, options);
  await server.listen(options.port ?? 0);
  return server;
}
