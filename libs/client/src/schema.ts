/**
 * Generated from the gateway's /openapi.json by `npm run client:generate`. Do not edit.
 */
export interface paths {
  '/v1/models': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List models
     * @description Public model names and the backend model ids this key may use.
     */
    get: operations['ModelsController_listModels'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{model}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Retrieve a model */
    get: operations['ModelsController_retrieve'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/chat/completions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create a chat completion
     * @description OpenAI-compatible. Routed along the model's fallback chain; `stream: true` answers with server-sent events.
     */
    post: operations['ChatController_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/embeddings': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create embeddings
     * @description OpenAI-compatible; routed like chat completions.
     */
    post: operations['EmbeddingsController_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/route/explain': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Explain where a chat completion would run
     * @description Takes a chat-completions body and returns the routing decision and why — the rule that matched, and why each backend was kept or dropped — without calling any backend.
     */
    post: operations['RouteExplainController_explain'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/messages': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create a message
     * @description Anthropic-compatible (`@anthropic-ai/sdk`, `ANTHROPIC_BASE_URL`). Routed along the model's fallback chain to any backend protocol, with the same policy, privacy and accounting as `/v1/chat/completions`; `stream: true` answers with Anthropic's server-sent events.
     */
    post: operations['MessagesController_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/messages/count_tokens': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Count the tokens of a message
     * @description An estimate: the system prompt, texts, tool calls, tool results and tool definitions counted with an OpenAI tokenizer (o200k_base), not the model's own; no backend is called.
     */
    post: operations['MessagesController_countTokens'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your tenant's usage and cost
     * @description The caller's tenant only: requests, tokens, cost, savings against all-cloud and local share, over a window, grouped.
     */
    get: operations['UsageController_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/tenants': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List tenants
     * @description Oldest first, a page at a time.
     */
    get: operations['TenantsController_list'];
    put?: never;
    /** Create a tenant */
    post: operations['TenantsController_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/tenants/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a tenant */
    get: operations['TenantsController_get'];
    put?: never;
    post?: never;
    /**
     * Delete a tenant
     * @description With its keys and provider credentials; its keys stop working within seconds.
     */
    delete: operations['TenantsController_delete'];
    options?: never;
    head?: never;
    /**
     * Change a tenant
     * @description Fields given are replaced; `null` clears allowedModels, privacy, limits, budgets or cache. `status: suspended` stops all its keys within seconds.
     */
    patch: operations['TenantsController_update'];
    trace?: never;
  };
  '/admin/v1/tenants/{id}/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List a tenant's API keys
     * @description Revoked ones included; never a key itself, only its prefix.
     */
    get: operations['TenantsController_keys'];
    put?: never;
    /**
     * Create an API key for a tenant
     * @description The answer holds the key (`sk-sy-…`): the only time it is shown.
     */
    post: operations['TenantsController_createKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/keys/{id}/rotate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Rotate an API key
     * @description A new secret for the key, shown this once; the old one keeps working for `gracePeriodSeconds` (default 0: it stops now).
     */
    post: operations['KeysController_rotate'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke an API key
     * @description It stops working within seconds on every replica; its record stays, with `revokedAt`.
     */
    delete: operations['KeysController_revoke'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/tenants/{id}/credentials/{backend}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Set a tenant's provider key for a backend
     * @description Replaces any key set before. The answer shows only a masked hint.
     */
    put: operations['CredentialsController_set'];
    post?: never;
    /**
     * Clear a tenant's provider key for a backend
     * @description The tenant's requests to that backend carry the backend's own key again.
     */
    delete: operations['CredentialsController_clear'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/tenants/{id}/limits': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A tenant's current counters and remaining budget
     * @description What its requests have counted in the current windows, read without adding anything; budgets in USD.
     */
    get: operations['LimitsController_show'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Read the audit log
     * @description Every admin action (who, what, when, which target; never a secret), newest first.
     */
    get: operations['AuditController_list'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Usage and cost, per tenant or overall
     * @description As `GET /v1/usage`, for any tenant or all of them, and groupable by `tenant`. From the hourly rollups.
     */
    get: operations['AdminUsageController_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/requests': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Search request records
     * @description Newest first, a page at a time; every filter optional.
     */
    get: operations['AdminRequestsController_list'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/requests/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One request's record
     * @description Everything the ledger holds about it: every attempt, tokens, cost, timings, PII categories found.
     */
    get: operations['AdminRequestsController_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/v1/cache': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Purge the response cache
     * @description Removes cached answers (and their near-match vectors) of a tenant, of a shared namespace, of a model, or of a combination; with no parameter, every entry. Takes effect on every replica that shares the store (Redis, the database); an in-process cache is this replica's only.
     */
    delete: operations['AdminCacheController_purge'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/live': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process answers. Touches no dependency. */
    get: operations['HealthController_live'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: config loaded and at least one backend reachable; 503 names what failed. */
    get: operations['HealthController_ready'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    ErrorDetailDto: {
      /** @example The model `gpt-5` does not exist or you do not have access to it. */
      message: string;
      /** @example invalid_request_error */
      type: string;
      /** @example model */
      param: string | null;
      /** @example model_not_found */
      code: string | null;
    };
    ErrorResponseDto: {
      error: components['schemas']['ErrorDetailDto'];
    };
    ModelDto: {
      /** @example chat */
      id: string;
      /** @enum {string} */
      object: 'model';
      /** @example 1732233600 */
      created: number;
      /** @example switchyard */
      owned_by: string;
    };
    ModelListDto: {
      /** @enum {string} */
      object: 'list';
      data: components['schemas']['ModelDto'][];
    };
    FunctionCallDto: {
      /** @example get_weather */
      name: string;
      /**
       * @description The arguments, as a JSON text.
       * @example {"city":"Paris"}
       */
      arguments: string;
    };
    ToolCallDto: {
      /** @example call_abc123 */
      id: string;
      /** @enum {string} */
      type: 'function';
      function: components['schemas']['FunctionCallDto'];
    };
    AssistantMessageDto: {
      /** @enum {string} */
      role: 'assistant';
      /** @example Bonjour ! */
      content: string | null;
      refusal?: string | null;
      tool_calls?: components['schemas']['ToolCallDto'][];
    };
    ChoiceDto: {
      /** @example 0 */
      index: number;
      message: components['schemas']['AssistantMessageDto'];
      /** @enum {string|null} */
      finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | null;
      /** @example null */
      logprobs: {
        [key: string]: unknown;
      } | null;
    };
    UsageDto: {
      /** @example 12 */
      prompt_tokens: number;
      /** @example 5 */
      completion_tokens: number;
      /** @example 17 */
      total_tokens: number;
    };
    ChatCompletionDto: {
      /** @example chatcmpl-123 */
      id: string;
      /** @enum {string} */
      object: 'chat.completion';
      /** @example 1732233600 */
      created: number;
      /** @example llama3.2 */
      model: string;
      choices: components['schemas']['ChoiceDto'][];
      usage?: components['schemas']['UsageDto'];
    };
    ChunkChoiceDto: {
      index: number;
      /**
       * @example {
       *       "content": "Bon"
       *     }
       */
      delta: {
        [key: string]: unknown;
      };
      /** @enum {string|null} */
      finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | null;
    };
    ChatCompletionChunkDto: {
      /** @example chatcmpl-123 */
      id: string;
      /** @enum {string} */
      object: 'chat.completion.chunk';
      created: number;
      model: string;
      choices: components['schemas']['ChunkChoiceDto'][];
      usage?: components['schemas']['UsageDto'] | null;
    };
    ChatMessageDto: {
      /**
       * @example user
       * @enum {string}
       */
      role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
      /**
       * @description Text, or an array of content parts (`text`, `image_url`, ...). Null for assistant messages that only call tools.
       * @example Say hello in French.
       */
      content?:
        | (string | null)
        | {
            [key: string]: unknown;
          }[];
      name?: string;
      /** @description On `tool` messages: the id of the call this answers. */
      tool_call_id?: string;
      /** @description On assistant messages: the tool calls it made. */
      tool_calls?: {
        [key: string]: unknown;
      }[];
    };
    StreamOptionsDto: {
      /** @description Send a last chunk with `usage` and empty `choices`. */
      include_usage?: boolean;
    };
    ChatCompletionRequestDto: {
      /**
       * @description A public model name from /v1/models or a backend model id.
       * @example chat
       */
      model: string;
      messages: components['schemas']['ChatMessageDto'][];
      /** @description Stream the answer as server-sent events (default false). */
      stream?: boolean | null;
      stream_options?: components['schemas']['StreamOptionsDto'];
      /** @example 0.7 */
      temperature?: number | null;
      top_p?: number | null;
      /** @deprecated */
      max_tokens?: number | null;
      max_completion_tokens?: number | null;
      /** @description How many choices (default 1). */
      n?: number | null;
      stop?: string | string[];
      seed?: number | null;
      presence_penalty?: number | null;
      frequency_penalty?: number | null;
      /** @description Function tools the model may call. */
      tools?: {
        [key: string]: unknown;
      }[];
      tool_choice?:
        | ('none' | 'auto' | 'required')
        | {
            [key: string]: unknown;
          };
      parallel_tool_calls?: boolean;
      /** @description `{"type":"json_object"}` or `{"type":"json_schema","json_schema":{...}}` */
      response_format?: {
        [key: string]: unknown;
      };
      logprobs?: boolean | null;
      top_logprobs?: number | null;
      user?: string;
    };
    EmbeddingsRequestDto: {
      /** @example embed */
      model: string;
      /**
       * @description Text, an array of texts, or token arrays.
       * @example The quick brown fox
       */
      input: string | string[] | number[];
      /**
       * @description Default `float`.
       * @enum {string}
       */
      encoding_format?: 'float' | 'base64';
      dimensions?: number;
      user?: string;
    };
    EmbeddingDto: {
      /** @enum {string} */
      object: 'embedding';
      index: number;
      /**
       * @example [
       *       0.0023,
       *       -0.0093,
       *       0.0159
       *     ]
       */
      embedding: number[];
    };
    EmbeddingsResponseDto: {
      /** @enum {string} */
      object: 'list';
      data: components['schemas']['EmbeddingDto'][];
      /** @example nomic-embed-text */
      model: string;
      usage: components['schemas']['UsageDto'];
    };
    ExplainCandidateDto: {
      /** @example local-ollama */
      backend: string;
      /** @example llama3.2 */
      model: string;
      /** @enum {string} */
      tier: 'local' | 'cloud';
      /** @description The prompt would go redacted (privacy `redact`). */
      redact?: boolean;
      /** @example local first (0/4 in flight) */
      reason?: string;
      /** @description Excluded by its breaker or health probes: tried only if every candidate before it fails (panic routing). */
      panic?: boolean;
      predictedMs?: number;
      estimatedCostUsd?: number;
    };
    ExplainDroppedDto: {
      backend: string;
      model: string;
      tier: string;
      /** @example privacy: prompt has email; onPii local-only */
      reason: string;
    };
    RouteExplanationDto: {
      /** @example chat */
      model: string;
      /**
       * @description Who decided: the in-process engine or the router service.
       * @enum {string}
       */
      mode: 'embedded' | 'remote';
      /**
       * @description The rule that placed it (`model:<name>` or `direct` when none matched).
       * @example confidential
       */
      route: string;
      /** @example local-first */
      strategy: string;
      /**
       * @example {
       *       "promptTokens": 12,
       *       "maxTokens": null,
       *       "tags": [
       *         "confidential"
       *       ],
       *       "maxLatencyMs": null
       *     }
       */
      features: {
        [key: string]: unknown;
      };
      /**
       * @example {
       *       "categories": [
       *         "email"
       *       ],
       *       "action": "local-only"
       *     }
       */
      privacy: {
        [key: string]: unknown;
      };
      /** @description The fallback chain, in order. */
      candidates: components['schemas']['ExplainCandidateDto'][];
      dropped: components['schemas']['ExplainDroppedDto'][];
      /**
       * @description Set when the request would be refused (403).
       * @example {
       *       "code": "pii_local_only",
       *       "message": "..."
       *     }
       */
      deny?: {
        [key: string]: unknown;
      };
    };
    AnthropicResponseBlockDto: {
      /**
       * @example text
       * @enum {string}
       */
      type: 'text' | 'tool_use';
      /** @example Bonjour ! */
      text?: string;
      /** @example toolu_01A09q90qw90lq917835lq9 */
      id?: string;
      /** @example get_weather */
      name?: string;
      /**
       * @example {
       *       "city": "Paris"
       *     }
       */
      input?: {
        [key: string]: unknown;
      };
    };
    AnthropicUsageDto: {
      /** @example 12 */
      input_tokens: number;
      /** @example 5 */
      output_tokens: number;
      cache_creation_input_tokens?: number | null;
      cache_read_input_tokens?: number | null;
    };
    AnthropicMessageDto: {
      /** @example msg_013Zva2CMHLNnXjNJJKqJ2EF */
      id: string;
      /** @enum {string} */
      type: 'message';
      /** @enum {string} */
      role: 'assistant';
      /** @example llama3.2 */
      model: string;
      content: components['schemas']['AnthropicResponseBlockDto'][];
      /** @enum {string|null} */
      stop_reason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | null;
      /** @example null */
      stop_sequence: string | null;
      usage: components['schemas']['AnthropicUsageDto'];
    };
    AnthropicErrorDetailDto: {
      /** @example invalid_request_error */
      type: string;
      /** @example max_tokens: Field required */
      message: string;
    };
    AnthropicErrorResponseDto: {
      /** @enum {string} */
      type: 'error';
      error: components['schemas']['AnthropicErrorDetailDto'];
    };
    AnthropicMessageParamDto: {
      /**
       * @example user
       * @enum {string}
       */
      role: 'user' | 'assistant';
      /** @example Say hello in French. */
      content:
        | string
        | {
            [key: string]: unknown;
          }[];
    };
    AnthropicToolDto: {
      /** @example get_weather */
      name: string;
      /** @example Weather for a city */
      description?: string;
      /**
       * @example {
       *       "type": "object",
       *       "properties": {
       *         "city": {
       *           "type": "string"
       *         }
       *       },
       *       "required": [
       *         "city"
       *       ]
       *     }
       */
      input_schema: {
        [key: string]: unknown;
      };
    };
    AnthropicMetadataDto: {
      /** @example user-42 */
      user_id?: string | null;
    };
    AnthropicMessagesRequestDto: {
      /**
       * @description A public model name (`chat`, an alias such as `claude-sonnet-4-5`) or a backend model id.
       * @example chat
       */
      model: string;
      messages: components['schemas']['AnthropicMessageParamDto'][];
      /** @description The system prompt: text, or text blocks. */
      system?:
        | string
        | {
            [key: string]: unknown;
          }[];
      tools?: components['schemas']['AnthropicToolDto'][];
      /** @description `{"type":"auto"|"any"|"none"}` or `{"type":"tool","name":…}`. */
      tool_choice?: {
        [key: string]: unknown;
      };
      /** @description Extended thinking; passed on to Anthropic backends only. */
      thinking?: {
        [key: string]: unknown;
      };
      /**
       * @description Required, as Anthropic's API requires it.
       * @example 1024
       */
      max_tokens: number;
      /** @description Stream the answer as server-sent events (default false). */
      stream?: boolean;
      /** @example 0.7 */
      temperature?: number;
      top_p?: number;
      /** @description Passed on to Anthropic backends only. */
      top_k?: number;
      stop_sequences?: string[];
      metadata?: components['schemas']['AnthropicMetadataDto'];
    };
    AnthropicCountTokensRequestDto: {
      /**
       * @description A public model name (`chat`, an alias such as `claude-sonnet-4-5`) or a backend model id.
       * @example chat
       */
      model: string;
      messages: components['schemas']['AnthropicMessageParamDto'][];
      /** @description The system prompt: text, or text blocks. */
      system?:
        | string
        | {
            [key: string]: unknown;
          }[];
      tools?: components['schemas']['AnthropicToolDto'][];
      /** @description `{"type":"auto"|"any"|"none"}` or `{"type":"tool","name":…}`. */
      tool_choice?: {
        [key: string]: unknown;
      };
      /** @description Extended thinking; passed on to Anthropic backends only. */
      thinking?: {
        [key: string]: unknown;
      };
    };
    AnthropicTokenCountDto: {
      /**
       * @description An estimate: counted with an OpenAI tokenizer (o200k_base), not the model's own.
       * @example 14
       */
      input_tokens: number;
    };
    UsageGroupDto: {
      /**
       * @description The model the client asked for; null when it named none.
       * @example chat
       */
      model?: string | null;
      /** @example local-ollama */
      backend?: string | null;
      /** @example local */
      tier?: string | null;
      /** @example key_8yN2cQw4Lr0vXs1a */
      key?: string | null;
      /**
       * @description Admin view only.
       * @example tnt_3q2XbV9mK1pLr8sT
       */
      tenant?: string | null;
      /**
       * @description UTC day.
       * @example 2026-11-30
       */
      day?: string;
      /**
       * @description UTC hour.
       * @example 2026-11-30T14:00:00Z
       */
      hour?: string;
    };
    UsageRowDto: {
      /** @example 1200 */
      requests: number;
      /**
       * @description Requests whose final status was 400 or above (client aborts, 499, included).
       * @example 3
       */
      errors: number;
      /** @example 480000 */
      input_tokens: number;
      /** @example 96000 */
      output_tokens: number;
      /**
       * @description USD the requests cost where they ran.
       * @example 1.92
       */
      cost_usd: number;
      /**
       * @description USD the same tokens would have cost all-cloud (the configured reference, else the cheapest cloud target).
       * @example 7.2
       */
      reference_cost_usd: number;
      /**
       * @description `reference_cost_usd` minus `cost_usd`.
       * @example 5.28
       */
      savings_usd: number;
      /**
       * @description Requests a local-tier backend served.
       * @example 900
       */
      local_requests: number;
      /**
       * @description Input plus output tokens of those.
       * @example 430000
       */
      local_tokens: number;
      /**
       * @description `local_requests` over `requests`; 0 when there were none.
       * @example 0.75
       */
      local_share: number;
      /**
       * @description `local_tokens` over all tokens; 0 when there were none.
       * @example 0.7466
       */
      local_token_share: number;
      /**
       * @description Requests the response cache answered (exact or near match).
       * @example 240
       */
      cache_hits: number;
      /**
       * @description USD those hits saved: what asking their backends again would have cost (part of `savings_usd`).
       * @example 0.38
       */
      cache_saved_usd: number;
      /** @description The values of the `group_by` dimensions for this row; `{}` when not grouped. */
      group: components['schemas']['UsageGroupDto'];
    };
    UsageFiguresDto: {
      /** @example 1200 */
      requests: number;
      /**
       * @description Requests whose final status was 400 or above (client aborts, 499, included).
       * @example 3
       */
      errors: number;
      /** @example 480000 */
      input_tokens: number;
      /** @example 96000 */
      output_tokens: number;
      /**
       * @description USD the requests cost where they ran.
       * @example 1.92
       */
      cost_usd: number;
      /**
       * @description USD the same tokens would have cost all-cloud (the configured reference, else the cheapest cloud target).
       * @example 7.2
       */
      reference_cost_usd: number;
      /**
       * @description `reference_cost_usd` minus `cost_usd`.
       * @example 5.28
       */
      savings_usd: number;
      /**
       * @description Requests a local-tier backend served.
       * @example 900
       */
      local_requests: number;
      /**
       * @description Input plus output tokens of those.
       * @example 430000
       */
      local_tokens: number;
      /**
       * @description `local_requests` over `requests`; 0 when there were none.
       * @example 0.75
       */
      local_share: number;
      /**
       * @description `local_tokens` over all tokens; 0 when there were none.
       * @example 0.7466
       */
      local_token_share: number;
      /**
       * @description Requests the response cache answered (exact or near match).
       * @example 240
       */
      cache_hits: number;
      /**
       * @description USD those hits saved: what asking their backends again would have cost (part of `savings_usd`).
       * @example 0.38
       */
      cache_saved_usd: number;
    };
    UsageReportDto: {
      /** @enum {string} */
      object: 'usage';
      /**
       * Format: date-time
       * @description Start of the window read (rollups are hourly: rounded down to the hour).
       */
      since: string;
      /**
       * Format: date-time
       * @description End of the window, exclusive (rounded up to the hour).
       */
      until: string;
      /**
       * @example [
       *       "day",
       *       "model"
       *     ]
       */
      group_by: string[];
      /**
       * @description The tenant the figures are limited to; null: every tenant.
       * @example tnt_3q2XbV9mK1pLr8sT
       */
      tenant_id: string | null;
      /** @description One row per group: time ascending, else the dearest first. */
      data: components['schemas']['UsageRowDto'][];
      totals: components['schemas']['UsageFiguresDto'];
    };
    FieldErrorDto: {
      /** @example limits.rpm */
      field: string;
      /** @example must not be less than 1 */
      message: string;
    };
    ProblemDto: {
      /** @example urn:switchyard:problem:validation_failed */
      type: string;
      /** @example Bad Request */
      title: string;
      /** @example 400 */
      status: number;
      /** @example Invalid value for 'limits.rpm': must not be less than 1. */
      detail: string;
      /** @example /admin/v1/tenants */
      instance?: string;
      /** @example validation_failed */
      code: string;
      /** @example 9b1c2f3a-5d6e-4f70-8a9b-0c1d2e3f4a5b */
      requestId?: string;
      /** @description The fields a 400 found wrong. */
      errors?: components['schemas']['FieldErrorDto'][];
    };
    PrivacyDto: {
      /**
       * @description Overrides the config's `policy.privacy.onPii` for this tenant.
       * @example local-only
       * @enum {string}
       */
      onPii?: 'local-only' | 'redact' | 'deny' | 'allow';
      /**
       * @description Keep each request's and answer's bodies with its ledger record, personal data replaced by placeholders (`GET /admin/v1/requests/{id}`). Off by default; kept for `usage.captureRetentionDays`.
       * @example false
       */
      capture?: boolean;
    };
    LimitsDto: {
      /**
       * @description Requests per minute.
       * @example 600
       */
      rpm?: number;
      /**
       * @description Tokens (prompt and completion) per minute.
       * @example 200000
       */
      tpm?: number;
    };
    BudgetsDto: {
      /**
       * @description USD per UTC day.
       * @example 50
       */
      dailyUsd?: number;
      /**
       * @description USD per UTC calendar month.
       * @example 500
       */
      monthlyUsd?: number;
    };
    TenantCacheDto: {
      /**
       * @description Overrides the config's and the model's `cache.mode` for this tenant.
       * @example exact
       * @enum {string}
       */
      mode?: 'off' | 'exact' | 'semantic';
      /**
       * @description How long its answers are kept.
       * @example 3600
       */
      ttlSeconds?: number;
      /**
       * @description Tenants naming the same namespace share cached answers, so each may be served what another asked. Unset: the tenant's answers are its own.
       * @example docs-bots
       */
      namespace?: string;
    };
    CreateTenantDto: {
      /**
       * @description Unique.
       * @example acme
       */
      name: string;
      /**
       * @description Default `active`.
       * @enum {string}
       */
      status?: 'active' | 'suspended';
      /**
       * @description Globs over model names; unset: every model.
       * @example [
       *       "chat*"
       *     ]
       */
      allowedModels?: string[];
      privacy?: components['schemas']['PrivacyDto'];
      limits?: components['schemas']['LimitsDto'];
      budgets?: components['schemas']['BudgetsDto'];
      cache?: components['schemas']['TenantCacheDto'];
      /**
       * @example {
       *       "team": "search"
       *     }
       */
      metadata?: {
        [key: string]: string;
      };
    };
    TenantDto: {
      /** @example tnt_3q2XbV9mK1pLr8sT */
      id: string;
      /** @example acme */
      name: string;
      /** @enum {string} */
      status: 'active' | 'suspended';
      /**
       * @example [
       *       "chat*"
       *     ]
       */
      allowedModels?: string[];
      privacy?: components['schemas']['PrivacyDto'];
      limits?: components['schemas']['LimitsDto'];
      budgets?: components['schemas']['BudgetsDto'];
      cache?: components['schemas']['TenantCacheDto'];
      /** @example {} */
      metadata: {
        [key: string]: string;
      };
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
    };
    TenantListDto: {
      data: components['schemas']['TenantDto'][];
      /** @description Pass as `after` for the next page; null on the last one. */
      next: string | null;
    };
    UpdateTenantDto: {
      /** @example acme-eu */
      name?: string;
      /**
       * @description `suspended`: every key of the tenant stops working within seconds.
       * @enum {string}
       */
      status?: 'active' | 'suspended';
      /**
       * @description Globs over model names; unset: every model.
       * @example [
       *       "chat*"
       *     ]
       */
      allowedModels?: string[] | null;
      privacy?: components['schemas']['PrivacyDto'] | null;
      limits?: components['schemas']['LimitsDto'] | null;
      budgets?: components['schemas']['BudgetsDto'] | null;
      cache?: components['schemas']['TenantCacheDto'] | null;
      metadata?: {
        [key: string]: string;
      };
    };
    CreateKeyDto: {
      /**
       * @description Unique among the tenant’s live keys.
       * @example ci
       */
      name: string;
      /**
       * Format: date-time
       * @description The key stops working then.
       * @example 2031-01-01T00:00:00Z
       */
      expiresAt?: string;
      /** @description The key's own limits, inside its tenant's. */
      limits?: components['schemas']['LimitsDto'];
      /** @description The key's own budgets, inside its tenant's. */
      budgets?: components['schemas']['BudgetsDto'];
    };
    IssuedKeyDto: {
      /** @example key_8yN2cQw4Lr0vXs1a */
      id: string;
      /** @example tnt_3q2XbV9mK1pLr8sT */
      tenantId: string;
      /** @example ci */
      name: string;
      /**
       * @description The first characters of the key, to tell keys apart; never enough to use it.
       * @example sk-sy-AbCd
       */
      prefix: string;
      limits?: components['schemas']['LimitsDto'];
      budgets?: components['schemas']['BudgetsDto'];
      /** Format: date-time */
      expiresAt?: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      lastUsedAt?: string;
      /** Format: date-time */
      revokedAt?: string;
      /**
       * @description The secret: shown this once, never again.
       * @example sk-sy-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg
       */
      key: string;
    };
    ApiKeyDto: {
      /** @example key_8yN2cQw4Lr0vXs1a */
      id: string;
      /** @example tnt_3q2XbV9mK1pLr8sT */
      tenantId: string;
      /** @example ci */
      name: string;
      /**
       * @description The first characters of the key, to tell keys apart; never enough to use it.
       * @example sk-sy-AbCd
       */
      prefix: string;
      limits?: components['schemas']['LimitsDto'];
      budgets?: components['schemas']['BudgetsDto'];
      /** Format: date-time */
      expiresAt?: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      lastUsedAt?: string;
      /** Format: date-time */
      revokedAt?: string;
    };
    ApiKeyListDto: {
      data: components['schemas']['ApiKeyDto'][];
    };
    RotateKeyDto: {
      /**
       * @description How long the old secret keeps working; 0: it stops at once.
       * @example 3600
       */
      gracePeriodSeconds?: number;
    };
    ProviderCredentialInputDto: {
      /**
       * @description The tenant's own API key for the backend. Stored encrypted; never shown again.
       * @example sk-proj-…
       */
      apiKey: string;
    };
    ProviderCredentialDto: {
      /** @example tnt_Jx3v9Qe2LmN8aB4c */
      tenantId: string;
      /** @example openai */
      backend: string;
      /**
       * @description The key masked: its scheme prefix and last four characters.
       * @example sk-proj-…abcd
       */
      hint: string;
      /** @example 2026-01-01T00:00:00.000Z */
      updatedAt: string;
    };
    CounterDto: {
      /** @enum {string} */
      scope: 'tenant' | 'key';
      /**
       * @description Requests or tokens per minute, USD per UTC day or month.
       * @enum {string}
       */
      kind: 'rpm' | 'tpm' | 'dailyUsd' | 'monthlyUsd';
      /** @example 600 */
      limit: number;
      /**
       * @description Counted in the current window (USD for budgets).
       * @example 42
       */
      used: number;
      /** @example 558 */
      remaining: number;
      /**
       * @description Milliseconds until the window (minute, UTC day or month) ends.
       * @example 31500
       */
      resetMs: number;
    };
    KeyCountersDto: {
      /** @example key_8yN2cQw4Lr0vXs1a */
      keyId: string;
      /** @example ci */
      name: string;
      counters: components['schemas']['CounterDto'][];
    };
    TenantLimitsDto: {
      /** @example tnt_3q2XbV9mK1pLr8sT */
      tenantId: string;
      /** @description The tenant's own limits and budgets, as counted now. */
      counters: components['schemas']['CounterDto'][];
      /** @description Live keys with limits or budgets of their own. */
      keys: components['schemas']['KeyCountersDto'][];
    };
    AuditEntryDto: {
      /** @example 42 */
      id: string;
      /** Format: date-time */
      at: string;
      /**
       * @description The key id of who acted.
       * @example admin
       */
      actor: string;
      /** @example key.revoke */
      action: string;
      /** @example key */
      targetType: string;
      /** @example key_8yN2cQw4Lr0vXs1a */
      targetId?: string;
      /**
       * @example {
       *       "tenantId": "tnt_3q2XbV9mK1pLr8sT"
       *     }
       */
      detail: {
        [key: string]: unknown;
      };
    };
    AuditListDto: {
      data: components['schemas']['AuditEntryDto'][];
      /** @description Pass as `before` for the next (older) page; null on the last one. */
      next: string | null;
    };
    AttemptDto: {
      /** @example local-ollama */
      backend: string;
      /** @example llama3.2 */
      model: string;
      /**
       * @description `ok`, or the failure kind (connect, timeout, server_error, ...).
       * @example ok
       */
      outcome: string;
      /** @example 200 */
      status: number;
      /** @example 412.5 */
      ms: number;
    };
    CaptureDto: {
      /**
       * @description The request body as the client sent it, PII replaced (`[EMAIL_1]`).
       * @example {
       *       "model": "chat",
       *       "messages": [
       *         {
       *           "role": "user",
       *           "content": "Mail [EMAIL_1]"
       *         }
       *       ]
       *     }
       */
      request: Record<string, never>;
      /** @description The answer in OpenAI's chat-completion shape, or `{ text }` for a stream; null when there was none. */
      response: Record<string, never> | null;
    };
    RequestRecordDto: {
      /**
       * @description The `x-request-id` (the client’s own when it sent one).
       * @example 9b1c2f3a-5d6e-4f70-8a9b-0c1d2e3f4a5b
       */
      request_id: string;
      /**
       * Format: date-time
       * @description When the request arrived.
       */
      created_at: string;
      /**
       * @description Null for a request that never authenticated.
       * @example tnt_3q2XbV9mK1pLr8sT
       */
      tenant_id: string | null;
      /** @example key_8yN2cQw4Lr0vXs1a */
      key_id: string | null;
      /** @example POST */
      method: string;
      /** @example /v1/chat/completions */
      endpoint: string;
      /**
       * @description The final status the client got (499: it went away).
       * @example 200
       */
      status: number;
      /** @example null */
      error_code: string | null;
      /**
       * @description The model the client asked for.
       * @example chat
       */
      model: string | null;
      /**
       * @description The rule or chain that placed it.
       * @example default
       */
      route: string | null;
      /** @example local-ollama */
      backend: string | null;
      /** @example local */
      tier: string | null;
      attempts: components['schemas']['AttemptDto'][];
      /** @example 412 */
      input_tokens: number | null;
      /** @example 96 */
      output_tokens: number | null;
      /** @description True when Switchyard counted the tokens itself (the backend reported none). */
      tokens_counted: boolean;
      /** @example 0 */
      cost_usd: number | null;
      /** @example 0.00012 */
      reference_cost_usd: number | null;
      /** @example 180.2 */
      ttft_ms: number | null;
      /** @example 412.5 */
      latency_ms: number;
      streamed: boolean;
      /**
       * @description PII categories found (never values).
       * @example [
       *       "email"
       *     ]
       */
      pii_categories: string[];
      /**
       * @description The client’s end-user id.
       * @example u-1
       */
      user: string | null;
      /**
       * @example [
       *       "nightly"
       *     ]
       */
      tags: string[];
      /** @example 0af7651916cd43dd8448eb211c80319c */
      trace_id: string | null;
      /**
       * @description What the response cache did; null when it was off for the request.
       * @example miss
       * @enum {string|null}
       */
      cache: 'hit' | 'semantic' | 'miss' | 'bypass' | null;
      /**
       * @description On a hit: USD it saved.
       * @example null
       */
      cache_saved_usd: number | null;
      /** @description Only in one record's view: the request's and answer's bodies, personal data replaced by placeholders, when its tenant opted in (`privacy.capture`); null when none was kept. */
      capture?: components['schemas']['CaptureDto'] | null;
    };
    RequestListDto: {
      /** @enum {string} */
      object: 'list';
      /** @description Newest first. */
      data: components['schemas']['RequestRecordDto'][];
      /** @description Pass as `cursor` for the next (older) page; null on the last one. */
      next_cursor: string | null;
    };
    CachePurgeDto: {
      /**
       * @description The tenant purged; null: every tenant.
       * @example tnt_3q2XbV9mK1pLr8sT
       */
      tenant: string | null;
      /**
       * @description The shared namespace purged, when one was named.
       * @example docs-bots
       */
      namespace: string | null;
      /**
       * @description The model purged; null: every model.
       * @example chat
       */
      model: string | null;
      /**
       * @description Cached answers removed (with Redis: as counted while scanning).
       * @example 42
       */
      entries: number;
      /**
       * @description Near-match vectors removed.
       * @example 40
       */
      vectors: number;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  ModelsController_listModels: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelListDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Incorrect API key provided.",
           *         "type": "authentication_error",
           *         "param": null,
           *         "code": "invalid_api_key"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
    };
  };
  ModelsController_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A model id; ids with slashes (`org/name`) work unescaped too. */
        model: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Incorrect API key provided.",
           *         "type": "authentication_error",
           *         "param": null,
           *         "code": "invalid_api_key"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Unknown model. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "The model `gpt-5` does not exist or you do not have access to it.",
           *         "type": "invalid_request_error",
           *         "param": "model",
           *         "code": "model_not_found"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
    };
  };
  ChatController_create: {
    parameters: {
      query?: never;
      header?: {
        /** @description Where the response cache is on: `no-cache` neither reads nor keeps, `no-store` may answer from the cache but keeps nothing, `force-refresh` asks the backend and replaces the entry. The answer says `hit`, `hit;semantic;score=…`, `miss` or `bypass` in the same header. */
        'x-switchyard-cache'?: 'no-cache' | 'no-store' | 'force-refresh';
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ChatCompletionRequestDto'];
      };
    };
    responses: {
      /** @description The completion, or a stream of chunks. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ChatCompletionDto'];
          /**
           * @example data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732233600,"model":"llama3.2","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}
           *
           *     data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732233600,"model":"llama3.2","choices":[{"index":0,"delta":{"content":"Bonjour"},"finish_reason":null}]}
           *
           *     data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732233600,"model":"llama3.2","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}
           *
           *     data: [DONE]
           */
          'text/event-stream': string;
        };
      };
      /** @description Invalid request; `error.param` names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Invalid value for 'temperature': must not be greater than 2.",
           *         "type": "invalid_request_error",
           *         "param": "temperature",
           *         "code": null
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Incorrect API key provided.",
           *         "type": "authentication_error",
           *         "param": null,
           *         "code": "invalid_api_key"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Refused by policy (a rule, or personal data that must stay local). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "The prompt contains personal data (email) and policy keeps it on local backends, but no local backend serves model chat.",
           *         "type": "permission_error",
           *         "param": null,
           *         "code": "pii_local_only"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Unknown model. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "The model `gpt-5` does not exist or you do not have access to it.",
           *         "type": "invalid_request_error",
           *         "param": "model",
           *         "code": "model_not_found"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description The backend is rate limiting; `Retry-After` is passed on. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Backend openai answered 429: Rate limit reached.",
           *         "type": "rate_limit_error",
           *         "param": null,
           *         "code": "rate_limit_exceeded"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Every backend in the chain failed. */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Backend openai answered 500: upstream error",
           *         "type": "server_error",
           *         "param": null,
           *         "code": "upstream_error"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description No backend could be reached. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Backend local-ollama is unreachable (ECONNREFUSED).",
           *         "type": "server_error",
           *         "param": null,
           *         "code": "service_unavailable"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description No backend answered within the deadline. */
      504: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Backend local-ollama timed out (UND_ERR_HEADERS_TIMEOUT).",
           *         "type": "server_error",
           *         "param": null,
           *         "code": "timeout"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
    };
  };
  EmbeddingsController_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['EmbeddingsRequestDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EmbeddingsResponseDto'];
        };
      };
      /** @description Invalid request; `error.param` names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Invalid value for 'temperature': must not be greater than 2.",
           *         "type": "invalid_request_error",
           *         "param": "temperature",
           *         "code": null
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Incorrect API key provided.",
           *         "type": "authentication_error",
           *         "param": null,
           *         "code": "invalid_api_key"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Unknown model. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "The model `gpt-5` does not exist or you do not have access to it.",
           *         "type": "invalid_request_error",
           *         "param": "model",
           *         "code": "model_not_found"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description The backend is rate limiting; `Retry-After` is passed on. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Backend openai answered 429: Rate limit reached.",
           *         "type": "rate_limit_error",
           *         "param": null,
           *         "code": "rate_limit_exceeded"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Every backend in the chain failed. */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Backend openai answered 500: upstream error",
           *         "type": "server_error",
           *         "param": null,
           *         "code": "upstream_error"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description No backend could be reached. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Backend local-ollama is unreachable (ECONNREFUSED).",
           *         "type": "server_error",
           *         "param": null,
           *         "code": "service_unavailable"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description No backend answered within the deadline. */
      504: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Backend local-ollama timed out (UND_ERR_HEADERS_TIMEOUT).",
           *         "type": "server_error",
           *         "param": null,
           *         "code": "timeout"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
    };
  };
  RouteExplainController_explain: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ChatCompletionRequestDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RouteExplanationDto'];
        };
      };
      /** @description Invalid request; `error.param` names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Invalid value for 'temperature': must not be greater than 2.",
           *         "type": "invalid_request_error",
           *         "param": "temperature",
           *         "code": null
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Incorrect API key provided.",
           *         "type": "authentication_error",
           *         "param": null,
           *         "code": "invalid_api_key"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Unknown model. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "The model `gpt-5` does not exist or you do not have access to it.",
           *         "type": "invalid_request_error",
           *         "param": "model",
           *         "code": "model_not_found"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
    };
  };
  MessagesController_create: {
    parameters: {
      query?: never;
      header?: {
        /** @description Where the response cache is on: `no-cache` neither reads nor keeps, `no-store` may answer from the cache but keeps nothing, `force-refresh` asks the backend and replaces the entry. The answer says `hit`, `hit;semantic;score=…`, `miss` or `bypass` in the same header. */
        'x-switchyard-cache'?: 'no-cache' | 'no-store' | 'force-refresh';
        /** @description Passed on to Anthropic-protocol backends. */
        'anthropic-beta'?: string;
        /** @description Accepted (e.g. `2023-06-01`); Switchyard answers in that version. */
        'anthropic-version'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AnthropicMessagesRequestDto'];
      };
    };
    responses: {
      /** @description The message, or a stream of events. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
           *       "type": "message",
           *       "role": "assistant",
           *       "model": "llama3.2",
           *       "content": [
           *         {
           *           "type": "text",
           *           "text": "Bonjour !"
           *         }
           *       ],
           *       "stop_reason": "end_turn",
           *       "stop_sequence": null,
           *       "usage": {
           *         "input_tokens": 12,
           *         "output_tokens": 4
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicMessageDto'];
          /**
           * @example event: message_start
           *     data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"llama3.2","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}
           *
           *     event: ping
           *     data: {"type":"ping"}
           *
           *     event: content_block_start
           *     data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
           *
           *     event: content_block_delta
           *     data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bonjour"}}
           *
           *     event: content_block_stop
           *     data: {"type":"content_block_stop","index":0}
           *
           *     event: message_delta
           *     data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":12,"output_tokens":4}}
           *
           *     event: message_stop
           *     data: {"type":"message_stop"}
           */
          'text/event-stream': string;
        };
      };
      /** @description Invalid request; the message names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "invalid_request_error",
           *         "message": "max_tokens: Field required"
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "authentication_error",
           *         "message": "Incorrect API key provided."
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description Refused by policy (a rule, or personal data that must stay local). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "permission_error",
           *         "message": "The prompt contains personal data (email) and policy keeps it on local backends, but no local backend serves model chat."
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description Unknown model. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "not_found_error",
           *         "message": "The model `claude-9` does not exist or you do not have access to it."
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description Rate limited; `Retry-After` says when to retry. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "rate_limit_error",
           *         "message": "Backend anthropic answered 429: Rate limit reached."
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description Every backend in the chain failed. */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "api_error",
           *         "message": "Backend anthropic answered 500: upstream error"
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description No backend could be reached. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "overloaded_error",
           *         "message": "Backend local-ollama is unreachable (ECONNREFUSED)."
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description No backend answered within the deadline. */
      504: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "timeout_error",
           *         "message": "Backend local-ollama timed out (UND_ERR_HEADERS_TIMEOUT)."
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
    };
  };
  MessagesController_countTokens: {
    parameters: {
      query?: never;
      header?: {
        /** @description Accepted (e.g. `2023-06-01`); Switchyard answers in that version. */
        'anthropic-version'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AnthropicCountTokensRequestDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AnthropicTokenCountDto'];
        };
      };
      /** @description Invalid request; the message names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "invalid_request_error",
           *         "message": "max_tokens: Field required"
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "authentication_error",
           *         "message": "Incorrect API key provided."
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
      /** @description Unknown model. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "error",
           *       "error": {
           *         "type": "not_found_error",
           *         "message": "The model `claude-9` does not exist or you do not have access to it."
           *       }
           *     }
           */
          'application/json': components['schemas']['AnthropicErrorResponseDto'];
        };
      };
    };
  };
  UsageController_get: {
    parameters: {
      query?: {
        /** @description ISO 8601 date or time (UTC unless it names an offset), or an age: `7d`, `24h`, `30m`. Default: 30 days before `until`. */
        since?: unknown;
        /** @description Exclusive; same forms as `since`. Default: now. */
        until?: unknown;
        /** @description Comma-separated dimensions, grouped together: `model`, `backend`, `tier`, `key`, `day`, `hour`. None: one row of totals. */
        group_by?: unknown;
        /** @description `csv`: one row per group after a header row, no totals row. */
        format?: 'json' | 'csv';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Usage from the hourly rollups: requests, errors, tokens, cost, savings against all-cloud, local share. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['UsageReportDto'];
          /**
           * @example day,model,requests,errors,input_tokens,output_tokens,cost_usd,reference_cost_usd,savings_usd,local_requests,local_tokens,local_share,local_token_share,cache_hits,cache_saved_usd
           *     2026-11-30,chat,1200,3,480000,96000,1.92,7.2,5.28,900,430000,0.75,0.7466,240,0.38
           */
          'text/csv': string;
        };
      };
      /** @description A bad parameter; `error.param` names it. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Invalid value for 'group_by': must be a comma-separated list of model, backend, tier, key, day, hour.",
           *         "type": "invalid_request_error",
           *         "param": "group_by",
           *         "code": "validation_failed"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Incorrect API key provided.",
           *         "type": "authentication_error",
           *         "param": null,
           *         "code": "invalid_api_key"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
      /** @description The gateway runs without a database, so it keeps no ledger to read. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "message": "Usage is read from the ledger in the database: this gateway runs without one.",
           *         "type": "server_error",
           *         "param": null,
           *         "code": "database_unavailable"
           *       }
           *     }
           */
          'application/json': components['schemas']['ErrorResponseDto'];
        };
      };
    };
  };
  TenantsController_list: {
    parameters: {
      query?: {
        /** @description Default 100. */
        limit?: number;
        /** @description The `next` of the previous page. */
        after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantListDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  TenantsController_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateTenantDto'];
      };
    };
    responses: {
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The name is taken. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_name_taken",
           *       "title": "Conflict",
           *       "status": 409,
           *       "detail": "A tenant named \"acme\" already exists.",
           *       "code": "tenant_name_taken"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  TenantsController_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant id (`tnt_…`). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  TenantsController_delete: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant id (`tnt_…`). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  TenantsController_update: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant id (`tnt_…`). */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['UpdateTenantDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The name is taken. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_name_taken",
           *       "title": "Conflict",
           *       "status": 409,
           *       "detail": "A tenant named \"acme\" already exists.",
           *       "code": "tenant_name_taken"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  TenantsController_keys: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant id (`tnt_…`). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiKeyListDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  TenantsController_createKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant id (`tnt_…`). */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateKeyDto'];
      };
    };
    responses: {
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IssuedKeyDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The name is taken. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_name_taken",
           *       "title": "Conflict",
           *       "status": 409,
           *       "detail": "A tenant named \"acme\" already exists.",
           *       "code": "tenant_name_taken"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  KeysController_rotate: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The key id (`key_…`), never the key itself. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['RotateKeyDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IssuedKeyDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The name is taken. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_name_taken",
           *       "title": "Conflict",
           *       "status": 409,
           *       "detail": "A tenant named \"acme\" already exists.",
           *       "code": "tenant_name_taken"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  KeysController_revoke: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The key id (`key_…`), never the key itself. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiKeyDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The name is taken. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_name_taken",
           *       "title": "Conflict",
           *       "status": 409,
           *       "detail": "A tenant named \"acme\" already exists.",
           *       "code": "tenant_name_taken"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  CredentialsController_set: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant id. */
        id: string;
        /** @description A configured backend name. */
        backend: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ProviderCredentialInputDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProviderCredentialDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  CredentialsController_clear: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant id. */
        id: string;
        /** @description A configured backend name. */
        backend: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Cleared. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  LimitsController_show: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant id (`tnt_…`). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantLimitsDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  AuditController_list: {
    parameters: {
      query?: {
        /** @description Default 100. */
        limit?: number;
        /** @description The `next` of the previous page. */
        before?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditListDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  AdminUsageController_get: {
    parameters: {
      query?: {
        /** @description ISO 8601 date or time (UTC unless it names an offset), or an age: `7d`, `24h`, `30m`. Default: 30 days before `until`. */
        since?: unknown;
        /** @description Exclusive; same forms as `since`. Default: now. */
        until?: unknown;
        /** @description Comma-separated dimensions, grouped together: `model`, `backend`, `tier`, `key`, `tenant`, `day`, `hour`. None: one row of totals. */
        group_by?: unknown;
        /** @description `csv`: one row per group after a header row, no totals row. */
        format?: 'json' | 'csv';
        /** @description A tenant id or name; unset: every tenant. */
        tenant?: unknown;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Usage from the hourly rollups: requests, errors, tokens, cost, savings against all-cloud, local share. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['UsageReportDto'];
          /**
           * @example day,model,requests,errors,input_tokens,output_tokens,cost_usd,reference_cost_usd,savings_usd,local_requests,local_tokens,local_share,local_token_share,cache_hits,cache_saved_usd
           *     2026-11-30,chat,1200,3,480000,96000,1.92,7.2,5.28,900,430000,0.75,0.7466,240,0.38
           */
          'text/csv': string;
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  AdminRequestsController_list: {
    parameters: {
      query?: {
        /** @description Default 100. */
        limit?: number;
        /** @description The `next_cursor` of the previous page. */
        cursor?: unknown;
        /** @description Exclusive; same forms as `since`. */
        until?: unknown;
        /** @description ISO 8601 date or time, or an age (`7d`, `24h`, `30m`). */
        since?: unknown;
        /** @description An exact final status. */
        status?: number;
        /** @description A tenant id or name; unset: every tenant. */
        tenant?: unknown;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RequestListDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  AdminRequestsController_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The request id (`x-request-id`). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RequestRecordDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description The gateway runs without a database. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:database_unavailable",
           *       "title": "Service Unavailable",
           *       "status": 503,
           *       "detail": "The admin API needs a database.",
           *       "code": "database_unavailable"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  AdminCacheController_purge: {
    parameters: {
      query?: {
        /** @description A public model name, as clients ask for it. */
        model?: unknown;
        /** @description A shared namespace (`cache.namespace` of its tenants). */
        namespace?: unknown;
        /** @description A tenant id or name. */
        tenant?: unknown;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CachePurgeDto'];
        };
      };
      /** @description Invalid body or query; `errors` names each bad field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:validation_failed",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid value for 'limits.rpm': must not be less than 1.",
           *       "code": "validation_failed",
           *       "errors": [
           *         {
           *           "field": "limits.rpm",
           *           "message": "must not be less than 1"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Missing or wrong API key. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:invalid_api_key",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "Incorrect API key provided.",
           *       "code": "invalid_api_key"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Not the admin key (tenant keys have no access here). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:admin_only",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The admin API takes the admin key only.",
           *       "code": "admin_only"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description No such tenant or key. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:tenant_not_found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No tenant with id tnt_3q2XbV9mK1pLr8sT.",
           *       "code": "tenant_not_found"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
      /** @description Too many requests from this address; see `Retry-After`. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "urn:switchyard:problem:rate_limit_exceeded",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "Too many admin requests from your address.",
           *       "code": "rate_limit_exceeded"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDto'];
        };
      };
    };
  };
  HealthController_live: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Health Check is successful */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @example ok */
            status?: string;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /** @example {} */
            error?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
      /** @description The Health Check is not successful */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @example error */
            status?: string;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "redis": {
             *         "status": "down",
             *         "message": "Could not connect"
             *       }
             *     }
             */
            error?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       },
             *       "redis": {
             *         "status": "down",
             *         "message": "Could not connect"
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
    };
  };
  HealthController_ready: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Health Check is successful */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @example ok */
            status?: string;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /** @example {} */
            error?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
      /** @description The Health Check is not successful */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @example error */
            status?: string;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "redis": {
             *         "status": "down",
             *         "message": "Could not connect"
             *       }
             *     }
             */
            error?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       },
             *       "redis": {
             *         "status": "down",
             *         "message": "Could not connect"
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
    };
  };
}
