import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * Sums per label values, kept in a map until a scrape moves them into prom-client. Values past the
 * label names are ignored, so a caller may always pass an opt-in label (last) whether it is on or not.
 */
class PendingSums<L extends string> {
  private readonly pending = new Map<string, { labels: Record<L, string>; n: number }>();

  constructor(private readonly names: readonly L[]) {}

  add(n: number, values: readonly string[]): void {
    const count = this.names.length;
    let key = values[0] ?? '';
    for (let i = 1; i < count; i++) key += '\u0000' + values[i];
    const entry = this.pending.get(key);
    if (entry !== undefined) {
      entry.n += n;
      return;
    }
    const labels = {} as Record<L, string>;
    this.names.forEach((name, i) => (labels[name] = values[i]));
    this.pending.set(key, { labels, n });
  }

  /** Hands each sum over and zeroes it (entries stay: the next request with those labels allocates nothing). */
  move(apply: (labels: Record<L, string>, n: number) => void): void {
    for (const entry of this.pending.values()) {
      if (entry.n === 0) continue;
      apply(entry.labels, entry.n);
      entry.n = 0;
    }
  }
}

/**
 * Counts bumped on the request path: a map entry, no label hashing. They reach their prom-client
 * Counter when /metrics is scraped (its collect hook), so a scrape always sees every count.
 */
export class CounterTally<L extends string> {
  readonly counter: Counter<L>;
  private readonly sums: PendingSums<L>;

  constructor(config: CounterConfiguration<L> & { labelNames: readonly L[] }) {
    this.sums = new PendingSums(config.labelNames);
    this.counter = new Counter({ ...config, collect: () => this.flush() });
  }

  /** One more for these label values, in the order of `labelNames`. */
  inc(...values: string[]): void {
    this.sums.add(1, values);
  }

  /** `n` (≥ 0) more for these label values. */
  add(n: number, ...values: string[]): void {
    this.sums.add(n, values);
  }

  flush(): void {
    this.sums.move((labels, n) => this.counter.inc(labels, n));
  }
}

/** A Gauge moved by deltas (a running sum that may fall), batched like CounterTally. */
export class GaugeTally<L extends string> {
  readonly gauge: Gauge<L>;
  private readonly sums: PendingSums<L>;

  constructor(config: GaugeConfiguration<L> & { labelNames: readonly L[] }) {
    this.sums = new PendingSums(config.labelNames);
    this.gauge = new Gauge({ ...config, collect: () => this.flush() });
  }

  add(n: number, ...values: string[]): void {
    this.sums.add(n, values);
  }

  flush(): void {
    this.sums.move((labels, n) => this.gauge.inc(labels, n));
  }
}

/** Observations kept per label values until a scrape (or until this many wait) moves them into the Histogram. */
const MAX_PENDING_OBSERVATIONS = 4_096;

/** A Histogram's observations, batched the same way as CounterTally's counts. */
export class HistogramTally<L extends string> {
  readonly histogram: Histogram<L>;
  private readonly names: readonly L[];
  private readonly pending = new Map<string, { labels: Record<L, string>; list: number[] }>();

  constructor(config: HistogramConfiguration<L> & { labelNames: readonly L[] }) {
    this.names = config.labelNames;
    this.histogram = new Histogram({ ...config, collect: () => this.flush() });
  }

  /** `values`: the label values in the order of `labelNames` (a string when there is one label). */
  observe(values: string | readonly string[], v: number): void {
    const key = typeof values === 'string' ? values : values.join('\u0000');
    let entry = this.pending.get(key);
    if (entry === undefined) {
      const labels = {} as Record<L, string>;
      this.names.forEach((name, i) => (labels[name] = typeof values === 'string' ? values : values[i]));
      this.pending.set(key, (entry = { labels, list: [] }));
    }
    entry.list.push(v);
    if (entry.list.length >= MAX_PENDING_OBSERVATIONS) this.flushOne(entry);
  }

  flush(): void {
    for (const entry of this.pending.values()) this.flushOne(entry);
  }

  private flushOne(entry: { labels: Record<L, string>; list: number[] }): void {
    for (const v of entry.list) this.histogram.observe(entry.labels, v);
    entry.list.length = 0;
  }
}

/** What the usage ledger holds back: records waiting for the database, and the bytes spooled to disk while it is away. */
export interface LedgerStats {
  queued: number;
  spoolBytes: number;
}

export interface GatewayMetricsOptions {
  /** Default true: the process's CPU, memory, event-loop and GC metrics. */
  defaultMetrics?: boolean;
  /** Adds a `tenant` label to the request, token, cost and savings metrics (one series per tenant). */
  tenantLabel?: boolean;
}

/** Labels of what served a request; `tenant` only when the opt-in label is on. */
type Served = 'model' | 'backend' | 'tier';

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFT_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/**
 * The gateway's Prometheus metrics, one registry per process (tests build several gateways in
 * one process, so nothing here is global). Per-request figures gather in tallies and reach
 * prom-client when /metrics is scraped, where the text exposition is built too.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly tenantLabel: boolean;
  /** `/v1` requests by final status: model, backend, tier, status (, tenant). */
  readonly requests: CounterTally<Served | 'status' | 'tenant'>;
  /** Tokens: direction (input, output), model, backend, tier (, tenant). */
  readonly tokens: CounterTally<'direction' | Served | 'tenant'>;
  /** USD spent where requests ran: model, backend, tier (, tenant). */
  readonly cost: CounterTally<Served | 'tenant'>;
  /** USD the same requests would have cost all-cloud: model, backend, tier (, tenant). */
  readonly referenceCost: CounterTally<Served | 'tenant'>;
  /** Reference minus cost, summed: model, backend, tier (, tenant). A gauge: a request dearer than its reference lowers it. */
  readonly savings: GaugeTally<Served | 'tenant'>;
  readonly duration: HistogramTally<Served>;
  readonly ttft: HistogramTally<Served>;
  /** Failed requests by error code (codes outside Switchyard's own count as `other`). */
  readonly errors: CounterTally<'code'>;
  /** Requests that needed more than one attempt, by model. */
  readonly fallbacks: CounterTally<'model'>;
  /** Requests refused by limits, by reason (rate_limit_exceeded, budget_exceeded, limits_unavailable). */
  readonly limitRejections: Counter<'reason'>;
  /** Upstream attempts: backend, outcome. */
  readonly attempts: CounterTally<'backend' | 'outcome'>;
  readonly routerFallbacks: Counter;
  /** Attempts on a backend its breaker or probes had excluded, because everything before it failed. */
  readonly panicRouting: Counter<'backend'>;
  readonly backendUp: Gauge<'backend' | 'tier'>;
  readonly breakerOpen: Gauge<'breaker'>;
  readonly piiFindings: Counter<'category' | 'action'>;
  /** The gateway's own time per routed request, by route. */
  readonly overhead: HistogramTally<'route'>;
  /** `/v1` requests being served, read at scrape time; 0 while unset. */
  inFlight?: () => number;
  /** The usage ledger's backlog, read at scrape time; 0 while unset. */
  ledgerStats?: () => LedgerStats;

  constructor(options: GatewayMetricsOptions = {}) {
    const registers = [this.registry];
    this.tenantLabel = options.tenantLabel === true;
    const tenant = this.tenantLabel ? (['tenant'] as const) : [];
    const served = ['model', 'backend', 'tier'] as const;
    this.requests = new CounterTally({
      name: 'switchyard_requests_total',
      help: 'Requests on /v1 by model (a configured name, else other), backend, tier and final status.',
      labelNames: [...served, 'status', ...tenant],
      registers,
    });
    this.tokens = new CounterTally({
      name: 'switchyard_tokens_total',
      help: 'Tokens by direction (input, output), model, backend and tier.',
      labelNames: ['direction', ...served, ...tenant],
      registers,
    });
    this.cost = new CounterTally({
      name: 'switchyard_cost_usd_total',
      help: 'USD the requests cost where they ran, by model, backend and tier.',
      labelNames: [...served, ...tenant],
      registers,
    });
    this.referenceCost = new CounterTally({
      name: 'switchyard_reference_cost_usd_total',
      help: 'USD the same requests would have cost all-cloud (the savings reference), by model, backend and tier.',
      labelNames: [...served, ...tenant],
      registers,
    });
    this.savings = new GaugeTally({
      name: 'switchyard_savings_usd_total',
      help: 'USD saved against the all-cloud reference (reference minus cost), summed since start; falls when a request cost more than its reference.',
      labelNames: [...served, ...tenant],
      registers,
    });
    this.duration = new HistogramTally({
      name: 'switchyard_request_duration_seconds',
      help: 'Time from a /v1 request arriving to its response ending, by model, backend and tier.',
      labelNames: served,
      buckets: SECONDS,
      registers,
    });
    this.ttft = new HistogramTally({
      name: 'switchyard_ttft_seconds',
      help: 'Time to the first streamed token, by model, backend and tier.',
      labelNames: served,
      buckets: TTFT_SECONDS,
      registers,
    });
    this.errors = new CounterTally({
      name: 'switchyard_errors_total',
      help: 'Failed /v1 requests by error code (a code Switchyard does not emit itself counts as other).',
      labelNames: ['code'],
      registers,
    });
    this.fallbacks = new CounterTally({
      name: 'switchyard_fallbacks_total',
      help: 'Requests that needed more than one upstream attempt, by model.',
      labelNames: ['model'],
      registers,
    });
    this.limitRejections = new Counter({
      name: 'switchyard_limits_rejected_total',
      help: 'Requests refused by limits, by reason (rate_limit_exceeded, budget_exceeded, limits_unavailable).',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'switchyard_requests_in_flight',
      help: 'Requests on /v1 being served.',
      registers,
      collect: gaugeOf(() => this.inFlight?.() ?? 0),
    });
    new Gauge({
      name: 'switchyard_ledger_queue_depth',
      help: 'Usage ledger records waiting to be written.',
      registers,
      collect: gaugeOf(() => this.ledgerStats?.().queued ?? 0),
    });
    new Gauge({
      name: 'switchyard_ledger_spool_bytes',
      help: 'Bytes of usage ledger records spooled to disk while the database is unreachable.',
      registers,
      collect: gaugeOf(() => this.ledgerStats?.().spoolBytes ?? 0),
    });
    this.attempts = new CounterTally({
      name: 'switchyard_upstream_attempts_total',
      help: 'Upstream attempts by backend and outcome (ok, or the failure kind).',
      labelNames: ['backend', 'outcome'],
      registers,
    });
    this.routerFallbacks = new Counter({
      name: 'switchyard_router_fallback_total',
      help: 'Decisions made by the embedded engine because the router did not answer.',
      registers,
    });
    this.panicRouting = new Counter({
      name: 'switchyard_panic_routing_total',
      help: 'Attempts on a backend excluded by its circuit breaker or health probes, made because every candidate before it failed (panic routing).',
      labelNames: ['backend'],
      registers,
    });
    this.backendUp = new Gauge({
      name: 'switchyard_backend_up',
      help: '1 when active probes find the backend healthy.',
      labelNames: ['backend', 'tier'],
      registers,
    });
    this.breakerOpen = new Gauge({
      name: 'switchyard_circuit_open',
      help: '1 while a circuit breaker (backend or backend/model) is open.',
      labelNames: ['breaker'],
      registers,
    });
    this.piiFindings = new Counter({
      name: 'switchyard_pii_requests_total',
      help: 'Requests with personal data, by category and the action policy took.',
      labelNames: ['category', 'action'],
      registers,
    });
    this.overhead = new HistogramTally({
      name: 'switchyard_gateway_overhead_seconds',
      help: 'Time spent in the gateway itself (total minus upstream), per routed request.',
      labelNames: ['route'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
      registers,
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_' });
  }
}

/** A gauge's collect hook that sets it to what `read` says at scrape time. */
function gaugeOf(read: () => number): (this: Gauge) => void {
  return function (this: Gauge) {
    this.set(read());
  };
}
