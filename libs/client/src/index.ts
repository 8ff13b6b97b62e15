import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, paths } from './schema';

/** The gateway's API, typed from its own OpenAPI document (libs/client/src/schema.ts, generated). */
export type SwitchyardClient = Client<paths>;

export interface ClientOptions {
  /** The gateway's origin, e.g. http://127.0.0.1:8080 */
  url: string;
  /** The admin key for /admin/v1, or a tenant key for /v1. */
  key: string;
  fetch?: typeof fetch;
}

export function createSwitchyardClient(options: ClientOptions): SwitchyardClient {
  return createClient<paths>({
    baseUrl: options.url.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.key}` },
    fetch: options.fetch,
  });
}

/** An error answer: RFC 9457 problem details on /admin/v1, OpenAI's `{error}` on /v1. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The data of a successful answer, or an ApiError saying what the gateway answered. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw new ApiError(response.status, describe(response.status, error), error);
}

function describe(status: number, body: unknown): string {
  if (body !== null && typeof body === 'object') {
    const b = body as { title?: unknown; detail?: unknown; error?: { message?: unknown }; errors?: unknown };
    if (typeof b.detail === 'string' || typeof b.title === 'string') {
      const fields = Array.isArray(b.errors)
        ? b.errors
            .map((e: { field?: unknown; pointer?: unknown; message?: unknown; detail?: unknown }) =>
              [e.field ?? e.pointer, e.message ?? e.detail].filter((x) => typeof x === 'string').join(': '),
            )
            .filter(Boolean)
        : [];
      return [b.detail ?? b.title, ...fields].join('; ');
    }
    if (typeof b.error?.message === 'string') return b.error.message;
  }
  return `HTTP ${status}`;
}
