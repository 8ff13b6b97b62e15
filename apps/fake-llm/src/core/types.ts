/** The public types of fake-llm: its options, faults, recorded requests and the handle tests hold. */

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
  /** 'raw': after `body` and padding, pieces written one by one `partGapMs` apart (default 20), so each arrives in a read of its own. */
  parts?: string[];
  partGapMs?: number;
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
