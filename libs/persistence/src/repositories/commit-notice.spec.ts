import { sliceFixture } from '@lib/testing';
import { commitNoticePayload, parseCommitNotice } from './commit-notice';
import type { CommandOutcomeRecord } from './command-outcome.repository';
import type { SliceChange } from './slice-change.repository';

const applied = (commandId: string, resourceVersion: string): CommandOutcomeRecord => ({
  commandId, namespace: 'default', serviceName: 'web', parts: 1, status: 'APPLIED', resourceVersion,
});

describe('commit notices', () => {
  it('carry the commit range and its changes', () => {
    const changes: SliceChange[] = [{ type: 'ADDED', slice: sliceFixture('web-abcde', 2), resourceVersion: '12', eventIds: ['e1', 'e2'] }];
    expect(parseCommitNotice(commitNoticePayload('10', '12', changes, []))).toEqual({ from: 10n, latest: 12n, changes, verdicts: new Map() });
  });

  it('carry changes that pass the notification limit as JSON compressed with LZ4, when that fits', () => {
    const changes: SliceChange[] = [{ type: 'MODIFIED', slice: sliceFixture('web-abcde', 100), resourceVersion: '11', eventIds: ['e1'] }];
    expect(JSON.stringify(changes).length).toBeGreaterThan(8000);
    const payload = commitNoticePayload('10', '11', changes, [applied('c1', '11')]);
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(JSON.parse(payload)).toHaveProperty('changesLz4');
    expect(parseCommitNotice(payload)).toEqual({ from: 10n, latest: 11n, changes, verdicts: new Map([['c1', { status: 'APPLIED', resourceVersion: '11' }]]) });
  });

  it('carry the range alone when the changes would pass the notification limit even compressed', () => {
    const changes: SliceChange[] = Array.from({ length: 5 }, (_, i) => ({ type: 'MODIFIED', slice: sliceFixture(`web-${i}`, 100), resourceVersion: String(11 + i), eventIds: [`e${i}`] }));
    const stringify = jest.spyOn(JSON, 'stringify');
    const payload = commitNoticePayload('10', '15', changes, [applied('c1', '15')]);
    // Their endpoints alone are too long: no change's row is written out only to be dropped.
    const eventIds: unknown[] = changes.map((c) => c.eventIds);
    expect(stringify.mock.calls.filter(([value]) => eventIds.includes(value))).toEqual([]);
    stringify.mockRestore();
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(parseCommitNotice(payload)).toEqual({ from: 10n, latest: 15n, verdicts: new Map([['c1', { status: 'APPLIED', resourceVersion: '15' }]]) });
  });

  it("carry every verdict of the commit, as the stored outcomes settle them", () => {
    const rejected: CommandOutcomeRecord = { commandId: 'c2', namespace: 'default', serviceName: 'web', parts: 1, status: 'REJECTED', code: 'NOT_FOUND', field: 'id', message: 'no such endpoint' };
    expect(parseCommitNotice(commitNoticePayload('10', '11', [], [applied('c1', '11'), rejected]))?.verdicts).toEqual(
      new Map([
        ['c1', { status: 'APPLIED', resourceVersion: '11' }],
        ['c2', { status: 'REJECTED', code: 'NOT_FOUND', field: 'id', message: 'no such endpoint' }],
      ]),
    );
  });

  it('carry no verdicts when a command spans several services (its other parts are judged in other commits) or they would not fit', () => {
    expect(parseCommitNotice(commitNoticePayload('10', '11', [], [{ ...applied('c1', '11'), parts: 2 }]))).toEqual({ from: 10n, latest: 11n, changes: [] });
    const many = Array.from({ length: 200 }, (_, i) => applied(`command-${String(i).padStart(30, '0')}`, '11'));
    const payload = commitNoticePayload('10', '11', [], many);
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(parseCommitNotice(payload)).toEqual({ from: 10n, latest: 11n, changes: [] });
  });

  it('are not read into an older payload (the latest resourceVersion alone) or a broken one', () => {
    expect(parseCommitNotice('42')).toBeUndefined();
    expect(parseCommitNotice('{"from":')).toBeUndefined();
    expect(parseCommitNotice('{"from":"1","latest":"2","changesLz4":"bm90IGx6NA=="}')).toBeUndefined();
    expect(parseCommitNotice(undefined)).toBeUndefined();
  });
});
