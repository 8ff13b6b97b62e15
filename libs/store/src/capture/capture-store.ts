/** DI token of the CaptureStore. */
export const CAPTURE_STORE = Symbol('switchyard.CaptureStore');

/** One request's bodies as a tenant that opted in to capture sees them later: PII already replaced by placeholders. */
export interface CapturedExchange {
  requestId: string;
  /** The request's `startedAt` (ms since the epoch): with the request id, the ledger record it belongs to. */
  startedAt: number;
  tenantId: string;
  /** The request body as the client sent it. */
  request: unknown;
  /** The answer (a chat completion, or a stream's text); absent when there was none. */
  response?: unknown;
}

/** Where captured bodies are kept (PostgreSQL or PGlite; there is no memory one: without a database nothing is captured). */
export interface CaptureStore {
  /** Keeps them; a repeated one (same request id and time) is kept once. */
  write(exchanges: readonly CapturedExchange[]): Promise<void>;
  /** The newest capture of a request id, within the tenant when one is given. */
  read(requestId: string, tenantId?: string): Promise<CapturedExchange | undefined>;
  /** Removes captures older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
}
