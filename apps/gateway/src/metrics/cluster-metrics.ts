import { AggregatorRegistry, type Aggregator, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

/** One process's metrics as prom-client's JSON: what a worker hands the primary to aggregate. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/**
 * How the workers' values of a gauge become one: summed (prom-client's default: in flight,
 * queue depths, cache bytes, memory) unless it says something about a backend or a store, which
 * every worker sees for itself.
 */
const GAUGES: Record<string, Aggregator> = {
  // Up only while every worker's probes find it up.
  switchyard_backend_up: 'min',
  // Open while any worker's breaker is (each keeps its own without Redis).
  switchyard_circuit_open: 'max',
  switchyard_limits_store_up: 'min',
};

/** This worker's metrics for the primary, each gauge marked with how the primary folds it. */
export async function workerSnapshot(registry: Registry): Promise<MetricsSnapshot> {
  const metrics = await registry.getMetricsAsJSON();
  for (const m of metrics) {
    const aggregator = GAUGES[m.name];
    if (aggregator !== undefined) m.aggregator = aggregator;
  }
  return metrics;
}

/** Cumulative metrics only (counters and histograms): what a worker that exited leaves in the totals. */
export function cumulative(snapshot: MetricsSnapshot): MetricsSnapshot {
  // prom-client's types call `type` an enum; at run time it is the exposition's word.
  return snapshot.filter((m) => ['counter', 'histogram'].includes(m.type as unknown as string));
}

/**
 * The workers' snapshots as one exposition: counters and histograms summed (so a total is the
 * gateway's whole, whichever worker is scraped), gauges as marked, and `switchyard_workers`: how
 * many workers answered this scrape.
 */
export async function aggregateSnapshots(snapshots: MetricsSnapshot[], answered: number): Promise<string> {
  const text = await AggregatorRegistry.aggregate(snapshots).metrics();
  return (
    text +
    '# HELP switchyard_workers Worker processes (SWITCHYARD_WORKERS) whose metrics this scrape sums.\n' +
    '# TYPE switchyard_workers gauge\n' +
    `switchyard_workers ${answered}\n`
  );
}

/** Folds several snapshots into one (to keep what exited workers counted without keeping each). */
export function foldSnapshots(snapshots: MetricsSnapshot[]): Promise<MetricsSnapshot> {
  return AggregatorRegistry.aggregate(snapshots).getMetricsAsJSON();
}
