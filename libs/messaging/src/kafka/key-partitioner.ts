import type { ICustomPartitioner } from 'kafkajs';
import { keyPartition } from '../key-partition';

/**
 * kafkajs's DefaultPartitioner (the Java client's for keyed records) on the project's murmur2:
 * kafkajs's does the hash's 32-bit arithmetic in Long objects, several per byte of the key, which
 * made 6% of all a busy projector allocated (its slice topic records are keyed). A record that
 * names its partition keeps it; a record without a key goes round the partitions that have a leader.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  let turn = 0;
  return ({ partitionMetadata, message }) => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (message.key !== undefined && message.key !== null) return keyPartition(message.key, partitionMetadata.length);
    const led = partitionMetadata.filter((p) => p.leader >= 0);
    const candidates = led.length > 0 ? led : partitionMetadata;
    return candidates[turn++ % candidates.length].partitionId;
  };
};
