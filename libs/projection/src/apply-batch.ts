import {
  deterministicSliceIdentity,
  evolveCommand,
  eventServiceKey,
  reconcileSlices,
  serviceKey,
  UnreadableEventError,
  type EndpointSlice,
  type RecordedEvent,
  type ServiceState,
} from '@lib/domain';
import { decodeEvent, type DeadLetter, type LogBatch, type LogMessage } from '@lib/messaging';
import {
  ConsumerOffsetRepository,
  EndpointHistoryRepository,
  EndpointSliceRepository,
  inTransaction,
  LeaseRepository,
  RegistryStateRepository,
  SliceChangeRepository,
  type EndpointHistoryEntry,
  type ProjectedLeaseWrite,
  type SliceChange,
  type TopicPartition,
} from '@lib/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { coalesceWrites, type PendingWrite } from './coalesce-writes';
import { lastLeaseWritePerEndpoint, projectedLeaseWrites } from './lease-writes';

export interface ApplyBatchOptions {
  readonly groupId: string;
  readonly maxEndpointsPerSlice: number;
}

export interface AppliedBatch {
  readonly appliedEvents: number;
  readonly deadLettered: number;
  readonly changes: readonly SliceChange[];
  /** Slice writes per reconcile, in command order: the churn metric. */
  readonly writesPerReconcile: readonly number[];
}

interface Command {
  readonly key: string;
  readonly events: readonly RecordedEvent[];
  readonly messages: readonly LogMessage[];
}

class CommandNotApplicable extends Error {
  constructor(
    readonly command: Command,
    readonly reason: string,
  ) {
    super(reason);
  }
}

type Decoded = { readonly message: LogMessage; readonly recorded: RecordedEvent } | { readonly message: LogMessage; readonly error: string };

/**
 * Applies one partition batch in one transaction: skip offsets already applied, fold each command's
 * events into its service, reconcile once per command, write the slices once per batch, append the
 * change log with fresh resourceVersions, and advance the stored offset. Replaying the same batch
 * is a no-op. Both transports deliver a command (one append) whole within one batch, so the
 * outcome never depends on where batch boundaries fall.
 */
export class BatchApplier {
  private readonly states = new RegistryStateRepository();
  private readonly slices = new EndpointSliceRepository();
  private readonly changes = new SliceChangeRepository();
  private readonly offsets = new ConsumerOffsetRepository();
  private readonly history = new EndpointHistoryRepository();
  private readonly leases = new LeaseRepository();

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ApplyBatchOptions,
    private readonly deadLetter: (letter: DeadLetter) => Promise<void>,
  ) {}

  /**
   * Applies partition batches (of one topic) in one transaction. Dead letters are sent outside
   * the transaction (on the embedded log another connection would wait for it): a command that
   * cannot be applied aborts the attempt, is dead-lettered, and the batches are applied again
   * without it. A crash in between can only repeat a dead letter, never lose one.
   */
  async apply(batches: readonly LogBatch[]): Promise<AppliedBatch> {
    const parts = batches.map((batch) => ({
      batch,
      tp: { groupId: this.options.groupId, topic: batch.topic, partition: batch.partition },
      decoded: batch.messages.map(decode),
    }));
    const unapplicable = new Map<LogMessage, string>();
    for (const part of parts) for (const d of part.decoded) if ('error' in d) unapplicable.set(d.message, d.error);
    const lettered = new Set<LogMessage>();
    for (;;) {
      const next = await this.offsets.peekNext(this.dataSource.manager, parts.map((p) => p.tp));
      for (const { batch, decoded } of parts) {
        for (const d of decoded) {
          const reason = unapplicable.get(d.message);
          if (reason === undefined || d.message.offset < (next.get(batch.partition) ?? 0n) || lettered.has(d.message)) continue;
          await this.deadLetter({ source: { topic: batch.topic, partition: batch.partition, offset: d.message.offset }, message: d.message, reason });
          lettered.add(d.message);
        }
      }
      try {
        return await inTransaction(this.dataSource, (tx) => this.applyFresh(tx, parts, unapplicable));
      } catch (error) {
        if (!(error instanceof CommandNotApplicable)) throw error;
        for (const message of error.command.messages) unapplicable.set(message, error.reason);
      }
    }
  }

  private async applyFresh(
    tx: EntityManager,
    parts: readonly { readonly tp: TopicPartition; readonly decoded: readonly Decoded[] }[],
    unapplicable: ReadonlyMap<LogMessage, string>,
  ): Promise<AppliedBatch> {
    const next = await this.offsets.lockNext(tx, parts.map((p) => p.tp));
    // Redelivery after a crash between the Postgres commit and the Kafka commit.
    const fresh = parts
      .map(({ tp, decoded }) => ({ tp, decoded: decoded.filter((d) => d.message.offset >= (next.get(tp.partition) ?? 0n)) }))
      .filter((p) => p.decoded.length > 0);
    if (fresh.length === 0) return { appliedEvents: 0, deadLettered: 0, changes: [], writesPerReconcile: [] };
    // A service's events all live in one partition, so commands of different partitions commute.
    const commands = fresh.flatMap((p) => groupCommands(p.decoded.filter((d) => !unapplicable.has(d.message))));
    const result = await this.applyCommands(tx, commands);
    const { latest, changes } = await this.commitWrites(tx, result.writes);
    await this.history.append(tx, historyEntries(result.applied, changes));
    await this.offsets.advance(
      tx,
      fresh.map((p) => ({ ...p.tp, nextOffset: p.decoded[p.decoded.length - 1].message.offset + 1n })),
      latest,
    );
    // Every commit is announced, also one without slice writes: waiting mutations need the offsets.
    await this.changes.announce(tx, latest);
    const appliedEvents = commands.reduce((n, c) => n + c.events.length, 0);
    const freshMessages = fresh.reduce((n, p) => n + p.decoded.length, 0);
    return { appliedEvents, deadLettered: freshMessages - appliedEvents, changes, writesPerReconcile: result.writesPerReconcile };
  }

  private async applyCommands(tx: EntityManager, commands: readonly Command[]) {
    const keys = [...new Set(commands.map((c) => c.key))];
    const states = new Map<string, ServiceState | undefined>(await this.states.load(tx, keys));
    const stored = await this.slices.forServices(tx, keys);
    const current = new Map<string, EndpointSlice[]>(keys.map((k) => [k, (stored.get(k) ?? []).map((s) => s.slice)]));
    const touched = new Set<string>();
    const writes: PendingWrite[] = [];
    const writesPerReconcile: number[] = [];
    const applied: Command[] = [];
    const leaseWrites: ProjectedLeaseWrite[] = [];

    for (const command of commands) {
      const before = states.get(command.key);
      let next: ReturnType<typeof reconcileCommand>;
      try {
        next = reconcileCommand(command, states.get(command.key), current.get(command.key) ?? [], this.options.maxEndpointsPerSlice);
      } catch (error) {
        // Decodable but not applicable (data of the wrong shape): never a stall, never silent.
        throw new CommandNotApplicable(command, `cannot apply: ${(error as Error).message}`);
      }
      states.set(command.key, next.state);
      current.set(command.key, next.slices);
      touched.add(command.key);
      writes.push(...next.writes);
      writesPerReconcile.push(next.writes.length);
      applied.push(command);
      leaseWrites.push(...projectedLeaseWrites(command.events, before, next.state));
    }
    await this.states.save(tx, new Map([...touched].map((k) => [k, states.get(k)])));
    // Operational lease rows follow the log in this transaction (see LeaseRepository).
    await this.leases.applyProjected(tx, lastLeaseWritePerEndpoint(leaseWrites));
    return { writes, writesPerReconcile, applied };
  }

  /**
   * Reserves resourceVersions as late as possible: the counter lock is held from there to the
   * commit, for the one statement that logs and applies the changes and the bookkeeping after it.
   */
  private async commitWrites(
    tx: EntityManager,
    writes: readonly PendingWrite[],
  ): Promise<{ latest: string; changes: SliceChange[] }> {
    const coalesced = coalesceWrites(writes);
    if (coalesced.length === 0) return { latest: await this.changes.latest(tx), changes: [] };
    const first = await this.changes.reserve(tx, coalesced.length);
    const changes: SliceChange[] = coalesced.map((w, i) => ({ ...w, resourceVersion: (first + BigInt(i)).toString() }));
    await this.changes.record(tx, changes);
    return { latest: changes[changes.length - 1].resourceVersion, changes };
  }
}

const endpointIdOf = (event: RecordedEvent['event']): string | undefined => {
  switch (event.type) {
    case 'EndpointRegistered':
      return event.data.endpoint.id;
    case 'EndpointConditionsChanged':
    case 'EndpointDeregistered':
    case 'EndpointExpired':
      return event.data.id;
    case 'ServiceRegistered':
    case 'ServiceDeleted':
      return undefined;
  }
};

/** The audit index: each endpoint event with its actor and the slice resourceVersions its command produced. */
const historyEntries = (commands: readonly Command[], changes: readonly SliceChange[]): EndpointHistoryEntry[] => {
  // A coalesced change carries the event ids of every command it includes.
  const versionsByEvent = new Map<string, string[]>();
  for (const change of changes) {
    for (const eventId of change.eventIds) {
      const versions = versionsByEvent.get(eventId) ?? [];
      versions.push(change.resourceVersion);
      versionsByEvent.set(eventId, versions);
    }
  }
  return commands.flatMap((command) => {
    const resourceVersions = versionsByEvent.get(command.events[0].metadata.id) ?? [];
    return command.events.flatMap(({ event, metadata }) => {
      const endpointId = endpointIdOf(event);
      if (endpointId === undefined) return [];
      const { namespace, name } = eventServiceKey(event);
      return [{ namespace, serviceName: name, endpointId, eventId: metadata.id, type: event.type, time: metadata.time, actor: metadata.actor, data: event.data, resourceVersions }];
    });
  });
};

const decode = (message: LogMessage): Decoded => {
  try {
    return { message, recorded: decodeEvent(message) };
  } catch (error) {
    if (error instanceof UnreadableEventError) return { message, error: error.message };
    return { message, error: `undecodable: ${(error as Error).message}` };
  }
};

/** Contiguous events of one command (same ce_commandid) form one reconcile unit. */
const groupCommands = (decoded: readonly Decoded[]): Command[] => {
  const commands: { key: string; commandId: string; events: RecordedEvent[]; messages: LogMessage[] }[] = [];
  for (const d of decoded) {
    if (!('recorded' in d)) continue;
    const { namespace, name } = eventServiceKey(d.recorded.event);
    const key = serviceKey(namespace, name);
    const last = commands[commands.length - 1];
    if (last && last.commandId === d.recorded.metadata.commandId && last.key === key) {
      last.events.push(d.recorded);
      last.messages.push(d.message);
    } else {
      commands.push({ key, commandId: d.recorded.metadata.commandId, events: [d.recorded], messages: [d.message] });
    }
  }
  return commands;
};

const reconcileCommand = (
  command: Command,
  state: ServiceState | undefined,
  existing: readonly EndpointSlice[],
  maxEndpointsPerSlice: number,
) => {
  const next = evolveCommand(state, command.events);
  const first = command.events[0].metadata;
  const last = command.events[command.events.length - 1].metadata;
  // Names, uids and timestamps come from the log, so a replay rebuilds identical slices.
  const plan = reconcileSlices(next, existing, {
    maxEndpointsPerSlice,
    ...deterministicSliceIdentity(first.id),
    now: last.time,
  });
  const eventIds = command.events.map((e) => e.metadata.id);
  const writes: PendingWrite[] = [
    ...plan.create.map((slice) => ({ type: 'ADDED' as const, slice, eventIds })),
    ...plan.update.map((slice) => ({ type: 'MODIFIED' as const, slice, eventIds })),
    ...plan.delete.map((slice) => ({ type: 'DELETED' as const, slice, eventIds })),
  ];
  const replaced = new Map([...plan.create, ...plan.update].map((s) => [s.name, s]));
  const deleted = new Set(plan.delete.map((s) => s.name));
  const slices = [
    ...existing.filter((s) => !deleted.has(s.name)).map((s) => replaced.get(s.name) ?? s),
    ...plan.create,
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { state: next, slices, writes };
};
