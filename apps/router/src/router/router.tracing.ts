import { Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_RPC_METHOD, ATTR_RPC_STATUS_CODE, ATTR_RPC_SYSTEM_NAME } from '@opentelemetry/semantic-conventions';
import type { RequestFeatures, RouteDecision } from '@switchyard/policy';
import { decisionAttributes, GenAiAttr, ROUTER_DECIDE_METHOD, tracingEnabled } from '@switchyard/telemetry';

/** Reads a gateway's trace context out of a call's gRPC metadata. */
const METADATA_GETTER: TextMapGetter<Metadata> = {
  get: (metadata, key) => {
    const values = metadata.get(key);
    return values.length === 0 ? undefined : values.map(String);
  },
  keys: (metadata) => Object.keys(metadata.getMap()),
};

/**
 * The router's span per decision: a SERVER span, child of the gateway's gRPC call when the call's
 * metadata carries its trace context (a traced gateway asks with a unary Decide for that; decisions
 * asked over DecideStream have no context and start traces of their own). `on` is read once at start.
 */
@Injectable()
export class DecideTracing {
  readonly on = tracingEnabled();
  private readonly tracer: Tracer = trace.getTracer('switchyard-router');

  decide(features: RequestFeatures, metadata: Metadata | undefined, decide: () => RouteDecision | undefined): RouteDecision | undefined {
    const parent = metadata === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, metadata, METADATA_GETTER);
    const span = this.tracer.startSpan(
      ROUTER_DECIDE_METHOD,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_RPC_SYSTEM_NAME]: 'grpc', [ATTR_RPC_METHOD]: ROUTER_DECIDE_METHOD, [GenAiAttr.REQUEST_MODEL]: features.model },
      },
      parent,
    );
    try {
      const decision = decide();
      span.setAttribute(ATTR_RPC_STATUS_CODE, 'OK');
      if (decision !== undefined) span.setAttributes(decisionAttributes(decision));
      return decision;
    } catch (err) {
      span.setAttributes({ [ATTR_RPC_STATUS_CODE]: 'INTERNAL', [ATTR_ERROR_TYPE]: err instanceof Error ? err.name : 'internal' });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'INTERNAL' });
      throw err;
    } finally {
      span.end();
    }
  }
}
