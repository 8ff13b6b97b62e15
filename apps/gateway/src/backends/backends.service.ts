import { Injectable, type Provider } from '@nestjs/common';
import { probeBackend, type BackendAdapter, type ProbeReport } from '@switchyard/adapters';
import { PolicyRuntime } from '@switchyard/runtime';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

/** How long a replaced adapter keeps its pool for requests (long streams) already using it. */
const RETIRE_GRACE_MS = 60_000;

/**
 * The process's PolicyRuntime: engine, backend state, adapters and, in embedded mode, the prober
 * (with ROUTER_URL the router probes). PlacementService starts and stops it.
 */
export const policyRuntimeProvider: Provider = {
  provide: PolicyRuntime,
  inject: [GATEWAY_RUNTIME],
  useFactory: (runtime: GatewayRuntime): PolicyRuntime => new PolicyRuntime(runtime.config, { probe: !runtime.routerUrl, retireGraceMs: RETIRE_GRACE_MS }),
};

/** One adapter (and so one keep-alive pool) per configured backend: those of the runtime's current generation. */
@Injectable()
export class BackendsService {
  constructor(private readonly policy: PolicyRuntime) {}

  get(name: string): BackendAdapter {
    return this.policy.adapter(name);
  }

  /** Probes every backend at once; each gets `timeoutMs`. */
  probeAll(timeoutMs: number): Promise<ProbeReport[]> {
    return Promise.all([...this.policy.current.adapters.values()].map((a) => probeBackend(a, timeoutMs)));
  }
}
