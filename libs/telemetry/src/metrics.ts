import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type HistogramConfiguration } from 'prom-client';

/**
 * Counts bumped on the request path: a map entry, no label hashing. They reach their prom-client
 * Counter when /metrics is scraped (its collect hook), so a scrape always sees every count.
 */
export class CounterTally<L extends string> {
  readonly counter: Counter<L>;
  private readonly names: readonly L[];
  private readonly pending = new Map<string, { labels: Record<L, string>; n: number }>();

  constructor(config: CounterConfiguration<L> & { labelNames: readonly L[] }) {
    this.names = config.labelNames;
    this.counter = new Counter({ ...config, collect: () => this.flush() });
  }

  /** One more for these label values, in the order of `labelNames`. */
  inc(...values: string[]): void {
    const key = values.join('\u0000');
    const entry = this.pending.get(key);
    if (entry !== undefined) {
      entry.n++;
      return;
    }
    const labels = {} as Record<L, string>;
    this.names.forEach((name, i) => (labels[name] = values[i]));
    this.pending.set(key, { labels, n: 1 });
  }

  flush(): void {
    for (const entry of this.pending.values()) {
      if (entry.n === 0) continue;
      this.counter.inc(entry.labels, entry.n);
      entry.n = 0;
    }
  }
}

/** Observations kept per label value until a scrape (or until this many wait) moves them into the Histogram. */
const MAX_PENDING_OBSERVATIONS = 4_096;

/** A Histogram's observations, batched the same way as CounterTally's counts. */
export class HistogramTally<L extends string> {
  readonly histogram: Histogram<L>;
  private readonly name: L;
  private readonly pending = new Map<string, number[]>();

  /** One label: observations are kept by its value. */
  constructor(config: HistogramConfiguration<L> & { labelNames: readonly [L] }) {
    this.name = config.labelNames[0];
    this.histogram = new Histogram({ ...config, collect: () => this.flush() });
  }

  observe(value: string, v: number): void {
    let list = this.pending.get(value);
    if (list === undefined) this.pending.set(value, (list = []));
    list.push(v);
    if (list.length >= MAX_PENDING_OBSERVATIONS) this.flushOne(value, list);
  }

  flush(): void {
    for (const [value, list] of this.pending) this.flushOne(value, list);
  }

  private flushOne(value: string, list: number[]): void {
    if (list.length === 0) return;
    const labels = { [this.name]: value } as Record<L, string>;
    for (const v of list) this.histogram.observe(labels, v);
    list.length = 0;
  }
}

/**
 * The gateway's Prometheus metrics, one registry per process (tests build several gateways in
 * one process, so nothing here is global). Per-request figures gather in tallies and reach
 * prom-client when /metrics is scraped, where the text exposition is built too.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  /** Routed requests: route, backend, tier, status. */
  readonly requests: CounterTally<'route' | 'backend' | 'tier' | 'status'>;
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

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new CounterTally({
      name: 'switchyard_requests_total',
      help: 'Routed requests by route, backend, tier and status.',
      labelNames: ['route', 'backend', 'tier', 'status'],
      registers,
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
