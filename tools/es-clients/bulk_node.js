// Sends documents to an Elasticsearch-compatible server with the official
// Node.js client's bulk helper, as an application would, then checks the
// start-up calls a client makes. Usage: node bulk_node.js URL COUNT
// Prints one JSON line: {"total", "successful", "failed", "version"}; exits
// non-zero on any failure.
'use strict';
const { Client } = require('@elastic/elasticsearch');

async function main() {
  const [url, countText] = process.argv.slice(2);
  const count = Number(countText);
  const client = new Client({ node: url, maxRetries: 0, requestTimeout: 30000 });
  const info = await client.info();
  const docs = [];
  for (let i = 0; i < count; i++) {
    docs.push({
      '@timestamp': new Date(Date.UTC(2026, 10, 25, 8, 0, i % 60)).toISOString(),
      'log.level': i % 10 === 0 ? 'error' : 'info',
      message: `node client order ${i} placed`,
      service: { name: 'shop-api' },
      order: { id: 500000 + i },
    });
  }
  const stats = await client.helpers.bulk({
    datasource: docs,
    flushBytes: 20000,  // several requests
    onDocument: () => ({ create: { _index: 'logs-shop-default' } }),
    onDrop: (dropped) => {
      console.error('dropped:', JSON.stringify(dropped));
    },
  });
  // A shipper's start-up checks: template and policy round trips.
  await client.indices.putIndexTemplate({
    name: 'mayak-node-test',
    index_patterns: ['logs-shop-*'],
    data_stream: {},
    priority: 200,
  });
  const template = await client.indices.getIndexTemplate({ name: 'mayak-node-test' });
  if (template.index_templates[0].index_template.priority !== 200) {
    throw new Error('the template did not come back as put: ' + JSON.stringify(template));
  }
  const exists = await client.indices.existsIndexTemplate({ name: 'mayak-node-test' });
  if (exists !== true) throw new Error('existsIndexTemplate said ' + exists);
  console.log(JSON.stringify({
    total: stats.total, successful: stats.successful, failed: stats.failed,
    version: info.version.number,
  }));
  if (stats.failed !== 0 || stats.successful !== count) process.exit(1);
}

main().catch((error) => {
  console.error(error && error.meta ? JSON.stringify(error.meta.body) : error);
  console.error(error);
  process.exit(2);
});
