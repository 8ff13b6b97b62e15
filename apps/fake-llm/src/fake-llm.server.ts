/**
 * fake-llm: a lean, deterministic simulated LLM backend.
 *
 * One instance speaks exactly one wire protocol (OpenAI, native Ollama or Anthropic Messages) over a
 * plain `node:http` server, with configurable latency, streaming cadence and fault injection. Used by
 * unit/e2e tests, the demo and benchmarks (where it is the throughput floor, so the hot path avoids
 * per-request allocations beyond what the response itself needs).
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeProtocol = 'openai' | 'ollama' | 'anthropic';

export type FaultMode =
  | 'none'
  /** respond immediately with `status` (default 500) in the protocol's error shape; 429 adds `retry-after`. */
  | 'error'
  /** accept the request, never send headers (until the client goes away or the server closes). */
  | 'timeout'
  /** destroy the socket without any response. */
  | 'reset'
  /** streaming: send `afterChunks` (default 2) content chunks then destroy the socket; non-streaming: like 'reset'. */
  | 'midstream'
  /** streaming: send headers + first chunk then stop sending anything (stay open); non-streaming: headers only. */
  | 'stall'
  /** answer `status` (default 200) with `headers` and `body` as given, whatever was asked; `padBytes` of `x` follow `body`, then `bodyEnd`. */
  | 'raw';

export interface Fault {
  mode: FaultMode;
  status?: number;
  message?: string;
  retryAfterSec?: number;
  afterChunks?: number;
  /** 'error' mode: append the API key the request carried to the message, as careless providers do. */
  echoKey?: boolean;
  /** Apply to the next N requests only, then clear. Default: unlimited. */
  times?: number;
  /** 'raw': response headers (default none), body text, padding size and closing text. */
  headers?: Record<string, string>;
  body?: string;
  padBytes?: number;
  bodyEnd?: string;
}

export interface FakeLlmOptions {
  protocol: FakeProtocol;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default ['fake-model']. Any other model gets a 404 in the protocol's error shape. */
  models?: string[];
  /** Added before the response headers of non-streaming responses. Default 0. */
  latencyMs?: number;
  /** Delay before the first streamed chunk. Default 0. */
  ttftMs?: number;
  /** Delay between streamed chunks. Default 0. */
  interChunkMs?: number;
  /** Fixed reply text. Default: `Echo: <text of the last user message>`. */
  reply?: string;
  /** OpenAI: answer one choice whatever `n` asks, as some OpenAI-compatible servers do. Default: `n` choices. */
  singleChoice?: boolean;
  /**
   * OpenAI: `Authorization: Bearer <key>`; Anthropic: `x-api-key: <key>` (or `Authorization: Bearer <key>`, which
   * recent official SDKs send) plus an `anthropic-version` header. Ollama: not checked. Wrong/missing -> 401.
   */
  requireApiKey?: string;
  fault?: Fault;
  /** Keep only the most recent N recorded requests (drops the oldest). Default: unlimited. */
  maxRecordedRequests?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined (no body / not JSON). */
  body: unknown;
  /** The body as received (utf-8), or undefined when there was none. */
  text?: string;
  at: number;
}

export interface FakeLlmStats {
  requests: number;
  aborted: number;
  completed: number;
  inFlight: number;
}

export interface FakeLlm {
  readonly protocol: FakeProtocol;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** openai `${origin}/v1`, ollama `${origin}`, anthropic `${origin}` */
  readonly baseUrl: string;
  /** Every request received (including /_fake and health/model-list calls), in order. */
  readonly requests: RecordedRequest[];
  /** Snapshot of the counters (a fresh object per read). /_fake/* calls are not counted. */
  readonly stats: FakeLlmStats;
  setFault(fault: Fault | undefined): void;
  setOptions(patch: Partial<Pick<FakeLlmOptions, 'latencyMs' | 'ttftMs' | 'interChunkMs' | 'reply' | 'models'>>): void;
  /** Resolves once an abort happened that no earlier waitForAbort() has consumed (rejects after timeoutMs, default 5000). */
  waitForAbort(timeoutMs?: number): Promise<void>;
  /** Clears recorded requests, stats counters (not the live inFlight gauge) and the fault. */
  reset(): void;
  /** Closes the server and destroys open sockets (so stalled/timeout requests end). */
  close(): Promise<void>;
}

const FAULT_MODES: ReadonlySet<string> = new Set(['none', 'error', 'timeout', 'reset', 'midstream', 'stall', 'raw']);
const PAD = 'x'.repeat(64 * 1024);
const EMBED_DIM = 8;
const OLLAMA_VERSION = '0.9.0';
const MODEL_CREATED_SEC = 1_700_000_000;
const MODEL_CREATED_ISO = new Date(MODEL_CREATED_SEC * 1000).toISOString();
const NS_PER_MS = 1_000_000;

const SSE_HEADERS_BASE = { 'cache-control': 'no-cache' } as const;

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for reuse by tests/benchmarks that want to predict the fake's output)
// ---------------------------------------------------------------------------------------------

/** Splits text on word boundaries keeping the leading whitespace with each word: "Echo:", " hello", " world". */
export function tokenizeReply(text: string): string[] {
  const out: string[] = text.match(/\s*\S+/g) ?? [];
  let len = 0;
  for (let i = 0; i < out.length; i++) len += out[i].length;
  if (len < text.length) {
    const rest = text.slice(len);
    if (out.length > 0) out[out.length - 1] += rest;
    else out.push(rest);
  }
  return out;
}

/** Number of whitespace-separated words. */
export function countWords(text: string): number {
  const m = text.match(/\S+/g);
  return m === null ? 0 : m.length;
}

/** Deterministic unit-length 8-dim embedding derived from a SHA-256 of the text (values are float32-exact). */
export function fakeEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  const v = new Array<number>(EMBED_DIM);
  let norm = 0;
  for (let i = 0; i < EMBED_DIM; i++) {
    const x = digest.readUInt32LE(i * 4) / 0xffffffff - 0.5;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < EMBED_DIM; i++) v[i] = Math.fround(v[i] / norm);
  return v;
}

function embeddingBase64(v: number[]): string {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], i * 4);
  return buf.toString('base64');
}

/** Text of a message `content`: string, or an array of parts/blocks (text parts, Anthropic tool_result blocks). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (part === null || typeof part !== 'object') {
      if (typeof part === 'string') out = out ? `${out} ${part}` : part;
      continue;
    }
    const p = part as Record<string, unknown>;
    let t: string | undefined;
    if (typeof p.text === 'string') t = p.text;
    else if (p.type === 'tool_result') t = textOf(p.content);
    if (t !== undefined && t !== '') out = out ? `${out} ${t}` : t;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined;
}

/** Splits a string into `max(2, ceil(len/12))` roughly equal pieces (at least 2 when len >= 2). */
function splitPieces(s: string): string[] {
  const count = Math.max(2, Math.ceil(s.length / 12));
  const size = Math.max(1, Math.ceil(s.length / count));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Completion planning (protocol-independent)
// ---------------------------------------------------------------------------------------------

interface ToolCallPlan {
  name: string;
  args: { input: string };
  argsJson: string;
  pieces: string[];
}

interface CompletionPlan {
  promptTokens: number;
  /** Text tokens (already truncated). Empty array for tool calls. */
  tokens: string[];
  text: string;
  truncated: boolean;
  tool: ToolCallPlan | undefined;
  completionTokens: number;
}

interface ConversationFacts {
  promptTokens: number;
  lastUserText: string;
  /** set when the last message is a tool result */
  toolResult: string | undefined;
  /** set when tools are offered (and allowed) and the last message is a plain user message */
  toolName: string | undefined;
}

function planCompletion(facts: ConversationFacts, reply: string | undefined, maxTokens: number | undefined): CompletionPlan {
  if (facts.toolName !== undefined) {
    const args = { input: facts.lastUserText };
    const argsJson = JSON.stringify(args);
    const pieces = splitPieces(argsJson);
    return {
      promptTokens: facts.promptTokens,
      tokens: [],
      text: '',
      truncated: false,
      tool: { name: facts.toolName, args, argsJson, pieces },
      completionTokens: pieces.length,
    };
  }
  const full = facts.toolResult !== undefined ? `Tool said: ${facts.toolResult}` : reply !== undefined ? reply : `Echo: ${facts.lastUserText}`;
  let tokens = tokenizeReply(full);
  let truncated = false;
  if (maxTokens !== undefined && tokens.length > maxTokens) {
    tokens = tokens.slice(0, maxTokens);
    truncated = true;
  }
  return {
    promptTokens: facts.promptTokens,
    tokens,
    text: truncated ? tokens.join('') : full,
    truncated,
    tool: undefined,
    completionTokens: tokens.length,
  };
}

/** OpenAI and Ollama share the message shape: {role, content}, role 'tool' for tool results, tools[].function.name. */
function chatFacts(messages: unknown[], tools: unknown, toolChoice: unknown): ConversationFacts {
  let words = 0;
  let lastUserText = '';
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isObject(m)) continue;
    const t = textOf(m.content);
    words += countWords(t);
    if (m.role === 'user') lastUserText = t;
  }
  const last = messages[messages.length - 1];
  const lastRole = isObject(last) ? last.role : undefined;
  let toolName: string | undefined;
  if (lastRole === 'user' && Array.isArray(tools) && tools.length > 0 && toolChoice !== 'none') {
    if (isObject(toolChoice) && isObject(toolChoice.function) && typeof toolChoice.function.name === 'string') {
      toolName = toolChoice.function.name;
    } else {
      const first: unknown = tools[0];
      if (isObject(first)) {
        if (isObject(first.function) && typeof first.function.name === 'string') toolName = first.function.name;
        else if (typeof first.name === 'string') toolName = first.name;
      }
    }
  }
  return {
    promptTokens: Math.max(1, words),
    lastUserText,
    toolResult: lastRole === 'tool' && isObject(last) ? textOf(last.content) : undefined,
    toolName,
  };
}

function anthropicFacts(body: Record<string, unknown>): ConversationFacts {
  const messages = body.messages as unknown[];
  let words = countWords(textOf(body.system));
  let lastUserText = '';
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isObject(m)) continue;
    const t = textOf(m.content);
    words += countWords(t);
    if (m.role === 'user' && !hasToolResult(m.content)) lastUserText = t;
  }
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
  return { promptTokens: Math.max(1, words), lastUserText, toolResult, toolName };
}

function hasToolResult(content: unknown): boolean {
  if (!Array.isArray(content)) return false;
  for (const b of content) if (isObject(b) && b.type === 'tool_result') return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Per-request exchange: abort tracking, cancellable waits, backpressure
// ---------------------------------------------------------------------------------------------

class Exchange {
  closed = false;
  /** The server destroyed the socket on purpose (fault); not an abort. */
  killed = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly owner: FakeLlmServer,
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    readonly counted: boolean,
  ) {}

  /** Bound once per exchange; resolves the pending wait (timer or drain). */
  readonly fire = (): void => {
    this.timer = undefined;
    const w = this.wake;
    this.wake = undefined;
    if (w !== undefined) w();
  };

  readonly onClose = (): void => {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.res.removeListener('drain', this.fire);
    this.fire();
    if (this.counted) this.owner.exchangeClosed(this);
  };

  wait(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(this.fire, ms);
    });
  }

  drain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.res.once('drain', this.fire);
    });
  }

  /** Write honouring backpressure; resolves false when the exchange closed meanwhile. */
  async write(s: string): Promise<boolean> {
    if (this.closed) return false;
    if (!this.res.write(s)) await this.drain();
    return !this.closed;
  }

  /** Destroy the connection without (further) response. `rst` sends a TCP reset when possible. */
  kill(rst: boolean): void {
    if (this.closed) return;
    this.killed = true;
    const sock = this.req.socket;
    // Let corked/queued bytes reach the kernel first (http corks writes until the next tick).
    setImmediate(() => {
      if (sock.destroyed) return;
      if (sock.writableLength > 0) sock.once('drain', () => sock.destroy());
      else if (rst && typeof sock.resetAndDestroy === 'function') sock.resetAndDestroy();
      else sock.destroy();
    });
  }
}

interface StreamFrames {
  contentType: string;
  head: string[];
  body: string[];
  tail: string[];
}

interface AbortWaiter {
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

class FakeLlmServer implements FakeLlm {
  readonly protocol: FakeProtocol;
  readonly requests: RecordedRequest[] = [];
  port = 0;
  origin = '';
  baseUrl = '';

  private readonly server: http.Server;
  private readonly host: string;
  private readonly requireApiKey: string | undefined;
  private readonly maxRecorded: number;
  private models: string[];
  private modelSet: Set<string>;
  private latencyMs: number;
  private ttftMs: number;
  private interChunkMs: number;
  private reply: string | undefined;
  private readonly singleChoice: boolean;
  private fault: Fault | undefined;
  private faultRemaining = Infinity;
  private seq = 0;
  private closing = false;
  private closed: Promise<void> | undefined;

  private nRequests = 0;
  private nAborted = 0;
  private nCompleted = 0;
  private nInFlight = 0;
  private abortsSeen = 0;
  private abortWaiters: AbortWaiter[] = [];

  constructor(opts: FakeLlmOptions) {
    if (opts.protocol !== 'openai' && opts.protocol !== 'ollama' && opts.protocol !== 'anthropic') {
      throw new Error(`fake-llm: unknown protocol ${JSON.stringify(opts.protocol)}`);
    }
    this.protocol = opts.protocol;
    this.host = opts.host ?? '127.0.0.1';
    this.requireApiKey = opts.requireApiKey;
    this.maxRecorded = opts.maxRecordedRequests !== undefined && opts.maxRecordedRequests >= 0 ? opts.maxRecordedRequests : Infinity;
    this.models = opts.models && opts.models.length > 0 ? [...opts.models] : ['fake-model'];
    this.modelSet = new Set(this.models);
    this.latencyMs = opts.latencyMs ?? 0;
    this.ttftMs = opts.ttftMs ?? 0;
    this.interChunkMs = opts.interChunkMs ?? 0;
    this.reply = opts.reply;
    this.singleChoice = opts.singleChoice === true;
    this.setFault(opts.fault);
    this.server = http.createServer((req, res) => this.onRequest(req, res));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.removeListener('error', onError);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.port = addr.port;
    let h = this.host;
    if (h === '0.0.0.0' || h === '' || h === '::') h = '127.0.0.1';
    else if (h.includes(':')) h = `[${h}]`;
    this.origin = `http://${h}:${this.port}`;
    this.baseUrl = this.protocol === 'openai' ? `${this.origin}/v1` : this.origin;
  }

  // ---- public API ----------------------------------------------------------------------------

  get stats(): FakeLlmStats {
    return { requests: this.nRequests, aborted: this.nAborted, completed: this.nCompleted, inFlight: this.nInFlight };
  }

  setFault(fault: Fault | undefined): void {
    if (fault === undefined || fault === null || fault.mode === 'none' || (fault.times !== undefined && fault.times <= 0)) {
      this.fault = undefined;
      this.faultRemaining = Infinity;
      return;
    }
    if (!FAULT_MODES.has(fault.mode)) throw new Error(`fake-llm: unknown fault mode ${JSON.stringify(fault.mode)}`);
    this.fault = { ...fault };
    this.faultRemaining = fault.times ?? Infinity;
  }

  setOptions(patch: Partial<Pick<FakeLlmOptions, 'latencyMs' | 'ttftMs' | 'interChunkMs' | 'reply' | 'models'>>): void {
    if (patch.latencyMs !== undefined) this.latencyMs = patch.latencyMs;
    if (patch.ttftMs !== undefined) this.ttftMs = patch.ttftMs;
    if (patch.interChunkMs !== undefined) this.interChunkMs = patch.interChunkMs;
    if ('reply' in patch) this.reply = patch.reply;
    if (patch.models !== undefined && patch.models.length > 0) {
      this.models = [...patch.models];
      this.modelSet = new Set(this.models);
    }
  }

  waitForAbort(timeoutMs = 5000): Promise<void> {
    if (this.nAborted > this.abortsSeen) {
      this.abortsSeen = this.nAborted;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: AbortWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.abortWaiters.indexOf(waiter);
          if (i >= 0) this.abortWaiters.splice(i, 1);
          reject(new Error(`fake-llm: no aborted request within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.abortWaiters.push(waiter);
    });
  }

  reset(): void {
    this.requests.length = 0;
    this.nRequests = 0;
    this.nAborted = 0;
    this.nCompleted = 0;
    this.abortsSeen = 0;
    this.setFault(undefined);
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    const waiters = this.abortWaiters;
    this.abortWaiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('fake-llm: server closed'));
    }
    this.closed = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closed;
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  /** Called once per counted exchange when its response closes (finished, aborted or killed). */
  exchangeClosed(ex: Exchange): void {
    this.nInFlight--;
    if (ex.res.writableFinished) {
      this.nCompleted++;
    } else if (!ex.killed && !this.closing) {
      this.nAborted++;
      if (this.abortWaiters.length > 0) {
        this.abortsSeen = this.nAborted;
        const waiters = this.abortWaiters;
        this.abortWaiters = [];
        for (const w of waiters) {
          clearTimeout(w.timer);
          w.resolve();
        }
      }
    }
  }

  private takeFault(): Fault | undefined {
    const f = this.fault;
    if (f === undefined) return undefined;
    if (--this.faultRemaining <= 0) {
      this.fault = undefined;
      this.faultRemaining = Infinity;
    }
    return f;
  }

  private record(req: http.IncomingMessage, path: string, body: unknown, text: string | undefined, at: number): void {
    if (this.maxRecorded === 0) return;
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, text, at });
    if (this.requests.length > this.maxRecorded) this.requests.shift();
  }

  // ---- request entry -------------------------------------------------------------------------

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const at = Date.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const control = path === '/_fake' || path.startsWith('/_fake/');
    const ex = new Exchange(this, req, res, !control);
    if (!control) {
      this.nRequests++;
      this.nInFlight++;
    }
    res.once('close', ex.onClose);

    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      let body: unknown;
      let badJson = false;
      let raw: string | undefined;
      if (chunks.length > 0) {
        raw = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
        if (raw.trim() !== '') {
          try {
            body = JSON.parse(raw);
          } catch {
            badJson = true;
          }
        }
      }
      this.record(req, path, body, raw, at);
      const done = control ? this.handleControl(ex, path, body, badJson) : this.handle(ex, path, body, badJson);
      done.catch((e: unknown) => this.internalError(ex, e));
    });
  }

  private internalError(ex: Exchange, e: unknown): void {
    if (ex.closed) return;
    if (ex.res.headersSent) {
      ex.kill(false);
      return;
    }
    void this.sendError(ex, 500, `fake-llm internal error: ${e instanceof Error ? e.message : String(e)}`);
  }

  // ---- control API ---------------------------------------------------------------------------

  private async handleControl(ex: Exchange, path: string, body: unknown, badJson: boolean): Promise<void> {
    const method = ex.req.method;
    if (method === 'GET' && path === '/_fake/stats') return this.sendJson(ex, 200, this.stats);
    if (method === 'GET' && path === '/_fake/requests') return this.sendJson(ex, 200, this.requests);
    if (method === 'GET' && path === '/_fake/fault') return this.sendJson(ex, 200, this.fault ?? { mode: 'none' });
    if (method === 'POST' && path === '/_fake/reset') {
      this.reset();
      return this.sendJson(ex, 200, { ok: true });
    }
    if (method === 'POST' && path === '/_fake/fault') {
      if (badJson || !isObject(body) || typeof body.mode !== 'string' || !FAULT_MODES.has(body.mode)) {
        return this.sendJson(ex, 400, { error: `invalid fault; mode must be one of ${[...FAULT_MODES].join(', ')}` });
      }
      this.setFault(body as unknown as Fault);
      return this.sendJson(ex, 200, { ok: true, fault: this.fault ?? { mode: 'none' } });
    }
    if (method === 'POST' && path === '/_fake/options') {
      if (badJson || !isObject(body)) return this.sendJson(ex, 400, { error: 'invalid options' });
      this.setOptions(body);
      return this.sendJson(ex, 200, { ok: true });
    }
    return this.sendJson(ex, 404, { error: `unknown control endpoint ${method} ${path}` });
  }

  // ---- protocol dispatch ---------------------------------------------------------------------

  private async handle(ex: Exchange, path: string, body: unknown, badJson: boolean): Promise<void> {
    const fault = this.takeFault();
    if (fault !== undefined) {
      switch (fault.mode) {
        case 'error': {
          const status = fault.status ?? 500;
          const message = fault.message ?? `Simulated ${status} error from fake-llm`;
          return this.sendError(ex, status, fault.echoKey ? `${message} (key: ${presentedKey(ex.req.headers)})` : message, undefined, undefined, fault);
        }
        case 'timeout':
          return; // never answer; the exchange ends when the client leaves or the server closes
        case 'reset':
          return ex.kill(true);
        case 'raw':
          return this.sendRaw(ex, fault);
        default:
          break; // midstream / stall are applied by the response writers
      }
    }
    const method = ex.req.method;
    switch (this.protocol) {
      case 'openai':
        if (method === 'POST' && path === '/v1/chat/completions') return this.guarded(ex, body, badJson, fault, this.openaiChat);
        if (method === 'POST' && path === '/v1/embeddings') return this.guarded(ex, body, badJson, fault, this.openaiEmbeddings);
        if (method === 'GET' && path === '/v1/models') return this.guarded(ex, body, false, fault, this.openaiModels);
        if (method === 'GET' && path.startsWith('/v1/models/')) return this.guarded(ex, path.slice(11), false, fault, this.openaiModel);
        return this.sendError(ex, 404, `Invalid URL (${method} ${path})`);
      case 'anthropic':
        if (method === 'POST' && path === '/v1/messages') return this.guarded(ex, body, badJson, fault, this.anthropicMessages);
        if (method === 'POST' && path === '/v1/messages/count_tokens') return this.guarded(ex, body, badJson, fault, this.anthropicCount);
        if (method === 'GET' && path === '/v1/models') return this.guarded(ex, body, false, fault, this.anthropicModels);
        if (method === 'GET' && path.startsWith('/v1/models/')) return this.guarded(ex, path.slice(11), false, fault, this.anthropicModel);
        return this.sendError(ex, 404, 'Not Found');
      case 'ollama':
        if (method === 'POST' && path === '/api/chat') return this.guarded(ex, body, badJson, fault, this.ollamaChat);
        if (method === 'POST' && path === '/api/embed') return this.guarded(ex, body, badJson, fault, this.ollamaEmbed);
        if (method === 'POST' && path === '/api/embeddings') return this.guarded(ex, body, badJson, fault, this.ollamaEmbeddingsLegacy);
        if (method === 'GET' && path === '/api/tags') return this.guarded(ex, body, false, fault, this.ollamaTags);
        if (method === 'GET' && path === '/api/version') return this.sendOk(ex, { version: OLLAMA_VERSION }, fault);
        if ((method === 'GET' || method === 'HEAD') && path === '/') return this.sendText(ex, 'Ollama is running', fault);
        return this.sendError(ex, 404, `404 page not found: ${method} ${path}`);
    }
  }

  /** Auth + JSON checks common to every protocol route, then the handler. */
  private guarded<T>(
    ex: Exchange,
    arg: T,
    badJson: boolean,
    fault: Fault | undefined,
    handler: (ex: Exchange, arg: T, fault: Fault | undefined) => Promise<void>,
  ): Promise<void> {
    const key = this.requireApiKey;
    if (key !== undefined) {
      const h = ex.req.headers;
      if (this.protocol === 'openai' && h.authorization !== `Bearer ${key}`) {
        return this.sendError(ex, 401, 'Incorrect API key provided.', 'invalid_api_key');
      }
      if (this.protocol === 'anthropic') {
        // Recent official SDKs send the key as `Authorization: Bearer`; the API accepts both.
        if (h['x-api-key'] !== key && h.authorization !== `Bearer ${key}`) return this.sendError(ex, 401, 'invalid x-api-key');
        if (!h['anthropic-version']) return this.sendError(ex, 401, 'anthropic-version: header is required');
      }
    }
    if (badJson) {
      return this.sendError(ex, 400, this.protocol === 'ollama' ? 'invalid character in request body' : 'We could not parse the JSON body of your request.');
    }
    return handler.call(this, ex, arg, fault);
  }

  /** Validates `model`; sends the protocol's 400/404 and returns undefined when unusable. */
  private checkModel(ex: Exchange, body: Record<string, unknown>): string | undefined {
    const model = body.model;
    if (typeof model !== 'string' || model === '') {
      void this.sendError(ex, 400, this.protocol === 'ollama' ? 'model is required' : 'model: Field required', undefined, 'model');
      return undefined;
    }
    if (!this.hasModel(model)) {
      const msg =
        this.protocol === 'ollama'
          ? `model "${model}" not found, try pulling it first`
          : this.protocol === 'openai'
            ? `The model \`${model}\` does not exist or you do not have access to it.`
            : `model: ${model}`;
      void this.sendError(ex, 404, msg, this.protocol === 'openai' ? 'model_not_found' : undefined, 'model');
      return undefined;
    }
    return model;
  }

  private hasModel(model: string): boolean {
    if (this.modelSet.has(model)) return true;
    if (this.protocol === 'ollama') {
      // Ollama treats `name` and `name:latest` as the same model.
      if (model.endsWith(':latest')) return this.modelSet.has(model.slice(0, -7));
      return this.modelSet.has(`${model}:latest`);
    }
    return false;
  }

  private nextId(): number {
    return ++this.seq;
  }

  // ---- OpenAI --------------------------------------------------------------------------------

  private async openaiChat(ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
    if (!isObject(body)) return this.sendError(ex, 400, 'Request body must be a JSON object.');
    const model = this.checkModel(ex, body);
    if (model === undefined) return;
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return this.sendError(ex, 400, "Invalid 'messages': expected a non-empty array.", undefined, 'messages');
    }
    const maxTokens = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens);
    const plan = planCompletion(chatFacts(messages, body.tools, body.tool_choice), this.reply, maxTokens);
    const n = this.nextId();
    const id = `chatcmpl-${n}`;
    const created = Math.floor(Date.now() / 1000);
    const finish = plan.tool ? 'tool_calls' : plan.truncated ? 'length' : 'stop';
    const usage = {
      prompt_tokens: plan.promptTokens,
      completion_tokens: plan.completionTokens,
      total_tokens: plan.promptTokens + plan.completionTokens,
    };
    const callId = `call_${n}`;

    if (body.stream !== true) {
      const message: Record<string, unknown> = plan.tool
        ? {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [{ id: callId, type: 'function', function: { name: plan.tool.name, arguments: plan.tool.argsJson } }],
          }
        : { role: 'assistant', content: plan.text, refusal: null };
      return this.sendOk(
        ex,
        {
          id,
          object: 'chat.completion',
          created,
          model,
          system_fingerprint: 'fp_fake_llm',
          choices: Array.from({ length: this.singleChoice ? 1 : (positiveInt(body.n) ?? 1) }, (_, index) => ({
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
    const choices = this.singleChoice ? 1 : (positiveInt(body.n) ?? 1);
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
    return this.stream(ex, { contentType: 'text/event-stream; charset=utf-8', head, body: frames, tail }, fault);
  }

  private async openaiEmbeddings(ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
    if (!isObject(body)) return this.sendError(ex, 400, 'Request body must be a JSON object.');
    const model = this.checkModel(ex, body);
    if (model === undefined) return;
    const inputs = embeddingInputs(body.input);
    if (inputs === undefined) return this.sendError(ex, 400, "Invalid 'input': expected a string or an array.", undefined, 'input');
    const base64 = body.encoding_format === 'base64';
    let words = 0;
    const data = inputs.map((text, index) => {
      words += countWords(text);
      const v = fakeEmbedding(text);
      return { object: 'embedding', index, embedding: base64 ? embeddingBase64(v) : v };
    });
    const tokens = Math.max(1, words);
    return this.sendOk(ex, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, fault);
  }

  private async openaiModels(ex: Exchange, _body: unknown, fault: Fault | undefined): Promise<void> {
    return this.sendOk(ex, { object: 'list', data: this.models.map((id) => this.openaiModelEntry(id)) }, fault);
  }

  private async openaiModel(ex: Exchange, id: string, fault: Fault | undefined): Promise<void> {
    const model = decodeURIComponent(id);
    if (!this.hasModel(model)) {
      return this.sendError(ex, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'model_not_found', 'model');
    }
    return this.sendOk(ex, this.openaiModelEntry(model), fault);
  }

  private openaiModelEntry(id: string): Record<string, unknown> {
    return { id, object: 'model', created: MODEL_CREATED_SEC, owned_by: 'fake-llm' };
  }

  // ---- Anthropic -----------------------------------------------------------------------------

  private validateAnthropic(ex: Exchange, body: unknown, needMaxTokens: boolean): { body: Record<string, unknown>; model: string } | undefined {
    if (!isObject(body)) {
      void this.sendError(ex, 400, 'Request body must be a JSON object.');
      return undefined;
    }
    const model = this.checkModel(ex, body);
    if (model === undefined) return undefined;
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      void this.sendError(ex, 400, 'messages: Field required');
      return undefined;
    }
    if (needMaxTokens && positiveInt(body.max_tokens) === undefined) {
      void this.sendError(ex, 400, 'max_tokens: Field required');
      return undefined;
    }
    return { body, model };
  }

  private async anthropicMessages(ex: Exchange, raw: unknown, fault: Fault | undefined): Promise<void> {
    const v = this.validateAnthropic(ex, raw, true);
    if (v === undefined) return;
    const { body, model } = v;
    const plan = planCompletion(anthropicFacts(body), this.reply, positiveInt(body.max_tokens));
    const n = this.nextId();
    const id = `msg_${n}`;
    const stopReason = plan.tool ? 'tool_use' : plan.truncated ? 'max_tokens' : 'end_turn';
    const toolId = `toolu_${n}`;

    if (body.stream !== true) {
      const content = plan.tool ? [{ type: 'tool_use', id: toolId, name: plan.tool.name, input: plan.tool.args }] : [{ type: 'text', text: plan.text }];
      return this.sendOk(
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
    return this.stream(ex, { contentType: 'text/event-stream; charset=utf-8', head, body: frames, tail }, fault);
  }

  private async anthropicCount(ex: Exchange, raw: unknown, fault: Fault | undefined): Promise<void> {
    const v = this.validateAnthropic(ex, raw, false);
    if (v === undefined) return;
    return this.sendOk(ex, { input_tokens: anthropicFacts(v.body).promptTokens }, fault);
  }

  private async anthropicModels(ex: Exchange, _body: unknown, fault: Fault | undefined): Promise<void> {
    const data = this.models.map((id) => this.anthropicModelEntry(id));
    return this.sendOk(
      ex,
      { data, has_more: false, first_id: data.length ? this.models[0] : null, last_id: data.length ? this.models[this.models.length - 1] : null },
      fault,
    );
  }

  private async anthropicModel(ex: Exchange, id: string, fault: Fault | undefined): Promise<void> {
    const model = decodeURIComponent(id);
    if (!this.hasModel(model)) return this.sendError(ex, 404, `model: ${model}`);
    return this.sendOk(ex, this.anthropicModelEntry(model), fault);
  }

  private anthropicModelEntry(id: string): Record<string, unknown> {
    return { type: 'model', id, display_name: id, created_at: MODEL_CREATED_ISO };
  }

  // ---- Ollama --------------------------------------------------------------------------------

  private async ollamaChat(ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
    if (!isObject(body)) return this.sendError(ex, 400, 'invalid request body');
    const model = this.checkModel(ex, body);
    if (model === undefined) return;
    const messages = body.messages;
    if (!Array.isArray(messages)) return this.sendError(ex, 400, 'messages is required');
    const options = isObject(body.options) ? body.options : undefined;
    const plan = planCompletion(chatFacts(messages, body.tools, undefined), this.reply, positiveInt(options?.num_predict));
    const createdAt = new Date().toISOString();
    const doneReason = plan.truncated ? 'length' : 'stop';
    const chunks = plan.tool ? 1 : plan.tokens.length;
    const promptNs = Math.max(1, this.ttftMs) * NS_PER_MS;
    const evalNs = Math.max(1, this.interChunkMs * Math.max(0, chunks - 1)) * NS_PER_MS;
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
      return this.sendOk(ex, { model, created_at: createdAt, message, done_reason: doneReason, done: true, ...stats }, fault);
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
    return this.stream(ex, { contentType: 'application/x-ndjson', head: [], body: frames, tail: [last] }, fault);
  }

  private async ollamaEmbed(ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
    if (!isObject(body)) return this.sendError(ex, 400, 'invalid request body');
    const model = this.checkModel(ex, body);
    if (model === undefined) return;
    const inputs = embeddingInputs(body.input);
    if (inputs === undefined) return this.sendError(ex, 400, 'invalid input type');
    let words = 0;
    const embeddings = inputs.map((t) => {
      words += countWords(t);
      return fakeEmbedding(t);
    });
    return this.sendOk(ex, { model, embeddings, total_duration: 2_000_000, load_duration: 1_000_000, prompt_eval_count: Math.max(1, words) }, fault);
  }

  private async ollamaEmbeddingsLegacy(ex: Exchange, body: unknown, fault: Fault | undefined): Promise<void> {
    if (!isObject(body)) return this.sendError(ex, 400, 'invalid request body');
    const model = this.checkModel(ex, body);
    if (model === undefined) return;
    return this.sendOk(ex, { embedding: fakeEmbedding(typeof body.prompt === 'string' ? body.prompt : '') }, fault);
  }

  private async ollamaTags(ex: Exchange, _body: unknown, fault: Fault | undefined): Promise<void> {
    const models = this.models.map((name) => ({
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
    }));
    return this.sendOk(ex, { models }, fault);
  }

  // ---- response writers ----------------------------------------------------------------------

  /** Streams head + body frames (ttft/inter-chunk delays, midstream/stall faults) then tail. */
  private async stream(ex: Exchange, frames: StreamFrames, fault: Fault | undefined): Promise<void> {
    if (ex.closed) return;
    const res = ex.res;
    res.writeHead(200, { 'content-type': frames.contentType, ...SSE_HEADERS_BASE, ...this.requestIdHeader() });
    res.flushHeaders();
    if (this.ttftMs > 0) {
      await ex.wait(this.ttftMs);
      if (ex.closed) return;
    }
    const mode = fault?.mode;
    const body = frames.body;
    let n = body.length;
    if (mode === 'midstream') n = Math.min(n, Math.max(0, fault?.afterChunks ?? 2));
    else if (mode === 'stall') n = Math.min(n, 1);

    let first = frames.head.length > 0 ? frames.head.join('') : '';
    if (n > 0) first += body[0];
    if (first !== '' && !(await ex.write(first))) return;
    for (let i = 1; i < n; i++) {
      if (this.interChunkMs > 0) {
        await ex.wait(this.interChunkMs);
        if (ex.closed) return;
      }
      if (!res.write(body[i])) {
        await ex.drain();
        if (ex.closed) return;
      }
    }
    if (mode === 'midstream') return ex.kill(false);
    if (mode === 'stall') return; // stay open, silent
    if (ex.closed) return;
    res.end(frames.tail.length === 1 ? frames.tail[0] : frames.tail.join(''));
  }

  /** The 'raw' fault: exactly the bytes asked for (padding written with backpressure, so it can be large). */
  private async sendRaw(ex: Exchange, fault: Fault): Promise<void> {
    ex.res.writeHead(fault.status ?? 200, fault.headers ?? {});
    if (fault.body && !(await ex.write(fault.body))) return;
    for (let left = fault.padBytes ?? 0; left > 0; left -= PAD.length) {
      if (!(await ex.write(left >= PAD.length ? PAD : PAD.slice(0, left)))) return;
    }
    if (!ex.closed) ex.res.end(fault.bodyEnd ?? '');
  }

  /** Successful non-streaming JSON (after latencyMs; midstream => reset, stall => headers only). */
  private async sendOk(ex: Exchange, payload: unknown, fault: Fault | undefined): Promise<void> {
    if (this.latencyMs > 0) {
      await ex.wait(this.latencyMs);
    }
    if (ex.closed) return;
    if (fault !== undefined) {
      if (fault.mode === 'midstream') return ex.kill(true);
      if (fault.mode === 'stall') {
        ex.res.writeHead(200, { 'content-type': 'application/json', ...this.requestIdHeader() });
        ex.res.flushHeaders();
        return;
      }
    }
    return this.sendJson(ex, 200, payload);
  }

  private sendText(ex: Exchange, text: string, fault: Fault | undefined): void {
    if (fault?.mode === 'midstream') return ex.kill(true);
    if (fault?.mode === 'stall') {
      ex.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      ex.res.flushHeaders();
      return;
    }
    ex.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    ex.res.end(ex.req.method === 'HEAD' ? undefined : text);
  }

  private sendJson(ex: Exchange, status: number, payload: unknown, extraHeaders?: Record<string, string>): Promise<void> {
    if (ex.closed || ex.res.headersSent) return Promise.resolve();
    const s = JSON.stringify(payload);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(s),
      ...this.requestIdHeader(),
      ...extraHeaders,
    };
    ex.res.writeHead(status, headers);
    ex.res.end(s);
    return Promise.resolve();
  }

  private requestIdHeader(): Record<string, string> | undefined {
    if (this.protocol === 'openai') return { 'x-request-id': `req_fake_${this.seq}` };
    if (this.protocol === 'anthropic') return { 'request-id': `req_fake_${this.seq}` };
    return undefined;
  }

  /** Error in the protocol's shape. */
  private sendError(ex: Exchange, status: number, message: string, code?: string, param?: string, fault?: Fault): Promise<void> {
    let extra: Record<string, string> | undefined;
    if (status === 429) extra = { 'retry-after': String(fault?.retryAfterSec ?? 1) };
    else if (fault?.retryAfterSec !== undefined) extra = { 'retry-after': String(fault.retryAfterSec) };
    let payload: unknown;
    switch (this.protocol) {
      case 'openai':
        payload = { error: { message, type: openaiErrorType(status), param: param ?? null, code: code ?? openaiErrorCode(status) } };
        break;
      case 'anthropic':
        payload = { type: 'error', error: { type: anthropicErrorType(status), message } };
        break;
      case 'ollama':
        payload = { error: message };
        break;
    }
    return this.sendJson(ex, status, payload, extra);
  }
}

function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((x) => typeof x === 'number')) return [input.join(' ')]; // one pre-tokenized input
  return input.map((x) => (typeof x === 'string' ? x : Array.isArray(x) ? x.join(' ') : String(x)));
}

function openaiErrorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function openaiErrorCode(status: number): string | null {
  if (status === 401) return 'invalid_api_key';
  if (status === 429) return 'rate_limit_exceeded';
  return null;
}

function anthropicErrorType(status: number): string {
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

/** Starts a fake LLM backend; resolves once it is listening. */
export async function startFakeLlm(options: FakeLlmOptions): Promise<FakeLlm> {
  const server = new FakeLlmServer(options);
  await server.listen(options.port ?? 0);
  return server;
}

/** The key a request presented: `x-api-key`, else the token of `Authorization: Bearer`. */
function presentedKey(h: http.IncomingHttpHeaders): string {
  const apiKey = h['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  return (h.authorization ?? '').replace(/^Bearer\s+/i, '');
}
