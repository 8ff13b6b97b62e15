/** Ollama's native API as fake-llm speaks it: /api/chat (JSON and NDJSON), embeddings, tags, version, `/`. */
import { createHash } from 'node:crypto';
import type { Exchange } from '../core/exchange';
import type { FakeCore, Handler, WireProtocol } from '../core/protocol';
import { chatFacts, countWords, embeddingFor, embeddingInputs, isObject, MODEL_CREATED_ISO, planCompletion, positiveInt } from '../core/simulation';
import type { Fault } from '../core/types';

const OLLAMA_VERSION = '0.9.0';
const NS_PER_MS = 1_000_000;

export const ollamaProtocol: WireProtocol = {
  name: 'ollama',
  basePath: '',
  requestIdHeader: undefined,
  errorBody: (_status, message) => ({ error: message }),
  authFailure: () => undefined, // Ollama has no API keys
  badJsonMessage: 'invalid character in request body',
  missingModelMessage: 'model is required',
  unknownModel: (model) => ({ message: `model "${model}" not found, try pulling it first` }),
  notFoundMessage: (method, path) => `404 page not found: ${method} ${path}`,
  // Ollama treats `name` and `name:latest` as the same model.
  modelAlias: (model) => (model.endsWith(':latest') ? model.slice(0, -7) : `${model}:latest`),
  routes: (core) => {
    const running: Handler<unknown> = (ex, _body, fault) => core.send.text(ex, 'Ollama is running', fault);
    return [
      { method: 'POST', path: '/api/chat', json: true, handle: (ex, body, fault) => chat(core, ex, body, fault) },
      { method: 'POST', path: '/api/embed', json: true, handle: (ex, body, fault) => embed(core, ex, body, fault) },
      {
        method: 'POST',
        path: '/api/embeddings',
        json: true,
        handle: (ex, body, fault) => {
          if (!isObject(body)) return core.send.error(ex, 400, 'invalid request body');
          const model = core.checkModel(ex, body);
          if (model === undefined) return;
          return core.send.ok(ex, { embedding: embeddingFor(model, typeof body.prompt === 'string' ? body.prompt : '') }, fault);
        },
      },
      { method: 'GET', path: '/api/tags', json: false, handle: (ex, _body, fault) => core.send.ok(ex, { models: core.settings.models.map(tagEntry) }, fault) },
      { method: 'GET', path: '/api/version', json: false, handle: (ex, _body, fault) => core.send.ok(ex, { version: OLLAMA_VERSION }, fault) },
      { method: 'GET', path: '/', json: false, handle: running },
      { method: 'HEAD', path: '/', json: false, handle: running },
    ];
  },
};

async function chat(core: FakeCore, ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
  if (!isObject(body)) return core.send.error(ex, 400, 'invalid request body');
  const model = core.checkModel(ex, body);
  if (model === undefined) return;
  const messages = body.messages;
  if (!Array.isArray(messages)) return core.send.error(ex, 400, 'messages is required');
  const options = isObject(body.options) ? body.options : undefined;
  const { reply, ttftMs, interChunkMs } = core.settings;
  const plan = planCompletion(chatFacts(messages, body.tools, undefined), reply, positiveInt(options?.num_predict));
  const createdAt = new Date().toISOString();
  const doneReason = plan.truncated ? 'length' : 'stop';
  const chunks = plan.tool ? 1 : plan.tokens.length;
  const promptNs = Math.max(1, ttftMs) * NS_PER_MS;
  const evalNs = Math.max(1, interChunkMs * Math.max(0, chunks - 1)) * NS_PER_MS;
  const loadNs = 1_000_000;
  const stats = {
    total_duration: loadNs + promptNs + evalNs,
    load_duration: loadNs,
    prompt_eval_count: plan.promptTokens,
    prompt_eval_duration: promptNs,
    eval_count: plan.completionTokens,
    eval_duration: evalNs,
  };
  const toolCalls = plan.tool ? [{ function: { name: plan.tool.name, arguments: plan.tool.args } }] : undefined;

  if (body.stream === false) {
    const message: Record<string, unknown> = { role: 'assistant', content: plan.text };
    if (toolCalls) message.tool_calls = toolCalls;
    return core.send.ok(ex, { model, created_at: createdAt, message, done_reason: doneReason, done: true, ...stats }, fault);
  }

  const prefix = `{"model":${JSON.stringify(model)},"created_at":"${createdAt}","message":`;
  const frames: string[] = [];
  if (toolCalls) {
    frames.push(`${prefix}${JSON.stringify({ role: 'assistant', content: '', tool_calls: toolCalls })},"done":false}\n`);
  } else {
    for (const tok of plan.tokens) frames.push(`${prefix}{"role":"assistant","content":${JSON.stringify(tok)}},"done":false}\n`);
  }
  const last = `${JSON.stringify({
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: '' },
    done_reason: doneReason,
    done: true,
    ...stats,
  })}\n`;
  return core.send.stream(ex, { contentType: 'application/x-ndjson', head: [], body: frames, tail: [last] }, fault);
}

async function embed(core: FakeCore, ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
  if (!isObject(body)) return core.send.error(ex, 400, 'invalid request body');
  const model = core.checkModel(ex, body);
  if (model === undefined) return;
  const inputs = embeddingInputs(body.input);
  if (inputs === undefined) return core.send.error(ex, 400, 'invalid input type');
  let words = 0;
  const embeddings = inputs.map((t) => {
    words += countWords(t);
    return embeddingFor(model, t);
  });
  return core.send.ok(ex, { model, embeddings, total_duration: 2_000_000, load_duration: 1_000_000, prompt_eval_count: Math.max(1, words) }, fault);
}

function tagEntry(name: string): Record<string, unknown> {
  return {
    name,
    model: name,
    modified_at: MODEL_CREATED_ISO,
    size: 1_000_000,
    digest: createHash('sha256').update(name).digest('hex'),
    details: {
      parent_model: '',
      format: 'gguf',
      family: 'fake',
      families: ['fake'],
      parameter_size: '1M',
      quantization_level: 'F16',
    },
  };
}
