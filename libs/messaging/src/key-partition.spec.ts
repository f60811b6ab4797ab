import { Partitioners } from 'kafkajs';
import { keyPartition, murmur2 } from './key-partition';

describe('keyPartition', () => {
  const kafkaPartition = (key: string, partitions: number): number =>
    Partitioners.DefaultPartitioner()({
      topic: 'events',
      partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] })),
      message: { key, value: null },
    });

  it('computes murmur2 exactly as the Java client (vectors from Kafka UtilsTest.testMurmur2)', () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [input, hash] of vectors) expect({ input, hash: murmur2(Buffer.from(input)) }).toEqual({ input, hash });
  });

  it.each([1, 3, 12, 100])('puts every key on the partition kafkajs chooses, with %i partitions', (partitions) => {
    const keys = ['', 'a', 'ab', 'abc', 'default/web', 'ünïcödé/日本', ...Array.from({ length: 200 }, (_, i) => `ns${i % 7}/svc-${i}`)];
    for (const key of keys) {
      expect({ key, partition: keyPartition(key, partitions) }).toEqual({ key, partition: kafkaPartition(key, partitions) });
    }
  });
});
