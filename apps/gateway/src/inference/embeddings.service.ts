import { Injectable } from '@nestjs/common';
import { rawJson } from '@switchyard/adapters';
import type { EmbeddingsRequest, EmbeddingsResponse } from '@switchyard/contracts';
import type { RequestFeatures, ScanResult } from '@switchyard/policy';
import { GatewayMetrics } from '@switchyard/telemetry';
import type { Answer } from '../dialect/responder';
import { ChainExecutor } from '../routing/chain-executor.service';
import { PlacementService } from '../routing/placement.service';
import { routedHeaders } from '../routing/routed-response';
import type { RequestContext } from '../routing/request-context';

/** Embeddings along the chain; inputs were scanned like prompts, so local-only, redact and deny hold here too. */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly chain: ChainExecutor,
    private readonly placement: PlacementService,
    private readonly metrics: GatewayMetrics,
  ) {}

  async create(request: EmbeddingsRequest, features: RequestFeatures, scan: ScanResult | undefined, ctx: RequestContext): Promise<Answer<EmbeddingsResponse>> {
    const privacy = this.placement.privacy;
    const placed = await this.chain.run(features, ctx, (adapter, candidate) => {
      const { request: sent, ctx: call } = privacy.outbound(request, scan, candidate, ctx, false);
      return adapter.embeddings(sent, candidate.model, call);
    });
    placed.settle({ success: true });
    if (ctx.outcome !== undefined) ctx.outcome.inputTokens = placed.result.usage?.prompt_tokens;
    // Embeddings are mostly numbers: sending the backend's bytes spares serialising them again.
    return { body: placed.result, raw: rawJson(placed.result), headers: routedHeaders(placed, ctx, this.metrics) };
  }
}
