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
