import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { LEDGER_SINK, type Database, type LedgerSink } from '@switchyard/store';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../libs/store/src/sql/test-database';
import { ADMIN_KEY, startStack, type Stack } from './support/stack';

// Four views of the same traffic must tell the same story: the usage API (from the ledger's hourly
// rollups), /metrics, and the access log, each checked against what the clients themselves were
// told. Mixed traffic from two tenants: plain, streamed (with and without usage), embeddings, an
// unknown model, a fallback, a failure, on a cloud backend with a price and local ones by the hour.
//
// Like with like: the ledger skips GETs (`/v1/models`, `/v1/usage` are listings, not usage), while
// /metrics and the access log count every /v1 request. The access log carries the method, so it
// is the bridge: its POST lines must equal the usage API, all its lines must equal /metrics. Tokens,
// cost and reference cost are the same in all three directly, since a GET carries none.

interface Family {
  name: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}
const parsePrometheus = require('parse-prometheus-text-format') as (text: string) => Family[];

/** USD per 1M tokens on the cloud backend; the local boxes cost by the hour. */
const PRICE = { input: 3, output: 15 };
const priced = (input: number, output: number) => (input * PRICE.input + output * PRICE.output) / 1e6;
/** The models the config serves: /metrics labels any other name `other`. */
const SERVED = new Set(['chat', 'cloud', 'fallback', 'nowhere', 'embed', 'embed-cloud']);

/** The figures every view gives. */
interface Figures {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  reference_cost_usd: number;
}
interface UsageRow extends Figures {
  group: Record<string, string | null>;
  savings_usd: number;
}
interface Usage {
  data: UsageRow[];
  totals: Figures & { savings_usd: number };
}
interface AccessLine {
  requestId: string;
  tenantId?: string;
  method: string;
  model?: string;
  backend?: string;
  tier?: string;
  status: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  referenceCostUsd?: number;
}
/** What a client was told about one request. */
interface Told {
  requestId: string;
  status: number;
  backend?: string;
  usage?: { prompt_tokens: number; completion_tokens?: number };
}

const sum = (ns: (number | undefined)[]) => ns.reduce<number>((a, n) => a + (n ?? 0), 0);

describe(`the usage API, /metrics and the access log agree (${testDatabaseName})`, () => {
  let db: Database;
  let stack: Stack;
  const run = randomUUID().slice(0, 8);
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const tenants: Record<'a' | 'b', { id: string; key: string }> = {} as never;
  const told: Told[] = [];
  let getsSent = 0;
  let access: AccessLine[];
  let families: Map<string, Family>;

  async function admin(path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${stack.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.ok).toBe(true);
    return res.json();
  }

  /** Sends one tenant's share of the traffic, one request at a time, noting what the client was told. */
  async function traffic(t: 'a' | 'b', plan: { cloud: number; embedOn: 'embed' | 'embed-cloud'; fallback: boolean; failure: boolean }): Promise<void> {
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: tenants[t].key, maxRetries: 0 });
    let n = 0;
    const id = () => `agree-${run}-${t}-${++n}`;
    const messages = [{ role: 'user' as const, content: `tenant ${t} asks something` }];
    const chat = async (model: string) => {
      const requestId = id();
      const { data, response } = await client.chat.completions.create({ model, messages }, { headers: { 'x-request-id': requestId } }).withResponse();
      told.push({ requestId, status: response.status, backend: response.headers.get('x-switchyard-backend') ?? undefined, usage: data.usage });
    };
    const stream = async (includeUsage: boolean) => {
      const requestId = id();
      const { data, response } = await client.chat.completions
        .create(
          { model: 'chat', messages, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) },
          { headers: { 'x-request-id': requestId } },
        )
        .withResponse();
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of data) usage ??= chunk.usage ?? undefined;
      expect(usage !== undefined).toBe(includeUsage);
      told.push({ requestId, status: response.status, backend: response.headers.get('x-switchyard-backend') ?? undefined, usage });
    };
    const refused = async (model: string, status: number) => {
      const requestId = id();
      await expect(client.chat.completions.create({ model, messages }, { headers: { 'x-request-id': requestId } })).rejects.toMatchObject({ status });
      told.push({ requestId, status });
    };

    await chat('chat');
    await chat('chat');
    await stream(true);
    await stream(false);
    for (let i = 0; i < plan.cloud; i++) await chat('cloud');
    const embedId = id();
    const { data: embedding, response } = await client.embeddings
      .create({ model: plan.embedOn, input: `tenant ${t} embeds this`, encoding_format: 'float' }, { headers: { 'x-request-id': embedId } })
      .withResponse();
    told.push({ requestId: embedId, status: response.status, backend: response.headers.get('x-switchyard-backend') ?? undefined, usage: embedding.usage });
    await refused(`no-such-model-${run}`, 404);
    if (plan.fallback) {
      stack.fakes.flaky.setFault({ mode: 'error', status: 500, times: 1 });
      await chat('fallback');
      expect(told.at(-1)!.backend).toBe('cloud');
    }
    if (plan.failure) await refused('nowhere', 503);
    // A listing: on /metrics and in the access log, not in the ledger.
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
    getsSent++;
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    stack = await startStack({
      database: db,
      backends: [
        { name: 'local', protocol: 'openai', tier: 'local', models: ['small', 'e'], costPerHour: 3.6, fake: { interChunkMs: 2 } },
        { name: 'flaky', protocol: 'openai', tier: 'local', models: ['small'], costPerHour: 3.6 },
        { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['big', 'e'], price: PRICE },
        { name: 'gone', protocol: 'openai', tier: 'local', models: ['small'], down: true },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local', model: 'small' },
            { backend: 'cloud', model: 'big' },
          ],
        },
        { name: 'cloud', targets: [{ backend: 'cloud', model: 'big' }] },
        {
          name: 'fallback',
          targets: [
            { backend: 'flaky', model: 'small' },
            { backend: 'cloud', model: 'big' },
          ],
        },
        { name: 'nowhere', targets: [{ backend: 'gone', model: 'small' }] },
        { name: 'embed', targets: [{ backend: 'local', model: 'e' }] },
        { name: 'embed-cloud', targets: [{ backend: 'cloud', model: 'e' }] },
      ],
      metrics: { tenantLabel: true },
      policy: { health: { intervalMs: 60_000 }, breaker: { minRequests: 1000 } },
    });
    for (const t of ['a', 'b'] as const) {
      const tenant = (await admin('/admin/v1/tenants', { name: `agree-${t}-${run}` })) as { id: string };
      const key = (await admin(`/admin/v1/tenants/${tenant.id}/keys`, { name: 'agreement' })) as { key: string };
      tenants[t] = { id: tenant.id, key: key.key };
    }
    await traffic('a', { cloud: 2, embedOn: 'embed', fallback: true, failure: true });
    await traffic('b', { cloud: 1, embedOn: 'embed-cloud', fallback: false, failure: false });

    // Outcomes are emitted when responses close, a moment after the clients read them.
    const expected = told.length + getsSent;
    const lines = () => stack.logs().filter((l) => l.component === 'access') as unknown as AccessLine[];
    for (let i = 0; i < 100 && lines().length < expected; i++) await new Promise((r) => setTimeout(r, 20));
    access = lines();
    expect(access).toHaveLength(expected);
    // Scraped before any usage call below, which are /v1 GETs too.
    const res = await fetch(`${stack.url}/metrics`);
    families = new Map(parsePrometheus(await res.text()).map((f) => [f.name, f]));
    await stack.app.get<LedgerSink>(LEDGER_SINK).flush();
  });

  afterAll(async () => {
    await stack?.close();
    if (db) await closeTestDatabase(db);
  });

  const usage = async (path: string, key = ADMIN_KEY): Promise<Usage> => {
    const res = await fetch(`${stack.url}${path}${path.includes('?') ? '&' : '?'}since=${since}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Usage;
  };
  const posts = () => access.filter((l) => l.method !== 'GET');
  /** What the access lines add up to. */
  const fromLog = (lines: AccessLine[]): Figures => ({
    requests: lines.length,
    errors: lines.filter((l) => l.status >= 400).length,
    input_tokens: sum(lines.map((l) => l.inputTokens)),
    output_tokens: sum(lines.map((l) => l.outputTokens)),
    cost_usd: sum(lines.map((l) => l.costUsd)),
    reference_cost_usd: sum(lines.map((l) => l.referenceCostUsd)),
  });
  /** What the /metrics counters add up to over the series whose labels `keep`. */
  const fromMetrics = (keep: (labels: Record<string, string>) => boolean): Figures => {
    const total = (name: string, more: (labels: Record<string, string>) => boolean = () => true) =>
      sum(
        families
          .get(name)
          ?.metrics.filter((m) => keep(m.labels ?? {}) && more(m.labels ?? {}))
          .map((m) => Number(m.value)) ?? [],
      );
    return {
      requests: total('switchyard_requests_total'),
      errors: total('switchyard_requests_total', (l) => Number(l.status) >= 400),
      input_tokens: total('switchyard_tokens_total', (l) => l.direction === 'input'),
      output_tokens: total('switchyard_tokens_total', (l) => l.direction === 'output'),
      cost_usd: total('switchyard_cost_usd_total'),
      reference_cost_usd: total('switchyard_reference_cost_usd_total'),
    };
  };
  /** Exact counts, USD to the nano-dollar the usage API rounds to. */
  const agree = (actual: Partial<Figures>, expected: Partial<Figures>, what: string) => {
    for (const k of Object.keys(expected) as (keyof Figures)[]) {
      if (actual[k] === undefined) continue;
      if (k.endsWith('_usd')) expect({ what, k, close: Math.abs(actual[k] - expected[k]!) < 5e-9 }).toEqual({ what, k, close: true });
      else expect({ what, k, n: actual[k] }).toEqual({ what, k, n: expected[k] });
    }
  };

  it('each access line carries what its client was told, and the cloud price of the tokens', () => {
    const byId = new Map(access.map((l) => [l.requestId, l]));
    for (const t of told) {
      const line = byId.get(t.requestId);
      expect(line).toMatchObject({ status: t.status, method: 'POST' });
      if (t.backend !== undefined) expect(line!.backend).toBe(t.backend);
      if (t.usage !== undefined) expect([line!.inputTokens, line!.outputTokens ?? 0]).toEqual([t.usage.prompt_tokens, t.usage.completion_tokens ?? 0]);
      if (line!.tier === 'cloud') expect(line!.costUsd).toBeCloseTo(priced(line!.inputTokens!, line!.outputTokens ?? 0), 12);
    }
    // The traffic is as mixed as meant: both tiers served, a local box that costs, failures counted.
    expect(new Set(posts().map((l) => l.tier))).toEqual(new Set(['local', 'cloud', undefined]));
    expect(posts().some((l) => l.tier === 'local' && (l.costUsd ?? 0) > 0)).toBe(true);
    expect(
      posts()
        .filter((l) => l.status >= 400)
        .map((l) => l.status)
        .sort(),
    ).toEqual([404, 404, 503]);
    expect(access.filter((l) => l.method === 'GET')).toHaveLength(getsSent);
  });

  it('agrees on the totals: the usage API with the access log’s POSTs, /metrics with all its lines', async () => {
    const { totals } = await usage('/admin/v1/usage');
    const ledgerable = fromLog(posts());
    expect(totals.requests).toBe(told.length);
    agree(totals, ledgerable, 'usage vs access log');
    agree(
      fromMetrics(() => true),
      fromLog(access),
      '/metrics vs access log',
    );
    // Tokens, cost and reference cost: GETs carry none, so the usage API and /metrics agree directly.
    const metrics = fromMetrics(() => true);
    agree(
      totals,
      { input_tokens: metrics.input_tokens, output_tokens: metrics.output_tokens, cost_usd: metrics.cost_usd, reference_cost_usd: metrics.reference_cost_usd },
      'usage vs /metrics',
    );
    // Savings are reference minus cost in every view, against the cloud price of what was served.
    expect(Math.abs(totals.savings_usd - (metrics.reference_cost_usd - metrics.cost_usd))).toBeLessThan(5e-9);
    const reference = sum(posts().map((l) => (l.backend !== undefined && l.status < 400 ? priced(l.inputTokens ?? 0, l.outputTokens ?? 0) : 0)));
    expect(Math.abs(totals.reference_cost_usd - reference)).toBeLessThan(5e-9);
    expect(totals.savings_usd).toBeGreaterThan(0);
  });

  it('agrees tier by tier and model by model', async () => {
    const byTier = await usage('/admin/v1/usage?group_by=tier');
    expect(byTier.data.map((r) => r.group.tier).sort()).toEqual(['cloud', 'local', null].sort());
    for (const row of byTier.data) {
      const tier = row.group.tier ?? undefined;
      agree(row, fromLog(posts().filter((l) => l.tier === tier)), `usage vs access log, tier ${tier}`);
      const label = tier ?? 'none';
      agree(
        fromMetrics((l) => l.tier === label),
        fromLog(access.filter((l) => (l.tier ?? 'none') === label)),
        `/metrics vs access log, tier ${label}`,
      );
      const metrics = fromMetrics((l) => l.tier === label);
      agree(
        row,
        {
          input_tokens: metrics.input_tokens,
          output_tokens: metrics.output_tokens,
          cost_usd: metrics.cost_usd,
          reference_cost_usd: metrics.reference_cost_usd,
        },
        `usage vs /metrics, tier ${label}`,
      );
    }

    const byModel = await usage('/admin/v1/usage?group_by=model');
    expect(byModel.data.map((r) => r.group.model).sort()).toEqual(
      ['chat', 'cloud', 'embed', 'embed-cloud', 'fallback', 'nowhere', `no-such-model-${run}`].sort(),
    );
    // /metrics names a model the config does not serve `other`, and a request that named none `none`.
    const labelOf = (model?: string) => (model === undefined ? 'none' : SERVED.has(model) ? model : 'other');
    for (const row of byModel.data) {
      const model = row.group.model ?? undefined;
      agree(row, fromLog(posts().filter((l) => l.model === model)), `usage vs access log, model ${model}`);
    }
    for (const label of new Set(access.map((l) => labelOf(l.model)))) {
      agree(
        fromMetrics((l) => l.model === label),
        fromLog(access.filter((l) => labelOf(l.model) === label)),
        `/metrics vs access log, model ${label}`,
      );
    }
  });

  it("agrees per tenant: each tenant's /v1/usage, the admin's view of it, its access lines and its /metrics series", async () => {
    for (const t of ['a', 'b'] as const) {
      const { id, key } = tenants[t];
      const own = await usage('/v1/usage', key);
      const adminView = await usage(`/admin/v1/usage?tenant=${id}`);
      expect(own.totals).toEqual(adminView.totals);
      expect(own.totals.requests).toBe(told.filter((x) => x.requestId.startsWith(`agree-${run}-${t}-`)).length);
      agree(own.totals, fromLog(posts().filter((l) => l.tenantId === id)), `usage vs access log, tenant ${t}`);
      agree(
        fromMetrics((l) => l.tenant === id),
        fromLog(access.filter((l) => l.tenantId === id)),
        `/metrics vs access log, tenant ${t}`,
      );
      const metrics = fromMetrics((l) => l.tenant === id);
      expect(Math.abs(own.totals.savings_usd - (metrics.reference_cost_usd - metrics.cost_usd))).toBeLessThan(5e-9);
    }
    // Every request came from one of the two tenants.
    const all = await usage('/admin/v1/usage?group_by=tenant');
    expect(all.data.map((r) => r.group.tenant).sort()).toEqual([tenants.a.id, tenants.b.id].sort());
  });
});
