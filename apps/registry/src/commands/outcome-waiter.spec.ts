import type { RegistryConfig } from '@lib/config';
import type { CommandOutcomeRepository, CommandVerdict, CommitNotice } from '@lib/persistence';
import type { DataSource } from 'typeorm';
import { OutcomeWaiter } from './outcome-waiter';
import type { ProjectionSignal } from './projection-signal';

/** A waiter whose verdict reads are counted, and whose commit signal the test gives. */
const harness = () => {
  const stored = new Map<string, CommandVerdict>();
  const reads: string[][] = [];
  let commit = (_notice?: CommitNotice): void => undefined;
  const outcomes = {
    verdicts: async (_: unknown, ids: string[]) => {
      reads.push(ids);
      return new Map(ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id) as CommandVerdict] as const] : [])));
    },
  } as unknown as CommandOutcomeRepository;
  const signal = {
    onCommit: (listener: (notice?: CommitNotice) => void) => {
      commit = listener;
      return () => undefined;
    },
  } as unknown as ProjectionSignal;
  const waiter = new OutcomeWaiter({ manager: {} } as DataSource, outcomes, { projectionWaitMs: 60_000 } as RegistryConfig, signal);
  waiter.onModuleInit();
  return { waiter, stored, reads, commit: (notice?: CommitNotice) => commit(notice) };
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OutcomeWaiter: a verdict is read when a commit may carry it', () => {
  afterEach(() => jest.useRealTimers());

  it('reads nothing until the next commit when none was heard since the command was appended', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, stored, reads, commit } = harness();
    const before = waiter.commitsHeard;

    const verdict = waiter.waitFor('c1', before);
    await settle();
    expect(reads).toEqual([]);

    stored.set('c1', { status: 'APPLIED', resourceVersion: '7' });
    commit();
    await expect(verdict).resolves.toEqual({ status: 'APPLIED', resourceVersion: '7' });
    expect(reads).toEqual([['c1']]);
    await waiter.onApplicationShutdown();
  });

  it('reads at once when a commit without verdicts was heard between the append and the wait (its signal came first)', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, stored, reads, commit } = harness();
    const before = waiter.commitsHeard;
    stored.set('c2', { status: 'REJECTED', code: 'NOT_FOUND', field: 'serviceName', message: 'no such service' });
    commit();
    await settle();

    await expect(waiter.waitFor('c2', before)).resolves.toMatchObject({ status: 'REJECTED', code: 'NOT_FOUND' });
    expect(reads).toEqual([['c2']]);
    await waiter.onApplicationShutdown();
  });

  it("takes the verdict from a notice heard between the append and the wait, without a read", async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, reads, commit } = harness();
    const before = waiter.commitsHeard;
    commit({ from: 1n, latest: 2n, verdicts: new Map([['c7', { status: 'APPLIED', resourceVersion: '2' }]]) });
    commit({ from: 2n, latest: 3n, verdicts: new Map([['other', { status: 'APPLIED', resourceVersion: '3' }]]) });

    await expect(waiter.waitFor('c7', before)).resolves.toEqual({ status: 'APPLIED', resourceVersion: '2' });
    expect(reads).toEqual([]);
    await waiter.onApplicationShutdown();
  });

  it('reads nothing when every notice heard since the append named its verdicts and none was this command', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, reads, commit } = harness();
    const before = waiter.commitsHeard;
    commit({ from: 1n, latest: 2n, verdicts: new Map([['other', { status: 'APPLIED', resourceVersion: '2' }]]) });

    const verdict = waiter.waitFor('c8', before);
    await settle();
    expect(reads).toEqual([]);

    commit({ from: 2n, latest: 3n, verdicts: new Map([['c8', { status: 'APPLIED', resourceVersion: '3' }]]) });
    await expect(verdict).resolves.toEqual({ status: 'APPLIED', resourceVersion: '3' });
    expect(reads).toEqual([]);
    await waiter.onApplicationShutdown();
  });

  it('reads when one of the commits heard since the append came without verdicts', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, stored, reads, commit } = harness();
    const before = waiter.commitsHeard;
    commit({ from: 1n, latest: 2n, verdicts: new Map() });
    commit({ from: 2n, latest: 3n });
    stored.set('c9', { status: 'APPLIED', resourceVersion: '3' });

    await expect(waiter.waitFor('c9', before)).resolves.toEqual({ status: 'APPLIED', resourceVersion: '3' });
    expect(reads).toEqual([['c9']]);
    await waiter.onApplicationShutdown();
  });

  it('falls back to a read when no notice names a verdict within the poll interval (a missed notice)', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, stored, reads } = harness();
    const verdict = waiter.waitFor('c10', waiter.commitsHeard);
    stored.set('c10', { status: 'APPLIED', resourceVersion: '4' });
    await settle();
    expect(reads).toEqual([]);

    await jest.advanceTimersByTimeAsync(120);
    await expect(verdict).resolves.toEqual({ status: 'APPLIED', resourceVersion: '4' });
    expect(reads).toEqual([['c10']]);
    await waiter.onApplicationShutdown();
  });

  it('sets no timer while no mutation waits, and polls again for the next one that does', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, stored, reads } = harness();
    await settle();
    expect(jest.getTimerCount()).toBe(0);

    const verdict = waiter.waitFor('c11', waiter.commitsHeard);
    expect(jest.getTimerCount()).toBe(1);
    stored.set('c11', { status: 'APPLIED', resourceVersion: '5' });
    await jest.advanceTimersByTimeAsync(120);
    await expect(verdict).resolves.toEqual({ status: 'APPLIED', resourceVersion: '5' });
    expect(reads).toEqual([['c11']]);
    await settle();
    expect(jest.getTimerCount()).toBe(0);
    await waiter.onApplicationShutdown();
  });

  it("settles from a notice's verdicts without a read, and reads nothing for a waiter the notice does not name", async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, reads, commit } = harness();
    const before = waiter.commitsHeard;
    const named = waiter.waitFor('c4', before);
    let otherSettled = false;
    void waiter.waitFor('c5', before).then(() => (otherSettled = true));

    commit({ from: 1n, latest: 2n, verdicts: new Map([['c4', { status: 'APPLIED', resourceVersion: '2' }]]) });
    await expect(named).resolves.toEqual({ status: 'APPLIED', resourceVersion: '2' });
    await settle();
    expect(otherSettled).toBe(false);
    expect(reads).toEqual([]);
    await waiter.onApplicationShutdown();
  });

  it('reads when a notice carries no verdicts', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, stored, reads, commit } = harness();
    const verdict = waiter.waitFor('c6', waiter.commitsHeard);
    stored.set('c6', { status: 'APPLIED', resourceVersion: '9' });

    commit({ from: 8n, latest: 9n });
    await expect(verdict).resolves.toEqual({ status: 'APPLIED', resourceVersion: '9' });
    expect(reads).toEqual([['c6']]);
    await waiter.onApplicationShutdown();
  });

  it('reads at once for a repeated request, whose verdict may be long stored', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { waiter, stored, reads } = harness();
    stored.set('c3', { status: 'APPLIED', resourceVersion: '3' });

    await expect(waiter.waitFor('c3')).resolves.toEqual({ status: 'APPLIED', resourceVersion: '3' });
    expect(reads).toEqual([['c3']]);
    await waiter.onApplicationShutdown();
  });
});
