// Sends the traces of COUNT orders through Zipkin's JS tracer and its HTTP
// transport (JSON v2), as three instrumented services would: the shop's API
// calls the CRM (a client and a server span sharing one id, Zipkin's default
// with B3 propagation); the CRM publishes to RabbitMQ; the MES consumes.
// Usage: node emit_zipkin.js URL COUNT   (URL: Mayak's zipkin listener)
// Prints one JSON line: {"exported": COUNT, "failures": 0, "traces": [ids]};
// exits non-zero when a request failed.
'use strict';
const { Tracer, BatchRecorder, ExplicitContext, Annotation, jsonEncoder } = require('zipkin');
const { HttpLogger } = require('zipkin-transport-http');

function makeService(name, url, failures) {
  const logger = new HttpLogger({
    endpoint: `${url}/api/v2/spans`,
    jsonEncoder: jsonEncoder.JSON_V2,
    httpInterval: 3600 * 1000, // sent when the script flushes, below
  });
  logger.on('error', (error) => {
    failures.count++;
    console.error(error.message);
  });
  const tracer = new Tracer({
    ctxImpl: new ExplicitContext(),
    recorder: new BatchRecorder({ logger }),
    localServiceName: name,
    traceId128Bit: true,
  });
  // Each span names its service, as Zipkin's instrumentations do.
  const start = (id, name) => {
    tracer.setId(id);
    tracer.recordServiceName(tracer.localEndpoint.serviceName);
    tracer.recordRpc(name);
  };
  return { tracer, logger, start };
}

// Flushes a logger's queue; resolves once Mayak answered.
function flush(logger) {
  return new Promise((resolve) => {
    if (logger.queue.length === 0) return resolve();
    logger.once('success', resolve);
    logger.once('error', resolve);
    logger.processQueue(logger.fetchImplementation);
  });
}

async function main() {
  const [url, countText] = process.argv.slice(2);
  const count = Number(countText);
  const failures = { count: 0 };
  const shop = makeService('shop', url, failures);
  const crm = makeService('crm', url, failures);
  const mes = makeService('mes', url, failures);
  const traces = [];
  const t0 = (Date.now() - 60_000) * 1000; // microseconds
  for (let i = 0; i < count; i++) {
    const at = t0 + i * 10_000;
    const record = (service, id, annotations) => {
      service.tracer.setId(id);
      for (const [annotation, offset] of annotations) {
        service.tracer.recordAnnotation(annotation, at + offset);
      }
    };
    // The shop: its request (root) and its call to the CRM.
    const root = shop.tracer.createRootId();
    traces.push(root.traceId);
    shop.start(root, 'post /api/orders');
    shop.tracer.recordBinary('order.id', `ORD-zipkin-${i}`);
    if (i % 5 === 0) shop.tracer.recordBinary('error', 'payment declined');
    const call = shop.tracer.createChildId();
    shop.start(call, 'post /crm/orders');
    // The CRM joins the call: its server span shares the client's id.
    const joined = crm.tracer.join(call);
    crm.start(joined, 'post /crm/orders');
    record(crm, joined, [[new Annotation.ServerRecv(), 12_000]]);
    // It publishes; the MES consumes as the producer's child.
    const publish = crm.tracer.createChildId();
    crm.start(publish, 'publish');
    crm.tracer.recordAnnotation(new Annotation.MessageAddr({ serviceName: "rabbitmq" }));
    record(crm, publish, [[new Annotation.ProducerStart(), 60_000],
                          [new Annotation.ProducerStop(), 65_000]]);
    mes.tracer.setId(publish);
    const consume = mes.tracer.createChildId();
    mes.start(consume, 'process');
    record(mes, consume, [[new Annotation.ConsumerStart(), 70_000],
                          [new Annotation.ConsumerStop(), 370_000]]);
    record(crm, joined, [[new Annotation.ServerSend(), 87_000]]);
    record(shop, call, [[new Annotation.ClientSend(), 10_000],
                        [new Annotation.ClientRecv(), 90_000]]);
    record(shop, root, [[new Annotation.ServerRecv(), 0], [new Annotation.ServerSend(), 120_000]]);
  }
  for (const service of [shop, crm, mes]) await flush(service.logger);
  console.log(JSON.stringify({ exported: count, failures: failures.count, traces }));
  if (failures.count !== 0) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
