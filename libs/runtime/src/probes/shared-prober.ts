import { createHash } from 'node:crypto';
import { probeBackend, type BackendAdapter, type ProbeReport } from '@switchyard/adapters';
import type { ProbeShare, ProbeTarget } from '@switchyard/store';

/** What PolicyRuntime runs on an interval: BackendProber alone, or SharedProber among replicas. */
export interface Prober {
  start(): void;
  stop(): void;
  /** One round; the reports of the backends this process probed ([] while a round is still out). */
  probeAll(): Promise<ProbeReport[]>;
}

/**
 * A claim lasts this share of the interval: the replica that probed last finds its claim lapsed on
 * its next tick (timers fire late, never early) and keeps the job; a replica whose tick falls in
 * between is refused, so no backend gets two probes in one interval.
 */
const LEASE_SHARE = 0.9;

/**
 * BackendProber's round, shared with other replicas through a ProbeShare: each round claims the
 * backends first and probes only those this replica won. The others' results arrive through the
 * share (PolicyRuntime.applyShared). A share that cannot answer claims everything: each replica
 * then probes for itself, as a lone one does.
 */
export class SharedProber implements Prober {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly adapters: () => Iterable<BackendAdapter>,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly onReport: (r: ProbeReport) => void,
    private readonly share: ProbeShare,
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
      const all = [...this.adapters()];
      const claims = await this.share.claim(
        all.map((a) => probeTarget(a.backend)),
        this.intervalMs * LEASE_SHARE,
      );
      const mine = all.filter((_, i) => claims[i]);
      const reports = await Promise.all(mine.map((a) => probeBackend(a, this.timeoutMs)));
      for (const r of reports) this.onReport(r);
      return reports;
    } finally {
      this.running = false;
    }
  }
}

/** A backend's name and a fingerprint of where it is: replicas on different configs for one name do not share. */
export function probeTarget(backend: { name: string; protocol: string; baseUrl: string }): ProbeTarget {
  return { backend: backend.name, target: createHash('sha256').update(`${backend.protocol} ${backend.baseUrl}`).digest('hex').slice(0, 16) };
}
