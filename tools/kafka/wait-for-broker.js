'use strict';
// One quick metadata round-trip against the broker: exit 0 if it answers, 1 otherwise.
// Usage: node tools/kafka/wait-for-broker.js [host:port]   (default 127.0.0.1:9092)
const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2] || process.env.KAFKA_BROKER || '127.0.0.1:9092';

async function main() {
  const kafka = new Kafka({
    clientId: 'wait-for-broker',
    brokers: [broker],
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.listTopics();
    if (process.env.VERBOSE) console.log(JSON.stringify(cluster));
    return cluster.brokers.length > 0 ? 0 : 1;
  } catch (err) {
    if (process.env.VERBOSE) console.error(`${broker}: ${err.message}`);
    return 1;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

main().then((code) => process.exit(code));
