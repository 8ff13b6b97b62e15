import { Inject, Injectable } from '@nestjs/common';
import type { RequestOutcome } from '@switchyard/contracts';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { OutcomeBus } from './outcome-bus';

/** One access log line: who asked what, where it ran, how it ended, what it cost. Key ids only; never prompt or completion text. */
export interface AccessLine {
  requestId: string;
  traceId?: string;
  tenantId?: string;
  keyId?: string;
  method: string;
  endpoint: string;
  model?: string;
  backend?: string;
  tier?: string;
  route?: string;
  status: number;
  errorCode?: string;
  durationMs: number;
  ttftMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** What it would have cost all-cloud: savings are this minus `costUsd`. */
  referenceCostUsd?: number;
  streamed: boolean;
  /** Attempts after the first (0: the first target answered or the request never reached one). */
  fallbacks: number;
}

export function accessLine(o: RequestOutcome): AccessLine {
  return {
    requestId: o.requestId,
    traceId: o.traceId,
    tenantId: o.principal?.tenantId,
    keyId: o.principal?.keyId,
    method: o.method,
    endpoint: o.endpoint,
    model: o.model,
    backend: o.backend,
    tier: o.tier,
    route: o.route,
    status: o.status,
    errorCode: o.errorCode,
    durationMs: o.latencyMs,
    ttftMs: o.ttftMs,
    inputTokens: o.inputTokens,
    outputTokens: o.outputTokens,
    costUsd: o.costUsd,
    referenceCostUsd: o.referenceCostUsd,
    streamed: o.streamed,
    fallbacks: Math.max(0, o.attempts.length - 1),
  };
}

/** Writes one JSON line per `/v1` request at info level (`component: access`, message `request`), from its outcome. */
@Injectable()
export class AccessLog {
  constructor(bus: OutcomeBus, @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime) {
    const log = runtime.logger.child({ component: 'access' });
    bus.subscribe((o) => log.info(accessLine(o), 'request'));
  }
}
