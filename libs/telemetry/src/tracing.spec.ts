import { traceExporters } from './tracing';

describe('traceExporters: what the OTEL_* variables ask for', () => {
  it.each([
    ['nothing set: off', {}, []],
    ['an OTLP endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, ['otlp']],
    ['a traces endpoint', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, ['otlp']],
    ['an empty endpoint is no endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }, []],
    ['otlp named, default endpoint', { OTEL_TRACES_EXPORTER: 'otlp' }, ['otlp']],
    ['console only, though an endpoint is set', { OTEL_TRACES_EXPORTER: 'console', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, ['console']],
    ['both, spaced and repeated', { OTEL_TRACES_EXPORTER: ' otlp , console,otlp' }, ['otlp', 'console']],
    ['none wins over an endpoint', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, []],
    ['an exporter Switchyard does not ship', { OTEL_TRACES_EXPORTER: 'zipkin' }, []],
    ['the SDK disabled', { OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, []],
    ['OTEL_SDK_DISABLED=false is not disabled', { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, ['otlp']],
  ])('%s', (_name, env: NodeJS.ProcessEnv, expected) => {
    expect(traceExporters(env)).toEqual(expected);
  });
});
