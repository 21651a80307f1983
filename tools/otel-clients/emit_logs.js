// Emits log records through the OpenTelemetry JS logs SDK and one of its
// OTLP exporters (HTTP JSON, HTTP protobuf or gRPC), as an instrumented
// application would, to a
// collector at URL (Mayak's OTLP listener).
// Usage: node emit_logs.js URL json|protobuf|grpc COUNT
// Prints one JSON line: {"exported": COUNT, "result": ...}; exits non-zero
// when the export failed.
'use strict';
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');

async function main() {
  const [url, encoding, countText] = process.argv.slice(2);
  const count = Number(countText);
  const packages = {
    json: '@opentelemetry/exporter-logs-otlp-http',
    protobuf: '@opentelemetry/exporter-logs-otlp-proto',
    grpc: '@opentelemetry/exporter-logs-otlp-grpc',
  };
  const { OTLPLogExporter } = require(packages[encoding]);
  const exporter = new OTLPLogExporter({ url: encoding === 'grpc' ? url : `${url}/v1/logs` });
  let failures = 0;
  const wrapped = {
    export(records, done) {
      exporter.export(records, (result) => {
        if (result.code !== 0) {
          failures++;
          console.error('export failed:', result.error && result.error.message);
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush ? exporter.forceFlush() : Promise.resolve(),
  };
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': `mes-${encoding}`, 'host.name': 'plant-7' }),
    processors: [new BatchLogRecordProcessor({ exporter: wrapped, maxExportBatchSize: 100 })],
  });
  const logger = provider.getLogger('mes.orders', '1.0.0');
  for (let i = 0; i < count; i++) {
    logger.emit({
      timestamp: Date.UTC(2026, 10, 25, 7, 0, i % 60),
      severityNumber: i % 5 === 0 ? 17 : 9,
      severityText: i % 5 === 0 ? 'ERROR' : 'INFO',
      body: `otel ${encoding} order ${i} status changed`,
      attributes: { 'order.id': 900000 + i, 'order.status': 'released', 'retry': i % 2 === 0 },
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
  console.log(JSON.stringify({ exported: count, failures }));
  if (failures !== 0) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
