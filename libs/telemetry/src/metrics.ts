import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's Prometheus metrics, one registry per process (tests build several gateways in
 * one process, so nothing here is global). Counters are bumped on the request path; the text
 * exposition is built only when /metrics is scraped.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'backend' | 'tier' | 'status'>;
  readonly attempts: Counter<'backend' | 'outcome'>;
  readonly routerFallbacks: Counter;
  readonly backendUp: Gauge<'backend' | 'tier'>;
  readonly breakerOpen: Gauge<'breaker'>;
  readonly piiFindings: Counter<'category' | 'action'>;
  readonly overhead: Histogram<'route'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'switchyard_requests_total',
      help: 'Routed requests by route, backend, tier and status.',
      labelNames: ['route', 'backend', 'tier', 'status'],
      registers,
    });
    this.attempts = new Counter({
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
    this.overhead = new Histogram({
      name: 'switchyard_gateway_overhead_seconds',
      help: 'Time spent in the gateway itself (total minus upstream), per routed request.',
      labelNames: ['route'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
      registers,
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_' });
  }
}
