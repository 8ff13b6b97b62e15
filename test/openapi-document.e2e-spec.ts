import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';
import { startStack, type Stack } from './support/stack';

// /openapi.json is what clients are generated from: a generated client must type-check real calls,
// and a linter must find nothing wrong with it.

const ROOT = join(__dirname, '..');

// openapi-typescript and @redocly/openapi-core are ESM only (down to their dependencies): they run
// in their own Node process.
const node = (args: string[]) => promisify(execFile)(process.execPath, args, { cwd: ROOT, timeout: 20_000 });

/** Calls every operation of the document through a client generated from it (openapi-fetch). */
const PROGRAM = `
import createClient from 'openapi-fetch';
import type { paths } from './api';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:8080', headers: { authorization: 'Bearer sy-admin-key' } });

export async function everyOperation(): Promise<void> {
  const list = await client.GET('/v1/models');
  const ids: string[] = (list.data?.data ?? []).map((m) => m.id);
  const one = await client.GET('/v1/models/{model}', { params: { path: { model: ids[0] ?? 'chat' } } });
  const owner: string | undefined = one.data?.owned_by;
  const chat = await client.POST('/v1/chat/completions', {
    body: {
      model: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
      ],
      stream: false,
      stream_options: { include_usage: true },
      temperature: 0.7,
      top_p: 1,
      max_tokens: 64,
      max_completion_tokens: 64,
      n: 1,
      stop: ['\\n'],
      seed: 42,
      presence_penalty: 0,
      frequency_penalty: 0.5,
      logprobs: true,
      top_logprobs: 2,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      user: 'u-1',
    },
  });
  // The 200 is JSON, or an event stream (text) with stream: true.
  const completion = typeof chat.data === 'string' ? undefined : chat.data;
  const text: string | null | undefined = completion?.choices[0]?.message.content;
  const called: string | undefined = completion?.choices[0]?.message.tool_calls?.[0]?.function.name;
  const explained = await client.POST('/v1/route/explain', { body: { model: 'chat', messages: [{ role: 'user', content: 'Where?' }], max_tokens: null } });
  const route: string | undefined = explained.data?.route;
  const embedded = await client.POST('/v1/embeddings', { body: { model: 'embed', input: ['a', 'b'], dimensions: 8, encoding_format: 'float' } });
  const vector: number[] | undefined = embedded.data?.data[0]?.embedding;
  const tokens = await client.POST('/v1/embeddings', { body: { model: 'embed', input: [1, 2, 3] } });
  const message = await client.POST('/v1/messages', {
    params: { header: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'token-efficient-tools-2025-02-19' } },
    body: {
      model: 'chat',
      max_tokens: 64,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
      ],
      tools: [{ name: 'f', description: 'A tool', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto' },
      stream: false,
      temperature: 0.5,
      top_p: 1,
      top_k: 40,
      stop_sequences: ['\\n'],
      metadata: { user_id: 'u-1' },
    },
  });
  const said: string | undefined = typeof message.data === 'string' ? undefined : message.data?.content[0]?.text;
  const counted = await client.POST('/v1/messages/count_tokens', { body: { model: 'chat', system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }] } });
  const inputTokens: number | undefined = counted.data?.input_tokens;
  const credential = { params: { path: { id: 'tnt_1', backend: 'openai' } } };
  const stored = await client.PUT('/admin/v1/tenants/{id}/credentials/{backend}', { ...credential, body: { apiKey: 'sk-tenant-own-key' } });
  const hint: string | undefined = stored.data?.hint;
  const cleared = await client.DELETE('/admin/v1/tenants/{id}/credentials/{backend}', credential);
  const live = await client.GET('/health/live');
  const ready = await client.GET('/health/ready');
  console.log(owner, text, called, route, vector, tokens.response.status, said, inputTokens, hint, cleared.response.status, live.response.status, ready.response.status);

  const tenant = await client.POST('/admin/v1/tenants', {
    body: {
      name: 'acme',
      allowedModels: ['chat*'],
      privacy: { onPii: 'local-only' },
      limits: { rpm: 600, tpm: 200000 },
      budgets: { dailyUsd: 50, monthlyUsd: 500 },
      cache: { mode: 'semantic', ttlSeconds: 600, namespace: 'docs-bots' },
    },
  });
  const tenantId: string = tenant.data?.id ?? 'tnt_x';
  const problem: string | undefined = tenant.error?.detail;
  const tenants = await client.GET('/admin/v1/tenants', { params: { query: { limit: 10 } } });
  const shown = await client.GET('/admin/v1/tenants/{id}', { params: { path: { id: tenantId } } });
  const changed = await client.PATCH('/admin/v1/tenants/{id}', { params: { path: { id: tenantId } }, body: { status: 'suspended', limits: null } });
  const issued = await client.POST('/admin/v1/tenants/{id}/keys', { params: { path: { id: tenantId } }, body: { name: 'ci', expiresAt: '2031-01-01T00:00:00Z' } });
  const secret: string | undefined = issued.data?.key;
  const keys = await client.GET('/admin/v1/tenants/{id}/keys', { params: { path: { id: tenantId } } });
  const keyId: string = keys.data?.data[0]?.id ?? 'key_x';
  const rotated = await client.POST('/admin/v1/keys/{id}/rotate', { params: { path: { id: keyId } }, body: { gracePeriodSeconds: 60 } });
  const revoked = await client.DELETE('/admin/v1/keys/{id}', { params: { path: { id: keyId } } });
  const removed = await client.DELETE('/admin/v1/tenants/{id}', { params: { path: { id: tenantId } } });
  const limitsNow = await client.GET('/admin/v1/tenants/{id}/limits', { params: { path: { id: tenantId } } });
  const remaining: number | undefined = limitsNow.data?.counters[0]?.remaining;
  console.log(remaining, limitsNow.data?.keys[0]?.counters.length);
  const usage = await client.GET('/v1/usage', { params: { query: { since: '7d', group_by: 'day,model', format: 'json' } } });
  const spent: number | undefined = typeof usage.data === 'string' ? undefined : usage.data?.totals.cost_usd;
  const saved: number | undefined = typeof usage.data === 'string' ? undefined : usage.data?.data[0]?.savings_usd;
  const overall = await client.GET('/admin/v1/usage', { params: { query: { tenant: 'acme', since: '2026-11-01', until: '2026-12-01T00:00:00Z', group_by: 'tenant' } } });
  const shareOf: number | undefined = typeof overall.data === 'string' ? undefined : overall.data?.data[0]?.local_share;
  const requests = await client.GET('/admin/v1/requests', { params: { query: { tenant: 'acme', status: 502, since: '24h', limit: 10, cursor: 'x' } } });
  const requestId: string = requests.data?.data[0]?.request_id ?? 'req_x';
  const oneRequest = await client.GET('/admin/v1/requests/{id}', { params: { path: { id: requestId } } });
  const attempts: string[] = (oneRequest.data?.attempts ?? []).map((a) => a.backend);
  console.log(spent, saved, shareOf, requests.data?.next_cursor, oneRequest.data?.cost_usd, attempts);
  const purged = await client.DELETE('/admin/v1/cache', { params: { query: { tenant: 'acme', model: 'chat' } } });
  const entriesPurged: number | undefined = purged.data?.entries;
  console.log(entriesPurged, purged.data?.vectors, oneRequest.data?.cache, overall.data && typeof overall.data !== 'string' ? overall.data.totals.cache_hits : 0);
  const audit = await client.GET('/admin/v1/audit', { params: { query: { limit: 10, before: '42' } } });
  const actions: string[] = (audit.data?.data ?? []).map((e) => e.action);
  console.log(problem, tenants.data?.next, shown.data?.name, changed.data?.status, secret, rotated.data?.key, revoked.data?.revokedAt, removed.response.status, actions);
}
`;

/** The operations PROGRAM calls, as "METHOD path". */
const called = [...PROGRAM.matchAll(/client\.(GET|POST|PUT|PATCH|DELETE)\('([^']+)'/g)].map(([, method, path]) => `${method} ${path}`);

describe('the OpenAPI document', () => {
  let stack: Stack;
  let doc: OpenAPI3;
  let dir: string;

  beforeAll(async () => {
    stack = await startStack({
      backends: [{ name: 'local', protocol: 'openai', models: ['m1', 'e1'] }],
      models: [
        { name: 'chat', targets: [{ backend: 'local', model: 'm1' }] },
        { name: 'embed', targets: [{ backend: 'local', model: 'e1' }] },
      ],
    });
    doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as OpenAPI3;
    dir = mkdtempSync(join(tmpdir(), 'switchyard-openapi-'));
  });
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares numbers and booleans as such, and no JWT for keys that are not JWTs', () => {
    const props = (doc.components?.schemas?.ChatCompletionRequestDto as { properties: Record<string, { type?: string }> }).properties;
    const types = Object.fromEntries(
      [
        'stream',
        'temperature',
        'top_p',
        'max_tokens',
        'max_completion_tokens',
        'n',
        'seed',
        'presence_penalty',
        'frequency_penalty',
        'logprobs',
        'top_logprobs',
      ].map((k) => [k, props[k].type]),
    );
    expect(types).toEqual({
      stream: 'boolean',
      temperature: 'number',
      top_p: 'number',
      max_tokens: 'integer',
      max_completion_tokens: 'integer',
      n: 'integer',
      seed: 'integer',
      presence_penalty: 'number',
      frequency_penalty: 'number',
      logprobs: 'boolean',
      top_logprobs: 'integer',
    });
    expect(doc.components?.securitySchemes?.bearer).not.toHaveProperty('bearerFormat');
  });

  it('gives a TypeScript client (openapi-typescript + openapi-fetch) that type-checks a call to every operation', async () => {
    const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      ['get', 'post', 'put', 'patch', 'delete'].filter((m) => m in (item as object)).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect([...new Set(called)].sort()).toEqual(operations.sort());

    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    await node([join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), join(dir, 'openapi.json'), '-o', join(dir, 'api.d.ts')]);
    writeFileSync(join(dir, 'client.ts'), PROGRAM);
    const program = ts.createProgram([join(dir, 'client.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      skipLibCheck: true,
      // The temp dir has no node_modules: point the client package at ours.
      baseUrl: dir,
      paths: { 'openapi-fetch': [join(ROOT, 'node_modules', 'openapi-fetch')] },
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it('has no errors by the Redocly linter (recommended rules)', async () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const script = `
      import { readFileSync } from 'node:fs';
      import { createConfig, lintFromString } from '@redocly/openapi-core';
      const config = await createConfig({ extends: ['recommended'] });
      const problems = await lintFromString({ source: readFileSync(process.argv[1], 'utf8'), absoluteRef: process.argv[1], config });
      console.log(JSON.stringify(problems.map((p) => ({ severity: p.severity, rule: p.ruleId, message: p.message, at: p.location[0]?.pointer }))));
    `;
    const { stdout } = await node(['--input-type=module', '-e', script, file]);
    const problems = JSON.parse(stdout) as { severity: string }[];
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
