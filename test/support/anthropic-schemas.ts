import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import schemas from './anthropic-schemas.json';

// Validates what /v1/messages returns against Anthropic's published shapes, written as JSON Schema
// in anthropic-schemas.json (its description names the API reference pages it follows).

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(schemas);
const cache = new Map<string, ValidateFunction>();

/** Throws with ajv's findings when `value` does not match `$defs/<name>` (Message, StreamEvent, ErrorResponse, …). */
export function assertAnthropicSchema(name: string, value: unknown): void {
  let validate = cache.get(name);
  if (!validate) {
    validate = ajv.getSchema(`anthropic#/$defs/${name}`);
    if (!validate) throw new Error(`no schema ${name} in anthropic-schemas.json`);
    cache.set(name, validate);
  }
  if (!validate(value)) {
    throw new Error(`${name} does not validate: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}\nvalue: ${JSON.stringify(value).slice(0, 800)}`);
  }
}
