import { GatewayMetrics } from '@switchyard/telemetry';
import { aggregateSnapshots, cumulative, foldSnapshots, workerSnapshot } from './cluster-metrics';

/** Two workers' metrics as the primary gets them: over JSON. */
async function snapshotOf(m: GatewayMetrics) {
  return JSON.parse(JSON.stringify(await workerSnapshot(m.registry))) as Awaited<ReturnType<typeof workerSnapshot>>;
}

const line = (text: string, start: string) => text.split('\n').find((l) => l.startsWith(start));

describe('cluster metrics', () => {
  function worker(requests: number, backendUp: number, circuitOpen: number): GatewayMetrics {
    const m = new GatewayMetrics({ defaultMetrics: false });
    m.requests.add(requests, 'chat', 'local', 'local', '200');
    m.duration.observe(['chat', 'local', 'local'], 0.2);
    m.backendUp.set({ backend: 'local', tier: 'local' }, backendUp);
    m.breakerOpen.set({ breaker: 'local' }, circuitOpen);
    m.inFlight = () => 3;
    return m;
  }

  it('sums counters, histograms and in-flight gauges, and folds backend and breaker gauges as one would read them', async () => {
    const text = await aggregateSnapshots([await snapshotOf(worker(5, 1, 0)), await snapshotOf(worker(7, 0, 1))], 2);
    expect(line(text, 'switchyard_requests_total{')).toBe('switchyard_requests_total{model="chat",backend="local",tier="local",status="200"} 12');
    expect(line(text, 'switchyard_request_duration_seconds_count')).toBe(
      'switchyard_request_duration_seconds_count{model="chat",backend="local",tier="local"} 2',
    );
    expect(line(text, 'switchyard_requests_in_flight')).toBe('switchyard_requests_in_flight 6');
    // Down in one worker's probes: not up. Open in one worker: open.
    expect(line(text, 'switchyard_backend_up{')).toBe('switchyard_backend_up{backend="local",tier="local"} 0');
    expect(line(text, 'switchyard_circuit_open{')).toBe('switchyard_circuit_open{breaker="local"} 1');
    expect(line(text, 'switchyard_workers ')).toBe('switchyard_workers 2');
    expect(text.match(/^# TYPE switchyard_requests_total counter$/gm)).toHaveLength(1);
  });

  it('keeps what an exited worker counted, and none of its gauges', async () => {
    const gone = cumulative(await snapshotOf(worker(5, 1, 1)));
    expect(gone.map((m) => m.name)).not.toContain('switchyard_circuit_open');
    const retired = await foldSnapshots([gone, cumulative(await snapshotOf(worker(2, 1, 0)))]);
    const text = await aggregateSnapshots([await snapshotOf(worker(1, 1, 0)), retired], 1);
    expect(line(text, 'switchyard_requests_total{')).toMatch(/ 8$/);
    expect(line(text, 'switchyard_circuit_open{')).toBe('switchyard_circuit_open{breaker="local"} 0');
    expect(line(text, 'switchyard_requests_in_flight')).toBe('switchyard_requests_in_flight 3');
  });
});
