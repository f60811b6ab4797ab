/**
 * Kafka's default partitioner for keyed records: `toPositive(murmur2(utf8(key))) % partitions`,
 * as in the Java client and kafkajs' DefaultPartitioner. The embedded log uses it too, so a key
 * lands on the same partition whichever transport carries it.
 */
export const keyPartition = (key: string | Uint8Array, partitions: number): number =>
  (murmur2(typeof key === 'string' ? Buffer.from(key, 'utf8') : key) & 0x7fffffff) % partitions;

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** org.apache.kafka.common.utils.Utils.murmur2, in 32-bit integer arithmetic. */
export const murmur2 = (data: Uint8Array): number => {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
};
