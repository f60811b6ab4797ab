import type { SliceChange } from '@lib/persistence';
import { sliceFixture } from '@lib/testing';
import { sliceChangeRecords, toRelayRecords } from './slice-change-relay';

const change = (type: SliceChange['type'], name: string, endpoints: number, resourceVersion: string): SliceChange => ({
  type,
  slice: sliceFixture(name, endpoints),
  resourceVersion,
  eventIds: [],
});

const options = { maxRecordBytes: 16 * 1024, slicesTopic: 'slices' };

describe('toRelayRecords: one oversized slice record never stops the relay', () => {
  it('publishes every record within the limit, in order, tombstones included', () => {
    const changes = [change('ADDED', 'web-a', 2, '7'), change('DELETED', 'web-b', 1, '8')];

    const { publish, deadLetters } = toRelayRecords(changes, options);

    expect(publish).toEqual(changes.flatMap(sliceChangeRecords));
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters a record above the limit with the reason, and publishes its neighbours', () => {
    const changes = [change('ADDED', 'web-a', 2, '7'), change('MODIFIED', 'web-big', 200, '8'), change('ADDED', 'web-c', 1, '9')];

    const { publish, deadLetters } = toRelayRecords(changes, options);

    expect(publish.map((r) => r.key)).toEqual(['default/web-a', 'default/web-c']);
    expect(deadLetters).toEqual([
      {
        key: 'default/web-big',
        value: null,
        headers: {
          dlq_reason: expect.stringMatching(/^MODIFIED of EndpointSlice default\/web-big encodes to [\d,]+ bytes; the broker's record limit is 16,384 bytes \(KAFKA_MAX_RECORD_BYTES\)$/),
          dlq_source_topic: 'slices',
          dlq_resource_version: '8',
        },
      },
    ]);
  });
});
