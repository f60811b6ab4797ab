import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { keyPartitioner } from './key-partitioner';

const partitions = (count: number, leaderless: readonly number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
  }));

describe('keyPartitioner', () => {
  it("puts every key where kafkajs's DefaultPartitioner (Java's) puts it, as a string or as bytes", () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const keys = ['', 'a', 'default/web', 'bench-single/svc-17-x9k2f', 'ünïcødé/名前', 'x'.repeat(257)];
    for (let i = 0; i < 500; i++) keys.push(`ns-${i % 7}/service-${i * 7919}`);
    for (const count of [1, 3, 12, 64]) {
      const partitionMetadata = partitions(count);
      for (const key of keys) {
        const expected = theirs({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect({ key, count, partition: ours({ topic: 't', partitionMetadata, message: { key, value: null } }) }).toEqual({ key, count, partition: expected });
        expect(ours({ topic: 't', partitionMetadata, message: { key: Buffer.from(key), value: null } })).toBe(expected);
      }
    }
  });

  it('keeps a partition the record names, even against its key', () => {
    expect(keyPartitioner()({ topic: 't', partitionMetadata: partitions(12), message: { key: 'default/web', value: null, partition: 5 } })).toBe(5);
  });

  it('sends records without a key round the partitions that have a leader', () => {
    const partition = keyPartitioner();
    const chosen = Array.from({ length: 6 }, () => partition({ topic: 't', partitionMetadata: partitions(4, [1]), message: { value: 'v' } }));
    expect(chosen).toEqual([0, 2, 3, 0, 2, 3]);
  });
});
