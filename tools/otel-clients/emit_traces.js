// Sends the traces of COUNT orders through the OpenTelemetry JS trace SDK
// and one of its OTLP exporters (HTTP JSON, HTTP protobuf or gRPC), as three
// instrumented services would: the shop's API takes the order and calls the
// CRM over HTTP; the CRM publishes it to RabbitMQ; the MES consumes it and
// writes it to PostgreSQL. Context crosses each hop as W3C traceparent
// headers (HTTP headers, then AMQP message headers), injected and extracted
// by the SDK's own propagator.
// Usage: node emit_traces.js URL json|protobuf|grpc COUNT
// Prints one JSON line: {"exported": COUNT, "failures": 0, "traces": [ids]};
// exits non-zero when an export failed.
'use strict';
const api = require('@opentelemetry/api');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { TracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const propagator = new W3CTraceContextPropagator();

// A tracer provider per service, each with its own exporter, as in three
// processes.
function makeService(name, host, encoding, url, failures) {
  const packages = {
    json: '@opentelemetry/exporter-trace-otlp-http',
    protobuf: '@opentelemetry/exporter-trace-otlp-proto',
    grpc: '@opentelemetry/exporter-trace-otlp-grpc',
  };
  const { OTLPTraceExporter } = require(packages[encoding]);
  const exporter = new OTLPTraceExporter({ url: encoding === 'grpc' ? url : `${url}/v1/traces` });
  const counted = {
    export(spans, done) {
      exporter.export(spans, (result) => {
        if (result.code !== 0) {
          failures.count++;
          console.error('export failed:', result.error && result.error.message);
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => (exporter.forceFlush ? exporter.forceFlush() : Promise.resolve()),
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': name, 'host.name': host, 'deployment.environment': encoding,
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter: counted, maxExportBatchSize: 50 })],
  });
  return { provider, tracer: provider.getTracer(`${name}.orders`, '1.0.0') };
}

// A child span of `parent` (a context), from `start` to `end` (ms since epoch).
function span(tracer, name, kind, parent, start, end, attributes, extra = {}) {
  const s = tracer.startSpan(name, { kind, startTime: start, attributes, ...extra }, parent);
  return { span: s, context: api.trace.setSpan(parent, s), end: () => s.end(end) };
}

async function main() {
  const [url, encoding, countText] = process.argv.slice(2);
  const count = Number(countText);
  const failures = { count: 0 };
  const shop = makeService('shop', 'shop-1', encoding, url, failures);
  const crm = makeService('crm', 'crm-1', encoding, url, failures);
  const mes = makeService('mes', 'plant-1', encoding, url, failures);
  const traces = [];
  const t0 = Date.now() - 60_000;
  for (let i = 0; i < count; i++) {
    const at = t0 + i * 10;
    const orderId = `ORD-${encoding}-${i}`;
    const failed = i % 5 === 0;
    // The shop's API: the request, and its call to the CRM.
    const request = span(shop.tracer, 'POST /api/orders', api.SpanKind.SERVER, api.ROOT_CONTEXT,
                         at, at + 120, {
                           'http.request.method': 'POST', 'url.path': '/api/orders',
                           'order.id': orderId, 'user.email': 'jane.doe@example.com',
                           'http.response.status_code': failed ? 500 : 201,
                         });
    traces.push(request.span.spanContext().traceId);
    const call = span(shop.tracer, 'POST /crm/orders', api.SpanKind.CLIENT, request.context,
                      at + 10, at + 90, { 'http.request.method': 'POST', 'server.address': 'crm' });
    const httpHeaders = {};
    propagator.inject(call.context, httpHeaders, api.defaultTextMapSetter);
    // The CRM: takes the call (context from the HTTP headers), publishes.
    const crmContext = propagator.extract(api.ROOT_CONTEXT, httpHeaders, api.defaultTextMapGetter);
    const handle = span(crm.tracer, 'POST /crm/orders', api.SpanKind.SERVER, crmContext,
                        at + 12, at + 87, { 'order.id': orderId });
    if (failed) {
      handle.span.addEvent('exception', { 'exception.type': 'CustomerLocked',
                                          'exception.message': 'customer 42 is locked' },
                           at + 20);
      handle.span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'customer locked' });
    }
    const publish = span(crm.tracer, 'orders publish', api.SpanKind.PRODUCER, handle.context,
                         at + 60, at + 65, {
                           'messaging.system': 'rabbitmq', 'messaging.destination.name': 'orders',
                         });
    const messageHeaders = {};
    propagator.inject(publish.context, messageHeaders, api.defaultTextMapSetter);
    // The MES: consumes the message (context from its headers, and a link to
    // the producer), writes the order to PostgreSQL.
    const mesContext = propagator.extract(api.ROOT_CONTEXT, messageHeaders,
                                          api.defaultTextMapGetter);
    const consume = span(mes.tracer, 'orders process', api.SpanKind.CONSUMER, mesContext,
                         at + 70, at + 370, {
                           'messaging.system': 'rabbitmq', 'messaging.destination.name': 'orders',
                           'order.id': orderId,
                         }, { links: [{ context: publish.span.spanContext() }] });
    const query = span(mes.tracer, 'UPDATE orders', api.SpanKind.CLIENT, consume.context,
                       at + 100, at + 340, {
                         'db.system': 'postgresql',
                         'db.statement': "UPDATE users SET password='hunter2' WHERE id=42",
                       });
    for (const s of [query, consume, publish, handle, call, request]) s.end();
  }
  for (const service of [shop, crm, mes]) {
    await service.provider.forceFlush();
    await service.provider.shutdown();
  }
  console.log(JSON.stringify({ exported: count, failures: failures.count, traces }));
  if (failures.count !== 0) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
