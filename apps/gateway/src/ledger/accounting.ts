import { Injectable } from '@nestjs/common';
import type { RequestOutcome } from '@switchyard/contracts';
import { cheapestCostUsd, costTable, requestCostUsd } from '@switchyard/policy';
import { PolicyRuntime, type Generation } from '@switchyard/runtime';
import { OutcomeBus, type OutcomeDraft } from '../observability/outcome-bus';

/** USD of a request on one target; a local box's measured speed is read only when it is priced by the hour. */
export function costOn(gen: Generation, backend: string, model: string, input: number, output: number): number {
  const rates = costTable(gen.config).of(backend, model);
  const tps = rates.price === undefined && rates.costPerHour ? gen.registry.backend(backend).tokensPerSec : undefined;
  return requestCostUsd(rates, input, output, tps);
}

/**
 * Completes every outcome before its listeners read it, so that metrics, limits, logs and the
 * ledger all see the same figures: tokens the backend did not report, counted with the limits'
 * tokenizer (a stream without usage, a client that left); the cost where it ran; and what the same
 * tokens would have cost all-cloud, the reference savings are measured against.
 */
@Injectable()
export class OutcomeAccounting {
  constructor(
    bus: OutcomeBus,
    private readonly policy: PolicyRuntime,
  ) {
    bus.account((outcome, draft) => this.complete(outcome, draft));
  }

  complete(outcome: RequestOutcome, draft: OutcomeDraft): void {
    if (draft.cacheServed !== undefined && outcome.status < 400) return this.hit(outcome, draft.cacheServed);
    const served = servedBy(outcome);
    if (served === undefined) {
      outcome.costUsd = 0;
      outcome.referenceCostUsd = 0;
      return;
    }
    if (outcome.inputTokens === undefined) {
      outcome.inputTokens = draft.promptTokens() ?? 0;
      outcome.tokensCounted = true;
    }
    if (outcome.outputTokens === undefined) {
      outcome.outputTokens = draft.meter?.tokens() ?? 0;
      outcome.tokensCounted = true;
    }
    const gen = this.policy.current;
    const input = outcome.inputTokens;
    const output = outcome.outputTokens;
    const cost = costOn(gen, served.backend, served.model, input, output);
    outcome.costUsd = cost;
    outcome.referenceCostUsd = this.reference(gen, outcome, cost, input, output);
  }

  /**
   * A cached answer: its tokens are the original's, its cost the share `cache.hitCharge` of what
   * asking the same backend again would cost, and the rest is what the cache saved. Its reference
   * is the original's, so savings against all-cloud include the cache's.
   */
  private hit(outcome: RequestOutcome, served: { backend: string; model: string }): void {
    const gen = this.policy.current;
    const input = outcome.inputTokens ?? 0;
    const output = outcome.outputTokens ?? 0;
    const full = costOn(gen, served.backend, served.model, input, output);
    const cost = full * gen.config.cache.hitCharge;
    outcome.costUsd = cost;
    outcome.cacheSavedUsd = full - cost;
    outcome.referenceCostUsd = this.reference(gen, outcome, full, input, output);
  }

  private reference(gen: Generation, outcome: RequestOutcome, cost: number, input: number, output: number): number {
    const configured = gen.config.usage.reference;
    if (configured !== undefined) return costOn(gen, configured.backend, configured.model, input, output);
    // A cloud answer would have cost what it did; a local one, the cheapest cloud target that could have served it.
    if (outcome.tier === 'cloud') return cost;
    const table = costTable(gen.config);
    const route = outcome.model === undefined ? undefined : gen.engine.catalog.resolve(outcome.model);
    const chain = route?.targets.filter((t) => t.tier === 'cloud').map((t) => table.of(t.backend, t.model)) ?? [];
    return cheapestCostUsd(chain, input, output) ?? cheapestCostUsd(table.cloud, input, output) ?? cost;
  }
}

/** The target that answered: the last successful attempt, or the one whose stream failed after it began. */
function servedBy(outcome: RequestOutcome): { backend: string; model: string } | undefined {
  const attempts = outcome.attempts;
  for (let i = attempts.length - 1; i >= 0; i--) if (attempts[i].outcome === 'ok') return attempts[i];
  return outcome.ttftMs !== undefined && attempts.length > 0 ? attempts[attempts.length - 1] : undefined;
}
