import { GatewayMetrics } from './metrics';

describe('GatewayMetrics tallies', () => {
  it('shows every request counted on the request path at the next scrape, by label', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    for (let i = 0; i < 3; i++) m.requests.inc('chat', 'local', 'local', '200');
    m.requests.inc('other', 'cloud', 'cloud', '200');
    m.attempts.inc('local', 'ok');
    m.attempts.inc('local', 'timeout');
    const text = await m.registry.metrics();
    expect(text).toContain('switchyard_requests_total{model="chat",backend="local",tier="local",status="200"} 3');
    expect(text).toContain('switchyard_requests_total{model="other",backend="cloud",tier="cloud",status="200"} 1');
    expect(text).toContain('switchyard_upstream_attempts_total{backend="local",outcome="timeout"} 1');
    // Counts are moved, not copied: a second scrape adds only what came since.
    m.requests.inc('other', 'cloud', 'cloud', '200');
    expect(await m.registry.metrics()).toContain('switchyard_requests_total{model="other",backend="cloud",tier="cloud",status="200"} 2');
  });

  it('adds amounts, and leaves the tenant out unless it is opted in', async () => {
    const off = new GatewayMetrics({ defaultMetrics: false });
    off.tokens.add(12, 'input', 'chat', 'local', 'local', 'acme');
    off.tokens.add(30, 'input', 'chat', 'local', 'local', 'globex');
    off.cost.add(0.25, 'chat', 'cloud', 'cloud', 'acme');
    off.cost.add(0.5, 'chat', 'cloud', 'cloud', 'acme');
    let text = await off.registry.metrics();
    expect(text).toContain('switchyard_tokens_total{direction="input",model="chat",backend="local",tier="local"} 42');
    expect(text).toContain('switchyard_cost_usd_total{model="chat",backend="cloud",tier="cloud"} 0.75');

    const on = new GatewayMetrics({ defaultMetrics: false, tenantLabel: true });
    on.requests.inc('chat', 'local', 'local', '200', 'acme');
    on.tokens.add(12, 'output', 'chat', 'local', 'local', 'acme');
    text = await on.registry.metrics();
    expect(text).toContain('switchyard_requests_total{model="chat",backend="local",tier="local",status="200",tenant="acme"} 1');
    expect(text).toContain('switchyard_tokens_total{direction="output",model="chat",backend="local",tier="local",tenant="acme"} 12');
  });

  it('sums savings as a gauge that may fall', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    m.savings.add(0.5, 'chat', 'local', 'local');
    m.savings.add(-0.125, 'chat', 'local', 'local');
    expect(await m.registry.metrics()).toContain('switchyard_savings_usd_total{model="chat",backend="local",tier="local"} 0.375');
    m.savings.add(-1, 'chat', 'local', 'local');
    expect(await m.registry.metrics()).toContain('switchyard_savings_usd_total{model="chat",backend="local",tier="local"} -0.625');
  });

  it('reads in-flight requests and the ledger backlog at scrape time, 0 while nothing reports them', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    let text = await m.registry.metrics();
    expect(text).toContain('switchyard_requests_in_flight 0');
    expect(text).toContain('switchyard_ledger_queue_depth 0');
    expect(text).toContain('switchyard_ledger_spool_bytes 0');
    m.inFlight = () => 3;
    m.ledgerStats = () => ({ queued: 7, spoolBytes: 2048 });
    text = await m.registry.metrics();
    expect(text).toContain('switchyard_requests_in_flight 3');
    expect(text).toContain('switchyard_ledger_queue_depth 7');
    expect(text).toContain('switchyard_ledger_spool_bytes 2048');
  });

  it('batches overhead observations into the histogram, bounded between scrapes', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    for (let i = 0; i < 5_000; i++) m.overhead.observe('direct', 0.0002);
    const text = await m.registry.metrics();
    expect(text).toContain('switchyard_gateway_overhead_seconds_count{route="direct"} 5000');
    expect(text).toContain('switchyard_gateway_overhead_seconds_bucket{le="0.00025",route="direct"} 5000');
    // Past the bound, observations already sit in the histogram before any scrape.
    const pending = (m.overhead as unknown as { pending: Map<string, { list: number[] }> }).pending.get('direct')!.list;
    expect(pending.length).toBe(0);
    for (let i = 0; i < 4_100; i++) m.overhead.observe('direct', 0.0002);
    expect(pending.length).toBe(4_100 - 4_096);
  });

  it('observes histograms with several labels', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    m.duration.observe(['chat', 'local', 'local'], 0.3);
    m.duration.observe(['chat', 'local', 'local'], 7);
    m.ttft.observe(['chat', 'local', 'local'], 0.04);
    const text = await m.registry.metrics();
    expect(text).toContain('switchyard_request_duration_seconds_count{model="chat",backend="local",tier="local"} 2');
    expect(text).toContain('switchyard_request_duration_seconds_bucket{le="0.5",model="chat",backend="local",tier="local"} 1');
    expect(text).toContain('switchyard_ttft_seconds_count{model="chat",backend="local",tier="local"} 1');
  });
});
