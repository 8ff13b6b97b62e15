/** Anthropic's Messages API as fake-llm speaks it: messages (JSON and SSE events), count_tokens, models. */
import type { Exchange } from '../core/exchange';
import { modelRoute, type FakeCore, type WireProtocol } from '../core/protocol';
import { countWords, isObject, MODEL_CREATED_ISO, planCompletion, positiveInt, tallyMessages, textOf, type ConversationFacts } from '../core/simulation';
import type { Fault } from '../core/types';

export const anthropicProtocol: WireProtocol = {
  name: 'anthropic',
  basePath: '',
  requestIdHeader: 'request-id',
  errorBody: (status, message) => ({ type: 'error', error: { type: errorType(status), message } }),
  authFailure: (h, key) => {
    // Recent official SDKs send the key as `Authorization: Bearer`; the API accepts both.
    if (h['x-api-key'] !== key && h.authorization !== `Bearer ${key}`) return { message: 'invalid x-api-key' };
    if (!h['anthropic-version']) return { message: 'anthropic-version: header is required' };
    return undefined;
  },
  badJsonMessage: 'We could not parse the JSON body of your request.',
  missingModelMessage: 'model: Field required',
  unknownModel: (model) => ({ message: `model: ${model}` }),
  notFoundMessage: () => 'Not Found',
  routes: (core) => [
    { method: 'POST', path: '/v1/messages', json: true, handle: (ex, body, fault) => messages(core, ex, body, fault) },
    {
      method: 'POST',
      path: '/v1/messages/count_tokens',
      json: true,
      handle: (ex, body, fault) => {
        const v = validate(core, ex, body, false);
        if (v === undefined) return;
        return core.send.ok(ex, { input_tokens: facts(v.body).promptTokens }, fault);
      },
    },
    {
      method: 'GET',
      path: '/v1/models',
      json: false,
      handle: (ex, _body, fault) => {
        const models = core.settings.models;
        const data = models.map(modelEntry);
        return core.send.ok(
          ex,
          { data, has_more: false, first_id: data.length ? models[0] : null, last_id: data.length ? models[models.length - 1] : null },
          fault,
        );
      },
    },
    modelRoute(core, '/v1/models/', modelEntry),
  ],
};

function validate(core: FakeCore, ex: Exchange, body: unknown, needMaxTokens: boolean): { body: Record<string, unknown>; model: string } | undefined {
  if (!isObject(body)) {
    void core.send.error(ex, 400, 'Request body must be a JSON object.');
    return undefined;
  }
  const model = core.checkModel(ex, body);
  if (model === undefined) return undefined;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    void core.send.error(ex, 400, 'messages: Field required');
    return undefined;
  }
  if (needMaxTokens && positiveInt(body.max_tokens) === undefined) {
    void core.send.error(ex, 400, 'max_tokens: Field required');
    return undefined;
  }
  return { body, model };
}

async function messages(core: FakeCore, ex: Exchange, raw: unknown, fault: Fault | undefined): Promise<void> {
  const v = validate(core, ex, raw, true);
  if (v === undefined) return;
  const { body, model } = v;
  const plan = planCompletion(facts(body), core.settings.reply, positiveInt(body.max_tokens));
  const n = core.nextId();
  const id = `msg_${n}`;
  const stopReason = plan.tool ? 'tool_use' : plan.truncated ? 'max_tokens' : 'end_turn';
  const toolId = `toolu_${n}`;

  if (body.stream !== true) {
    const content = plan.tool ? [{ type: 'tool_use', id: toolId, name: plan.tool.name, input: plan.tool.args }] : [{ type: 'text', text: plan.text }];
    return core.send.ok(
      ex,
      {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { input_tokens: plan.promptTokens, output_tokens: plan.completionTokens },
      },
      fault,
    );
  }

  const sse = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  const head = [
    sse('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: plan.promptTokens, output_tokens: 1 },
      },
    }),
    sse('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: plan.tool ? { type: 'tool_use', id: toolId, name: plan.tool.name, input: {} } : { type: 'text', text: '' },
    }),
    'event: ping\ndata: {"type":"ping"}\n\n',
  ];
  const frames: string[] = [];
  if (plan.tool) {
    for (const piece of plan.tool.pieces) {
      frames.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: piece } }));
    }
  } else {
    for (const tok of plan.tokens) {
      frames.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: tok } }));
    }
  }
  const tail = [
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: plan.completionTokens },
    }),
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ];
  return core.send.stream(ex, { contentType: 'text/event-stream; charset=utf-8', head, body: frames, tail }, fault);
}

/** Anthropic's conversation: `system` apart, tool results as user-message blocks, tools[].name. */
function facts(body: Record<string, unknown>): ConversationFacts {
  const messages = body.messages as unknown[];
  // A user message carrying tool results is not the user's own turn.
  const { words, lastUserText } = tallyMessages(messages, (m) => m.role === 'user' && !hasToolResult(m.content));
  const last = messages[messages.length - 1];
  let toolResult: string | undefined;
  let toolName: string | undefined;
  if (isObject(last) && last.role === 'user') {
    if (hasToolResult(last.content)) {
      const parts: string[] = [];
      for (const b of last.content as unknown[]) {
        if (isObject(b) && b.type === 'tool_result') parts.push(textOf(b.content));
      }
      toolResult = parts.join(' ');
    } else {
      const tools = body.tools;
      const choice = isObject(body.tool_choice) ? body.tool_choice : undefined;
      if (Array.isArray(tools) && tools.length > 0 && choice?.type !== 'none') {
        if (choice?.type === 'tool' && typeof choice.name === 'string') toolName = choice.name;
        else if (isObject(tools[0]) && typeof tools[0].name === 'string') toolName = tools[0].name;
      }
    }
  }
  return { promptTokens: Math.max(1, countWords(textOf(body.system)) + words), lastUserText, toolResult, toolName };
}

function hasToolResult(content: unknown): boolean {
  if (!Array.isArray(content)) return false;
  for (const b of content) if (isObject(b) && b.type === 'tool_result') return true;
  return false;
}

function modelEntry(id: string): Record<string, unknown> {
  return { type: 'model', id, display_name: id, created_at: MODEL_CREATED_ISO };
}

function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
