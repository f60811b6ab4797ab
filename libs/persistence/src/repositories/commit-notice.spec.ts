import { sliceFixture } from '@lib/testing';
import { commitNoticePayload, parseCommitNotice } from './commit-notice';
import type { SliceChange } from './slice-change.repository';

describe('commit notices', () => {
  it('carry the commit range and its changes', () => {
    const changes: SliceChange[] = [{ type: 'ADDED', slice: sliceFixture('web-abcde', 2), resourceVersion: '12', eventIds: ['e1', 'e2'] }];
    expect(parseCommitNotice(commitNoticePayload('10', '12', changes))).toEqual({ from: 10n, latest: 12n, changes });
  });

  it('carry the range alone when the changes would pass the notification limit', () => {
    const payload = commitNoticePayload('10', '11', [{ type: 'MODIFIED', slice: sliceFixture('web-abcde', 100), resourceVersion: '11', eventIds: ['e1'] }]);
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(parseCommitNotice(payload)).toEqual({ from: 10n, latest: 11n });
  });

  it('are not read into an older payload (the latest resourceVersion alone) or a broken one', () => {
    expect(parseCommitNotice('42')).toBeUndefined();
    expect(parseCommitNotice('{"from":')).toBeUndefined();
    expect(parseCommitNotice(undefined)).toBeUndefined();
  });
});
