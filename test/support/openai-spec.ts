import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

// Validates what /v1 returns against OpenAI's official OpenAPI document (shared/specs), so the
// tests check OpenAI's reading of the format rather than ours.

const SPEC_PATH = join(__dirname, '..', '..', '..', 'shared', 'specs', 'openai-openapi.json');

export interface OpenAISchemaChecker {
  /** Throws with ajv's findings when `value` does not match components/schemas/<name>; checks nothing without the spec. */
  assert(name: string, value: unknown): void;
}

/**
 * Checks against the spec at `specPath`. A fresh clone has no ../shared: then it says so, loudly
 * and once, and checks nothing, so that every other assertion of the suites still runs (CI has it).
 */
export function openAISchemaChecker(specPath: string): OpenAISchemaChecker {
  let ajv: Ajv2020 | undefined;
  let missing = false;
  const cache = new Map<string, ValidateFunction>();

  function instance(): Ajv2020 | undefined {
    if (ajv || missing) return ajv;
    if (!existsSync(specPath)) {
      missing = true;
      console.warn(
        `\n*** OpenAI's OpenAPI document is not at ${specPath}:\n` +
          "*** responses are NOT validated against OpenAI's schemas in this run (every other assertion still runs).\n",
      );
      return undefined;
    }
    const spec = JSON.parse(readFileSync(specPath, 'utf8')) as Record<string, unknown>;
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, discriminator: false });
    addFormats(ajv);
    ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
    ajv.addSchema({ $id: 'openai', components: nullableToJsonSchema(spec.components) });
    return ajv;
  }

  return {
    assert(name, value) {
      const checker = instance();
      if (!checker) return;
      let validate = cache.get(name);
      if (!validate) {
        validate = checker.getSchema(`openai#/components/schemas/${name}`);
        if (!validate) throw new Error(`no schema ${name} in the OpenAI spec`);
        cache.set(name, validate);
      }
      if (!validate(value)) {
        throw new Error(`${name} does not validate: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}\nvalue: ${JSON.stringify(value).slice(0, 800)}`);
      }
    },
  };
}

/** The spec is OpenAPI 3.1 but keeps some 3.0 `nullable` flags; say them in JSON Schema. */
function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k] = nullableToJsonSchema(v);
  if ((node as { nullable?: unknown }).nullable !== true) return out;
  if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

const shared = openAISchemaChecker(SPEC_PATH);

/** Throws with ajv's findings when `value` does not match components/schemas/<name> of OpenAI's spec (when it is there). */
export function assertOpenAISchema(name: string, value: unknown): void {
  shared.assert(name, value);
}
