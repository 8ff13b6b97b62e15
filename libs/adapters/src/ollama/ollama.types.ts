// Ollama's native wire types (docs/api.md in ollama/ollama): the subset the adapter writes or reads.

export interface OllamaToolCall {
  /** Newer servers number and name calls; older ones send only `function`. */
  id?: string;
  function: {
    index?: number;
    name: string;
    /** A JSON object, not a JSON-encoded string as in OpenAI. */
    arguments: Record<string, unknown>;
  };
}

export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Base64 payloads, without the `data:...;base64,` prefix. */
  images?: string[];
  tool_calls?: OllamaToolCall[];
  /** Which tool a `tool` message answers (Ollama matches results by name, not by id). */
  tool_name?: string;
  /** Reasoning text from thinking models (newer servers). */
  thinking?: string;
}

export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** Modelfile parameters that can be set per request. */
export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  num_predict?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface OllamaChatRequest {
  model: string;
  messages: OllamaMessage[];
  stream: boolean;
  tools?: OllamaTool[];
  /** `'json'` for JSON mode, or a JSON schema for structured outputs. */
  format?: 'json' | Record<string, unknown>;
  options?: OllamaOptions;
}

/** Why generation ended: `stop`, `length`, and `load`/`unload` for model management calls. */
export type OllamaDoneReason = 'stop' | 'length' | 'load' | 'unload' | (string & {});

/** One non-streaming answer, or one NDJSON line of a stream (the last has `done: true` and the counts). */
export interface OllamaChatResponse {
  model: string;
  /** RFC 3339 with nanoseconds, e.g. `2024-07-22T20:33:28.123648Z`. */
  created_at: string;
  message?: OllamaMessage;
  done: boolean;
  done_reason?: OllamaDoneReason;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

/** A stream line (or body) that reports a failure. */
export interface OllamaErrorBody {
  error: string;
}

export type OllamaStreamLine = OllamaChatResponse | OllamaErrorBody;

export interface OllamaEmbedRequest {
  model: string;
  input: string | string[];
  dimensions?: number;
}

export interface OllamaEmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

export interface OllamaTagsResponse {
  models: Array<{ name: string; model?: string; modified_at?: string; size?: number; digest?: string; details?: Record<string, unknown> }>;
}
