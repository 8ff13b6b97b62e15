import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from './logger';

/** The span exporters Switchyard can start: OTLP over HTTP (JSON) and the console. */
export type TraceExporterName = 'otlp' | 'console';

/**
 * Which exporters the standard `OTEL_*` variables ask for; none means tracing stays off. Off unless an
 * OTLP endpoint is set or `OTEL_TRACES_EXPORTER` names otlp or console; `OTEL_SDK_DISABLED=true` and
 * `OTEL_TRACES_EXPORTER=none` turn it off whatever else is set.
 */
export function traceExporters(env: NodeJS.ProcessEnv): TraceExporterName[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return [];
  const named = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  if (named.length === 0) return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? ['otlp'] : [];
  return [...new Set(named)].filter((s): s is TraceExporterName => s === 'otlp' || s === 'console');
}

let enabled = false;
let processors: SpanProcessor[] = [];

/** True once startTracing started the SDK in this process. Read it once (at construction), not per request. */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Starts OpenTelemetry tracing when the `OTEL_*` variables ask for it (see traceExporters), before
 * anything makes spans: call it first in a main. Spans are made by hand where they mean something;
 * no auto-instrumentation is loaded. Sampler (`OTEL_TRACES_SAMPLER[_ARG]`), batching (`OTEL_BSP_*`),
 * propagators (`OTEL_PROPAGATORS`), resource (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`) and
 * the exporter's endpoint, headers, timeout and compression come from the usual variables;
 * `serviceName` applies when they name no service. Returns what flushes and stops it (a no-op when off).
 */
export function startTracing(serviceName: string, log?: Logger): () => Promise<void> {
  const env = process.env;
  const exporters = traceExporters(env);
  if (exporters.length === 0 || enabled) return () => Promise.resolve();
  // Loaded only when tracing is on: the SDK is a large module tree the gateway need not load otherwise.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (exporters.includes('otlp') && protocol && protocol !== 'http/json') {
    log?.warn({ protocol }, 'tracing: only OTLP over HTTP with JSON is supported; sending http/json to the configured endpoint');
  }
  processors = exporters.map((name) =>
    name === 'otlp' ? new BatchSpanProcessor(new OTLPTraceExporter()) : new SimpleSpanProcessor(new ConsoleSpanExporter()),
  );
  const named = Boolean(env.OTEL_SERVICE_NAME) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const sdk = new NodeSDK({
    serviceName: named ? undefined : serviceName,
    spanProcessors: processors,
    // Traces only: without these the SDK would also start OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  enabled = true;
  log?.info({ exporters, service: named ? undefined : serviceName }, 'tracing on');
  return async () => {
    enabled = false;
    processors = [];
    await sdk.shutdown();
  };
}

/** Exports the spans that ended so far (a closing app calls it; the process may exit right after). */
export async function flushTracing(): Promise<void> {
  await Promise.all(processors.map((p) => p.forceFlush()));
}
