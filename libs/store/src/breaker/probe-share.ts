/** A backend as probes see it: its name, and a fingerprint of where it is (protocol and base URL). */
export interface ProbeTarget {
  backend: string;
  /** Replicas whose configs point the same name elsewhere (mid-rollout) neither share leases nor verdicts. */
  target: string;
}

/** One probe's result as the replica that made it shares it. */
export interface SharedProbe extends ProbeTarget {
  ok: boolean;
  /** The prober's verdict after this result (its failure/success hysteresis applied). */
  healthy: boolean;
  error?: string;
  ms: number;
  /** Epoch ms of the probe. */
  at: number;
}

/**
 * Shares backend health probing between replicas: in each probe interval one replica claims a
 * backend and probes it, and the others take its result instead of probing it too. Claims never
 * fail the caller: when the shared store cannot answer, every backend is claimed (each replica
 * probes for itself, as it would alone).
 */
export interface ProbeShare {
  /** Starts listening for others' results, and hands over the recent ones (to `receive`). */
  start(): Promise<void>;
  /** Which of `targets` this replica probes this round, in order; a claim lasts `leaseMs`. */
  claim(targets: readonly ProbeTarget[], leaseMs: number): Promise<boolean[]>;
  /** Shares a result this replica probed. Never throws, never blocks the caller. */
  publish(p: SharedProbe): void;
  close(): Promise<void>;
}
