/**
 * What routing needs to know of a prompt, whatever dialect it came in: built once per request by
 * the inbound dialect's mapper, read by the token estimate and the request features. The prompt's
 * texts themselves stay with the request (the privacy scan walks the body as JSON).
 */
export interface PromptView {
  kind: 'chat' | 'embeddings';
  /** The model the client asked for. */
  model: string;
  /** Characters of text the model reads: message texts, tool-call names and arguments, embedding inputs. */
  textChars: number;
  /** Messages in the conversation (each costs a few tokens of framing); 0 for embeddings. */
  messages: number;
  /** The answer's token cap, when the client set one. */
  maxTokens?: number;
  stream: boolean;
  /** Choices asked for, when more than one. */
  n?: number;
  /** Tools the model may call. */
  tools: boolean;
  /** JSON mode or a JSON schema for the answer. */
  jsonMode: boolean;
  logprobs: boolean;
  images: boolean;
  /** Embedding input given as token ids. */
  tokenInput: boolean;
  /** The client's end-user id (OpenAI's `user`, Anthropic's `metadata.user_id`). */
  user?: string;
  /** The request's metadata object, for tags. */
  metadata?: unknown;
}
