import type { BackendAdapter } from '../adapter';

export interface ProbeReport {
  backend: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/**
 * Probes every backend on an interval with the protocol's cheap call (a model listing) and
 * reports each result. Runs off the request path; a slow probe never overlaps the next one.
 */
export class BackendProber {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private adapters: () => Iterable<BackendAdapter>,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly onReport: (r: ProbeReport) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async probeAll(): Promise<ProbeReport[]> {
    if (this.running) return [];
    this.running = true;
    try {
      const reports = await Promise.all([...this.adapters()].map((a) => probeBackend(a, this.timeoutMs)));
      for (const r of reports) this.onReport(r);
      return reports;
    } finally {
      this.running = false;
    }
  }
}

/** One probe of one backend: its protocol's cheap call (a model listing), bounded by `timeoutMs`. */
export async function probeBackend(adapter: BackendAdapter, timeoutMs: number): Promise<ProbeReport> {
  const t0 = performance.now();
  try {
    await adapter.probe(AbortSignal.timeout(timeoutMs));
    return { backend: adapter.backend.name, ok: true, ms: performance.now() - t0 };
  } catch (err) {
    return { backend: adapter.backend.name, ok: false, error: (err as Error).message, ms: performance.now() - t0 };
  }
}
