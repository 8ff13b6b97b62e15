import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { parseConfig, type RequestOutcome } from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import { SqlKeyStore, SqlTenantStore, type Database } from '@switchyard/store';
import { createLogger } from '@switchyard/telemetry';
import { createGateway } from '../apps/gateway/src/gateway.factory';
import { OutcomeBus } from '../apps/gateway/src/observability/outcome-bus';
import { closeTestDatabase, openTestDatabase } from '../libs/store/src/sql/test-database';
import { ADMIN_KEY, startStack, type Stack } from './support/stack';

/** One metric family as parse-prometheus-text-format gives it. */
interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}
const parsePrometheus = require('parse-prometheus-text-format') as (text: string) => Family[];

// A word no log line may contain: it is in every prompt, and the fakes echo prompts back.
const SECRET_WORD = `zebra${randomUUID().slice(0, 8)}`;
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: `tell me about ${SECRET_WORD}` }] });

/**
 * The exposition's families by name. The parser folds a histogram's series into one (it keeps no
 * labels but `le`), so histograms are read a second time without their TYPE lines: then each of
 * `<name>_bucket`, `_sum` and `_count` is a family of its own, every sample with its labels
 * (each run of lines of one name is parsed as a family: the runs are joined).
 */
async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  const families = new Map(parsePrometheus(text).map((f) => [f.name, f]));
  const histograms = [...families.values()].filter((f) => f.type === 'HISTOGRAM').map((f) => f.name);
  const untyped = text.replace(/^# (HELP|TYPE) .*$/gm, '');
  for (const f of parsePrometheus(untyped)) {
    if (!histograms.some((h) => f.name.startsWith(`${h}_`))) continue;
    // Series alternate between _bucket, _sum and _count lines: each run is a family of its own.
    const seen = families.get(f.name);
    if (seen === undefined) families.set(f.name, f);
    else seen.metrics.push(...f.metrics);
  }
  return families;
}

/** The value of the one sample whose labels are exactly `labels`; undefined when there is none. */
function sample(family: Family | undefined, labels: Record<string, string>): number | undefined {
  const found = family?.metrics.filter((m) => JSON.stringify(sorted(m.labels ?? {})) === JSON.stringify(sorted(labels)));
  expect(found?.length ?? 0).toBeLessThanOrEqual(1);
  return found?.[0]?.value === undefined ? undefined : Number(found[0].value);
}
const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
const labelSets = (f: Family | undefined) =>
  new Set(
    f?.metrics.map((m) =>
      Object.keys(m.labels ?? {})
        .sort()
        .join(','),
    ),
  );
const sum = (ns: (number | undefined)[]) => ns.reduce<number>((a, n) => a + (n ?? 0), 0);

/** Waits (bounded) until `n` outcomes have arrived: they are emitted when responses close, a moment after the client read them. */
async function settled(outcomes: RequestOutcome[], n: number): Promise<void> {
  for (let i = 0; i < 150 && outcomes.length < n; i++) await new Promise((r) => setTimeout(r, 20));
  expect(outcomes).toHaveLength(n);
}

describe('/metrics and the access log after mixed traffic', () => {
  let stack: Stack;
  const outcomes: RequestOutcome[] = [];
  const usage = { input: 0, output: 0 };

  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'local', protocol: 'openai', tier: 'local', models: ['m'] },
        { name: 'flaky', protocol: 'openai', tier: 'local', models: ['f'] },
        { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['c'] },
        { name: 'gone', protocol: 'openai', tier: 'local', models: ['g'], down: true },
      ],
      models: [
        { name: 'chat', targets: [{ backend: 'local', model: 'm' }] },
        {
          name: 'fb',
          targets: [
            { backend: 'flaky', model: 'f' },
            { backend: 'cloud', model: 'c' },
          ],
        },
        { name: 'dead', targets: [{ backend: 'gone', model: 'g' }] },
      ],
      policy: { health: { intervalMs: 60_000 } },
    });
    stack.app.get(OutcomeBus).subscribe((o) => outcomes.push(o));
    const sdk = new OpenAI({ apiKey: ADMIN_KEY, baseURL: stack.baseURL, maxRetries: 0 });

    for (let i = 0; i < 3; i++) {
      const answer = await sdk.chat.completions.create(ask('chat'));
      usage.input += answer.usage!.prompt_tokens;
      usage.output += answer.usage!.completion_tokens;
    }
    for (let i = 0; i < 2; i++) {
      const stream = await sdk.chat.completions.create({ ...ask('chat'), stream: true, stream_options: { include_usage: true } });
      for await (const chunk of stream) {
        if (chunk.usage) {
          usage.input += chunk.usage.prompt_tokens;
          usage.output += chunk.usage.completion_tokens;
        }
      }
    }
    await expect(sdk.chat.completions.create(ask(`no-such-model-${randomUUID()}`))).rejects.toMatchObject({ status: 404 });
    stack.fakes.flaky.setFault({ mode: 'error', status: 500, times: 1 });
    const fallenBack = await sdk.chat.completions.create(ask('fb')).withResponse();
    expect(fallenBack.response.headers.get('x-switchyard-backend')).toBe('cloud');
    await expect(sdk.chat.completions.create(ask('dead'))).rejects.toMatchObject({ status: 503 });
    expect((await fetch(`${stack.baseURL}/models`)).status).toBe(401);
    await settled(outcomes, 9);
  });
  afterAll(() => stack.close());

  it('exposes every Switchyard metric with its type', async () => {
    const families = await scrape(stack.url);
    const types: Record<string, Family['type']> = {
      switchyard_requests_total: 'COUNTER',
      switchyard_tokens_total: 'COUNTER',
      switchyard_cost_usd_total: 'COUNTER',
      switchyard_reference_cost_usd_total: 'COUNTER',
      switchyard_savings_usd_total: 'GAUGE',
      switchyard_request_duration_seconds: 'HISTOGRAM',
      switchyard_ttft_seconds: 'HISTOGRAM',
      switchyard_errors_total: 'COUNTER',
      switchyard_fallbacks_total: 'COUNTER',
      switchyard_requests_in_flight: 'GAUGE',
      switchyard_limits_rejected_total: 'COUNTER',
      switchyard_ledger_queue_depth: 'GAUGE',
      switchyard_ledger_spool_bytes: 'GAUGE',
      switchyard_upstream_attempts_total: 'COUNTER',
      switchyard_backend_up: 'GAUGE',
      switchyard_circuit_open: 'GAUGE',
      switchyard_gateway_overhead_seconds: 'HISTOGRAM',
      switchyard_process_cpu_seconds_total: 'COUNTER',
    };
    for (const [name, type] of Object.entries(types)) expect({ name, type: families.get(name)?.type }).toEqual({ name, type });
  });

  it('labels requests by model, backend, tier and status, and counts each request once', async () => {
    const families = await scrape(stack.url);
    const requests = families.get('switchyard_requests_total');
    expect(labelSets(requests)).toEqual(new Set(['backend,model,status,tier']));
    expect(sample(requests, { model: 'chat', backend: 'local', tier: 'local', status: '200' })).toBe(5);
    expect(sample(requests, { model: 'fb', backend: 'cloud', tier: 'cloud', status: '200' })).toBe(1);
    // A model the config does not serve is `other`, whatever the client sent: the series stay bounded.
    expect(sample(requests, { model: 'other', backend: 'none', tier: 'none', status: '404' })).toBe(1);
    expect(sample(requests, { model: 'dead', backend: 'gone', tier: 'local', status: '503' })).toBe(1);
    expect(sample(requests, { model: 'none', backend: 'none', tier: 'none', status: '401' })).toBe(1);
    expect(sum(requests!.metrics.map((m) => Number(m.value)))).toBe(9);
  });

  it('counts tokens as the backends reported them, and cost and savings as the outcomes carry them', async () => {
    const families = await scrape(stack.url);
    const tokens = families.get('switchyard_tokens_total');
    expect(labelSets(tokens)).toEqual(new Set(['backend,direction,model,tier']));
    const chat = { model: 'chat', backend: 'local', tier: 'local' };
    expect(usage.input).toBeGreaterThan(0);
    expect(sample(tokens, { direction: 'input', ...chat })).toBe(usage.input);
    expect(sample(tokens, { direction: 'output', ...chat })).toBe(usage.output);
    const all = (dir: 'input' | 'output') => sum(tokens!.metrics.filter((m) => m.labels?.direction === dir).map((m) => Number(m.value)));
    expect(all('input')).toBe(sum(outcomes.map((o) => o.inputTokens)));
    expect(all('output')).toBe(sum(outcomes.map((o) => o.outputTokens)));

    // Cost, its reference and the savings are the outcomes' own figures, summed per label set.
    for (const [name, of] of [
      ['switchyard_cost_usd_total', (o: RequestOutcome) => o.costUsd],
      ['switchyard_reference_cost_usd_total', (o: RequestOutcome) => o.referenceCostUsd],
      ['switchyard_savings_usd_total', (o: RequestOutcome) => (o.referenceCostUsd === undefined ? undefined : o.referenceCostUsd - (o.costUsd ?? 0))],
    ] as const) {
      const family = families.get(name);
      for (const m of family!.metrics) expect(Object.keys(m.labels!).sort()).toEqual(['backend', 'model', 'tier']);
      const expected = sum(outcomes.map(of));
      expect(sum(family!.metrics.map((m) => Number(m.value)))).toBeCloseTo(expected, 9);
      // A series appears once something was added to it.
      expect(family!.metrics.some((m) => Number(m.value) !== 0)).toBe(outcomes.some((o) => (of(o) ?? 0) !== 0));
    }
  });

  it('observes durations and times to first token by model, backend and tier', async () => {
    const families = await scrape(stack.url);
    const count = families.get('switchyard_request_duration_seconds_count');
    expect(labelSets(count)).toEqual(new Set(['backend,model,tier']));
    expect(labelSets(families.get('switchyard_request_duration_seconds_bucket'))).toEqual(new Set(['backend,le,model,tier']));
    expect(sample(count, { model: 'chat', backend: 'local', tier: 'local' })).toBe(5);
    expect(sample(families.get('switchyard_request_duration_seconds_bucket'), { model: 'chat', backend: 'local', tier: 'local', le: '+Inf' })).toBe(5);
    expect(sum(count!.metrics.map((m) => Number(m.value)))).toBe(9);
    const ttft = families.get('switchyard_ttft_seconds_count');
    expect(sum(ttft!.metrics.map((m) => Number(m.value)))).toBe(outcomes.filter((o) => o.ttftMs !== undefined).length);
    expect(sample(ttft, { model: 'chat', backend: 'local', tier: 'local' })).toBeGreaterThanOrEqual(2);
  });

  it('counts errors by code, fallbacks, attempts, and nothing in flight once every answer is in', async () => {
    const families = await scrape(stack.url);
    const errors = families.get('switchyard_errors_total');
    expect(labelSets(errors)).toEqual(new Set(['code']));
    expect(sample(errors, { code: 'model_not_found' })).toBe(1);
    expect(sample(errors, { code: 'service_unavailable' })).toBe(1);
    expect(sample(errors, { code: 'invalid_api_key' })).toBe(1);
    expect(sum(errors!.metrics.map((m) => Number(m.value)))).toBe(3);
    expect(sample(families.get('switchyard_fallbacks_total'), { model: 'fb' })).toBe(1);
    expect(sum(families.get('switchyard_fallbacks_total')!.metrics.map((m) => Number(m.value)))).toBe(1);
    expect(sample(families.get('switchyard_upstream_attempts_total'), { backend: 'flaky', outcome: 'server_error' })).toBe(1);
    expect(sample(families.get('switchyard_requests_in_flight'), {})).toBe(0);
    expect(sample(families.get('switchyard_ledger_queue_depth'), {})).toBe(0);
    expect(sample(families.get('switchyard_backend_up'), { backend: 'local', tier: 'local' })).toBe(1);
  });

  it('writes one access line per request, agreeing with the outcome, with key ids only and no prompt text', () => {
    const access = stack.logs().filter((l) => l.component === 'access');
    expect(access).toHaveLength(9);
    expect(access.every((l) => l.msg === 'request' && l.level === 30)).toBe(true);
    for (const o of outcomes) {
      const line = access.find((l) => l.requestId === o.requestId);
      expect(line).toMatchObject({
        endpoint: o.endpoint,
        status: o.status,
        durationMs: o.latencyMs,
        streamed: o.streamed,
        fallbacks: Math.max(0, o.attempts.length - 1),
      });
      for (const key of ['model', 'backend', 'tier', 'route', 'errorCode', 'ttftMs', 'inputTokens', 'outputTokens', 'costUsd', 'traceId'] as const) {
        expect({ key, value: line![key] }).toEqual({ key, value: o[key] });
      }
      expect(line!.tenantId).toBe(o.principal?.tenantId);
      expect(line!.keyId).toBe(o.principal?.keyId);
    }
    const fallback = access.find((l) => l.model === 'fb');
    expect(fallback).toMatchObject({ backend: 'cloud', tier: 'cloud', status: 200, fallbacks: 1, tenantId: 'admin', keyId: 'admin' });
    expect(access.filter((l) => l.streamed === true)).toHaveLength(2);
    expect(sum(access.map((l) => l.inputTokens as number | undefined))).toBe(sum(outcomes.map((o) => o.inputTokens)));
    const text = JSON.stringify(stack.logs());
    expect(text).not.toContain(SECRET_WORD);
    expect(text).not.toContain(ADMIN_KEY);
  });
});

describe('/metrics with the tenant label, and limit rejections', () => {
  let db: Database;
  let fake: FakeLlm;
  let app: NestFastifyApplication;
  let baseURL: string;
  const SECRET = 'switchyard-metrics-test-secret-0123456789';

  beforeAll(async () => {
    db = await openTestDatabase();
    fake = await startFakeLlm({ protocol: 'openai', models: ['m'] });
    const config = parseConfig(
      JSON.stringify({
        backends: [{ name: 'local', protocol: 'openai', baseUrl: fake.baseUrl, tier: 'local', models: ['m'] }],
        models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm' }] }],
        metrics: { tenantLabel: true },
      }),
      {},
      'metrics-test',
    );
    app = await createGateway({
      config,
      adminKey: ADMIN_KEY,
      logger: createLogger({ destination: new PassThrough().resume(), level: 'warn' }),
      database: db,
      serverSecret: SECRET,
    });
    await app.listen(0, '127.0.0.1');
    baseURL = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    if (db) await closeTestDatabase(db);
  });

  it('adds `tenant` to requests, tokens and cost only, and counts a rate-limited request', async () => {
    const tenant = await new SqlTenantStore(db).create({ name: `acme-${randomUUID()}`, limits: { rpm: 1 } });
    const issued = (await new SqlKeyStore(db, SECRET).create(tenant.id, { name: 'ci' }))!;
    const sdk = new OpenAI({ apiKey: issued.key, baseURL: `${baseURL}/v1`, maxRetries: 0 });
    await sdk.chat.completions.create(ask('chat'));
    await expect(sdk.chat.completions.create(ask('chat'))).rejects.toMatchObject({ status: 429 });
    await new OpenAI({ apiKey: ADMIN_KEY, baseURL: `${baseURL}/v1`, maxRetries: 0 }).chat.completions.create(ask('chat'));

    let families = await scrape(baseURL);
    for (let i = 0; i < 50 && sum(families.get('switchyard_requests_total')!.metrics.map((m) => Number(m.value))) < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      families = await scrape(baseURL);
    }
    const requests = families.get('switchyard_requests_total');
    expect(labelSets(requests)).toEqual(new Set(['backend,model,status,tenant,tier']));
    expect(sample(requests, { model: 'chat', backend: 'local', tier: 'local', status: '200', tenant: tenant.id })).toBe(1);
    expect(sample(requests, { model: 'chat', backend: 'none', tier: 'none', status: '429', tenant: tenant.id })).toBe(1);
    expect(sample(requests, { model: 'chat', backend: 'local', tier: 'local', status: '200', tenant: 'admin' })).toBe(1);
    expect(labelSets(families.get('switchyard_tokens_total'))).toEqual(new Set(['backend,direction,model,tenant,tier']));
    expect(labelSets(families.get('switchyard_request_duration_seconds_count'))).toEqual(new Set(['backend,model,tier']));
    expect(labelSets(families.get('switchyard_errors_total'))).toEqual(new Set(['code']));
    expect(sample(families.get('switchyard_limits_rejected_total'), { reason: 'rate_limit_exceeded' })).toBe(1);
    expect(sample(families.get('switchyard_errors_total'), { code: 'rate_limit_exceeded' })).toBe(1);
  });

  it('checks the store for readiness', async () => {
    const res = await fetch(`${baseURL}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ details: { store: { status: 'up', kind: db.kind } } });
  });
});
