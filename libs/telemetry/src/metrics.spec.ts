import { GatewayMetrics } from './metrics';

describe('GatewayMetrics tallies', () => {
  it('shows every request counted on the request path at the next scrape, by label', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    for (let i = 0; i < 3; i++) m.requests.inc('model:chat', 'local', 'local', '200');
    m.requests.inc('direct', 'cloud', 'cloud', '200');
    m.attempts.inc('local', 'ok');
    m.attempts.inc('local', 'timeout');
    const text = await m.registry.metrics();
    expect(text).toContain('switchyard_requests_total{route="model:chat",backend="local",tier="local",status="200"} 3');
    expect(text).toContain('switchyard_requests_total{route="direct",backend="cloud",tier="cloud",status="200"} 1');
    expect(text).toContain('switchyard_upstream_attempts_total{backend="local",outcome="timeout"} 1');
    // Counts are moved, not copied: a second scrape adds only what came since.
    m.requests.inc('direct', 'cloud', 'cloud', '200');
    expect(await m.registry.metrics()).toContain('switchyard_requests_total{route="direct",backend="cloud",tier="cloud",status="200"} 2');
  });

  it('batches overhead observations into the histogram, bounded between scrapes', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    for (let i = 0; i < 5_000; i++) m.overhead.observe('direct', 0.0002);
    const text = await m.registry.metrics();
    expect(text).toContain('switchyard_gateway_overhead_seconds_count{route="direct"} 5000');
    expect(text).toContain('switchyard_gateway_overhead_seconds_bucket{le="0.00025",route="direct"} 5000');
    // Past the bound, observations already sit in the histogram before any scrape.
    const pending = (m.overhead as unknown as { pending: Map<string, number[]> }).pending.get('direct')!;
    expect(pending.length).toBe(0);
    for (let i = 0; i < 4_100; i++) m.overhead.observe('direct', 0.0002);
    expect(pending.length).toBe(4_100 - 4_096);
  });
});
