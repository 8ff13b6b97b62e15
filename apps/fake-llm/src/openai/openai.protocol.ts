/** OpenAI's API as fake-llm speaks it: chat completions (JSON and SSE), embeddings, models. */
import type { Exchange } from '../core/exchange';
import { modelRoute, type FakeCore, type WireProtocol } from '../core/protocol';
import { chatFacts, countWords, embeddingFor, embeddingInputs, isObject, MODEL_CREATED_SEC, planCompletion, positiveInt } from '../core/simulation';
import type { Fault } from '../core/types';

export const openaiProtocol: WireProtocol = {
  name: 'openai',
  basePath: '/v1',
  requestIdHeader: 'x-request-id',
  errorBody: (status, message, code, param) => ({ error: { message, type: errorType(status), param: param ?? null, code: code ?? errorCode(status) } }),
  authFailure: (h, key) => (h.authorization !== `Bearer ${key}` ? { message: 'Incorrect API key provided.', code: 'invalid_api_key' } : undefined),
  badJsonMessage: 'We could not parse the JSON body of your request.',
  missingModelMessage: 'model: Field required',
  unknownModel: (model) => ({ message: `The model \`${model}\` does not exist or you do not have access to it.`, code: 'model_not_found' }),
  notFoundMessage: (method, path) => `Invalid URL (${method} ${path})`,
  routes: (core) => [
    { method: 'POST', path: '/v1/chat/completions', json: true, handle: (ex, body, fault) => chat(core, ex, body, fault) },
    { method: 'POST', path: '/v1/embeddings', json: true, handle: (ex, body, fault) => embeddings(core, ex, body, fault) },
    {
      method: 'GET',
      path: '/v1/models',
      json: false,
      handle: (ex, _body, fault) => core.send.ok(ex, { object: 'list', data: core.settings.models.map(modelEntry) }, fault),
    },
    modelRoute(core, '/v1/models/', modelEntry),
  ],
};

async function chat(core: FakeCore, ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
  if (!isObject(body)) return core.send.error(ex, 400, 'Request body must be a JSON object.');
  const model = core.checkModel(ex, body);
  if (model === undefined) return;
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return core.send.error(ex, 400, "Invalid 'messages': expected a non-empty array.", undefined, 'messages');
  }
  const maxTokens = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens);
  const plan = planCompletion(chatFacts(messages, body.tools, body.tool_choice), core.settings.reply, maxTokens);
  const n = core.nextId();
  const id = `chatcmpl-${n}`;
  const created = Math.floor(Date.now() / 1000);
  const finish = plan.tool ? 'tool_calls' : plan.truncated ? 'length' : 'stop';
  const usage = {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
  const callId = `call_${n}`;
  const choices = core.settings.singleChoice ? 1 : (positiveInt(body.n) ?? 1);

  if (body.stream !== true) {
    const message: Record<string, unknown> = plan.tool
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: callId, type: 'function', function: { name: plan.tool.name, arguments: plan.tool.argsJson } }],
        }
      : { role: 'assistant', content: plan.text, refusal: null };
    return core.send.ok(
      ex,
      {
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_fake_llm',
        choices: Array.from({ length: choices }, (_, index) => ({
          index,
          message,
          logprobs: null,
          finish_reason: finish,
        })),
        usage,
      },
      fault,
    );
  }

  const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  const prefix = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_fake_llm","choices":[{"index":0,"delta":`;
  const usageNull = includeUsage ? ',"usage":null' : '';
  const chunk = (delta: unknown, finishReason: string | null, index = 0): string =>
    `data: ${index === 0 ? prefix : prefix.replace('"index":0,', `"index":${index},`)}${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finishReason === null ? 'null' : `"${finishReason}"`}}]${usageNull}}\n\n`;

  const head: string[] = [];
  const frames: string[] = [];
  if (plan.tool) {
    head.push(
      chunk(
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: plan.tool.name, arguments: '' } }],
        },
        null,
      ),
    );
    for (const piece of plan.tool.pieces) frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
  } else {
    head.push(chunk({ role: 'assistant', content: '' }, null));
    for (const tok of plan.tokens) frames.push(chunk({ content: tok }, null));
  }
  // Choices past the first (n > 1) come whole, one chunk each, before the first one's end.
  for (let index = 1; index < choices; index++) {
    const whole = plan.tool
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: plan.tool.name, arguments: plan.tool.argsJson } }],
        }
      : { role: 'assistant', content: plan.text };
    frames.push(chunk(whole, finish, index));
  }
  const tail = [chunk({}, finish)];
  if (includeUsage) {
    tail.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake_llm', choices: [], usage })}\n\n`);
  }
  tail.push('data: [DONE]\n\n');
  return core.send.stream(ex, { contentType: 'text/event-stream; charset=utf-8', head, body: frames, tail }, fault);
}

async function embeddings(core: FakeCore, ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
  if (!isObject(body)) return core.send.error(ex, 400, 'Request body must be a JSON object.');
  const model = core.checkModel(ex, body);
  if (model === undefined) return;
  const inputs = embeddingInputs(body.input);
  if (inputs === undefined) return core.send.error(ex, 400, "Invalid 'input': expected a string or an array.", undefined, 'input');
  const base64 = body.encoding_format === 'base64';
  let words = 0;
  const data = inputs.map((text, index) => {
    words += countWords(text);
    const v = embeddingFor(model, text);
    return { object: 'embedding', index, embedding: base64 ? embeddingBase64(v) : v };
  });
  const tokens = Math.max(1, words);
  return core.send.ok(ex, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, fault);
}

function modelEntry(id: string): Record<string, unknown> {
  return { id, object: 'model', created: MODEL_CREATED_SEC, owned_by: 'fake-llm' };
}

function embeddingBase64(v: number[]): string {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], i * 4);
  return buf.toString('base64');
}

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function errorCode(status: number): string | null {
  if (status === 401) return 'invalid_api_key';
  if (status === 429) return 'rate_limit_exceeded';
  return null;
}
