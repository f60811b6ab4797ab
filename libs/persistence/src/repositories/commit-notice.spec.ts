import type { EndpointSlice } from '@lib/domain';
import { commitNoticePayload, parseCommitNotice } from './commit-notice';
import type { SliceChange } from './slice-change.repository';

const sliceOf = (endpoints: number): EndpointSlice => ({
  namespace: 'default',
  name: 'web-abcde',
  uid: 'uid-1',
  labels: { 'kubernetes.io/service-name': 'web' },
  annotations: {},
  generation: 1,
  creationTimestamp: '2026-01-02T03:04:05.000Z',
  addressType: 'IPv4',
  endpoints: Array.from({ length: endpoints }, (_, i) => ({
    addresses: [`10.0.0.${i}`],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Instance', namespace: 'default', name: `ep-${i}` },
  })),
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
});

describe('commit notices', () => {
  it('carry the commit range and its changes', () => {
    const changes: SliceChange[] = [{ type: 'ADDED', slice: sliceOf(2), resourceVersion: '12', eventIds: ['e1', 'e2'] }];
    expect(parseCommitNotice(commitNoticePayload('10', '12', changes))).toEqual({ from: 10n, latest: 12n, changes });
  });

  it('carry the range alone when the changes would pass the notification limit', () => {
    const payload = commitNoticePayload('10', '11', [{ type: 'MODIFIED', slice: sliceOf(100), resourceVersion: '11', eventIds: ['e1'] }]);
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(parseCommitNotice(payload)).toEqual({ from: 10n, latest: 11n });
  });

  it('are not read into an older payload (the latest resourceVersion alone) or a broken one', () => {
    expect(parseCommitNotice('42')).toBeUndefined();
    expect(parseCommitNotice('{"from":')).toBeUndefined();
    expect(parseCommitNotice(undefined)).toBeUndefined();
  });
});
