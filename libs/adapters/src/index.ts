export * from './adapter';
export * from './registry';
export * from './http/upstream-client';
export * from './http/call-abort';
export * from './http/stream-readers';
export * from './http/http-adapter.base';
export * from './health/backend-prober';
export * from './adapter-set';
// The Anthropic dialect both ways: the adapter uses one side of each pair, an Anthropic door the other.
export {
  anthropicErrorDetail,
  anthropicErrorType,
  fromAnthropicMessage,
  fromAnthropicRequest,
  originalAnthropicMessage,
  toAnthropicError,
  toAnthropicMessage,
  toAnthropicRequest,
} from './anthropic/anthropic.mapper';
export { AnthropicStreamDecoder, AnthropicStreamEncoder } from './anthropic/anthropic-stream.mapper';
