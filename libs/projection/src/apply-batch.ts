import {
  endpointIdOf,
  eventServiceKey,
  judge,
  serviceKey,
  UnreadableEventError,
  type RecordedEvent,
  type ServiceDefinition,
  type Verdict,
} from '@lib/domain';
import { decodeEvent, hopTrace, type DeadLetter, type LogBatch, type LogMessage } from '@lib/messaging';
import {
  DeferredWrites,
  EarlyTransaction,
  inTransaction,
  plannedStateMoved,
  splitServiceKey,
  type CommandOutcomeRecord,
  type EndpointHistoryEntry,
  type ProjectionRepositories,
  type SliceChange,
  type StoredService,
  type TopicPartition,
} from '@lib/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { applyCommand, type CommandEffects } from './apply-command';
import { coalesceWrites, type PendingWrite } from './coalesce-writes';
import { ComputeLane, ITEMS_BETWEEN_YIELDS, yieldToIo } from './compute-lane';
import { lastLeaseWritePerEndpoint } from './lease-writes';
import { ServiceCache, type ModelNeed } from './service-cache';
import type { ServiceModel } from './service-model';

export interface ApplyBatchOptions {
  readonly groupId: string;
  readonly maxEndpointsPerSlice: number;
  /** Endpoints the service cache may hold, counted as ServiceModel.weight (whole services are evicted beyond it). */
  readonly cacheEndpoints: number;
}

export interface AppliedBatch {
  readonly appliedEvents: number;
  readonly deadLettered: number;
  readonly rejectedCommands: number;
  readonly changes: readonly SliceChange[];
  /** Slice writes per reconcile, in command order: the churn metric. */
  readonly writesPerReconcile: readonly number[];
  /** Trace contexts of the commands judged, so a registration can be followed into this batch. */
  readonly traceparents: readonly string[];
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

/** One partition's batch, decoded. */
interface DecodedPart {
  readonly tp: TopicPartition;
  readonly decoded: readonly Decoded[];
}

/**
 * Applies partition batches in one transaction: skip offsets already applied, judge each command
 * against the state it lands on (the verdict is stored with the projection), fold the applied ones
 * into the endpoints they name, reconcile only the slices that change, write the changed rows and
 * the change log with fresh resourceVersions, and advance the stored offsets. Replaying the same
 * batches is a no-op. Both transports deliver a command (one append) whole within one partition
 * batch, so the outcome never depends on where batch boundaries fall.
 */
export class BatchApplier {
  private readonly cache: ServiceCache;
  /** Partitions whose offset row exists: their first batch too can be applied ahead of the locks. */
  private readonly partitionsWithRows = new Set<string>();
  private readonly lane = new ComputeLane();
  /** Transactions begun, and those between their start and their end. */
  private started = 0;
  private inFlight = 0;
  /**
   * The counter as this applier's last commit left it, while none of its other transactions is in
   * flight: a transaction that starts alone is planned on it (see applyAhead). Unknown at first,
   * while two are in flight, and after a failure.
   */
  private counterLeft?: bigint;
  /** No transaction is planned before this one: a planned one found the state moved (another writer?). */
  private plannedFrom = 0;
  /** Settles once the planned transaction in flight has sent its statement, or ended (see applyAhead). */
  private plannedSent?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repositories: ProjectionRepositories,
    private readonly options: ApplyBatchOptions,
    private readonly deadLetter: (letter: DeadLetter) => Promise<void>,
  ) {
    this.cache = new ServiceCache(repositories, options.cacheEndpoints);
  }

  /**
   * Applies partition batches (of one topic) in one transaction. Dead letters are sent outside
   * the transaction (on the embedded log another connection would wait for it): a command that
   * cannot be applied aborts the attempt, is dead-lettered, and the batches are applied again
   * without it. A crash in between can only repeat a dead letter, never lose one.
   */
  async apply(batches: readonly LogBatch[]): Promise<AppliedBatch> {
    // Held from here: the other transaction in flight evicts around these services, not them.
    const keys = new Set(batches.flatMap((b) => b.messages.flatMap((m) => m.key ?? [])));
    this.cache.hold(keys);
    this.started++;
    this.inFlight++;
    try {
      return await this.applyHeld(batches);
    } catch (error) {
      this.counterLeft = undefined;
      throw error;
    } finally {
      this.inFlight--;
      this.cache.release(keys);
    }
  }

  private async applyHeld(batches: readonly LogBatch[]): Promise<AppliedBatch> {
    const parts: (DecodedPart & { readonly batch: LogBatch })[] = [];
    for (const batch of batches) {
      parts.push({ batch, tp: { groupId: this.options.groupId, topic: batch.topic, partition: batch.partition }, decoded: await decodeAll(batch.messages) });
    }
    const unapplicable = new Map<LogMessage, string>();
    for (const part of parts) for (const d of part.decoded) if ('error' in d) unapplicable.set(d.message, d.error);
    const lettered = new Set<LogMessage>();
    for (;;) {
      const next = unapplicable.size > 0 ? await this.repositories.offsets.peekNext(this.dataSource.manager, parts.map((p) => p.tp)) : new Map<number, bigint>();
      for (const { batch, decoded } of parts) {
        for (const d of decoded) {
          const reason = unapplicable.get(d.message);
          if (reason === undefined || d.message.offset < (next.get(batch.partition) ?? 0n) || lettered.has(d.message)) continue;
          await this.deadLetter({ source: { topic: batch.topic, partition: batch.partition, offset: d.message.offset }, message: d.message, reason });
          lettered.add(d.message);
        }
      }
      const touched = new Set<string>();
      try {
        const applied =
          (await this.applyAhead(parts, unapplicable, touched)) ??
          (await inTransaction(this.dataSource, (tx) => this.applyFresh(tx, parts, unapplicable, touched)));
        this.cache.settle();
        return applied;
      } catch (error) {
        // The models hold what the rolled-back transaction did.
        this.cache.drop(touched);
        if (!(error instanceof CommandNotApplicable)) throw error;
        for (const message of error.command.messages) unapplicable.set(message, error.reason);
      }
    }
  }

  /**
   * The common case: the commands are judged and folded into the cached models before their
   * transaction writes. A transaction that starts alone, with the counter its applier's last commit
   * left, is planned on that state and takes one round trip: its first statement asserts the
   * offsets, the counter and each service's last command (`confirm`) and goes with the writes and
   * the COMMIT. Otherwise it takes two: the first (sent before the judging, so that its round trip
   * overlaps it) begins the transaction, locks the offsets and the counter, and reads each service's
   * last command, which are checked here; the second writes every row and commits. (A claimed
   * counter stays locked while the commands are judged: a second transaction in flight waits for it
   * in Postgres as it would have waited for this one's commit.) When a batch turns out not fresh (a
   * redelivery), a model not current (another writer since it was cached), or a planned state
   * moved, the transaction is rolled back, the models are dropped, and undefined tells the caller
   * to apply the batches under the locks instead. A partition's offset row is created before its
   * first batch (at offset 0, which means what no row means), so that batch too has a row to lock.
   */
  private async applyAhead(
    parts: readonly DecodedPart[],
    unapplicable: ReadonlyMap<LogMessage, string>,
    touched: Set<string>,
  ): Promise<AppliedBatch | undefined> {
    const withoutRows = parts.map((p) => p.tp).filter((tp) => !this.partitionsWithRows.has(`${tp.topic}/${tp.partition}`));
    if (withoutRows.length > 0) {
      await this.repositories.offsets.ensureRows(this.dataSource.manager, withoutRows);
      withoutRows.forEach((tp) => this.partitionsWithRows.add(`${tp.topic}/${tp.partition}`));
    }
    const commands = parts.flatMap((p) => groupCommands(p.decoded.filter((d) => !unapplicable.has(d.message))));
    const keys = [...new Set(commands.map((c) => c.key))];
    keys.forEach((key) => touched.add(key));
    const { models, expected } = await this.cache.acquireUnchecked(this.dataSource.manager, modelNeeds(commands));
    const tps = parts.map((p) => p.tp);
    const plannedOn = this.inFlight === 1 && this.started >= this.plannedFrom ? this.counterLeft : undefined;
    // After the loads (on the embedded database they need the one connection), before the judging.
    const firsts = parts.map((p) => p.decoded[0].message.offset);
    const planned =
      plannedOn === undefined
        ? undefined
        : new EarlyTransaction(this.dataSource, (first) => this.repositories.offsets.confirm(first, tps, firsts, plannedOn, expected), { deferred: true });
    // A claim that reached Postgres before the statement of the planned transaction in flight would
    // take the counter from under it and undo it: the claim waits until that statement is on its
    // way, a wait it would otherwise spend in Postgres for the counter's lock.
    const ahead = this.plannedSent;
    if (planned) this.plannedSent = planned.sent;
    const claimed = planned
      ? undefined
      : new EarlyTransaction(this.dataSource, async (first) => {
          await ahead;
          return this.repositories.offsets.claim(first, tps, keys);
        });
    let judged: Judged;
    // Loads and the other transaction's round trips stay outside the lane: only the judging is in it.
    const leaveLane = await this.lane.enter();
    try {
      judged = await this.applyCommands(commands, models);
    } catch (error) {
      leaveLane();
      await (planned ?? claimed)?.abandon();
      throw error;
    }
    leaveLane();
    const plan = versionPlan(judged);
    const traced = hopTrace.enabled ? traceparentsOf(commands) : [];
    traced.forEach((traceparent) => hopTrace.mark('projector.judged', traceparent));
    try {
      if (planned) {
        traced.forEach((traceparent) => hopTrace.mark('projector.claimed', traceparent));
        return await planned.run((tx) => this.write(tx, parts, unapplicable, commands, judged, models, assignVersions(plan, plannedOn as bigint)));
      }
      const transaction = claimed as NonNullable<typeof claimed>;
      return await transaction.run(async (tx) => {
        const claim = await transaction.opened;
        traced.forEach((traceparent) => hopTrace.mark('projector.claimed', traceparent));
        requireNoGap(parts, claim.next);
        const fresh = parts.every(({ tp, decoded }) => (claim.next.get(tp.partition) ?? decoded[0].message.offset + 1n) <= decoded[0].message.offset);
        if (!fresh || keys.some((key) => claim.lastCommands.get(key) !== expected.get(key))) throw new NotAhead();
        return this.write(tx, parts, unapplicable, commands, judged, models, assignVersions(plan, claim.counter));
      });
    } catch (error) {
      if (plannedStateMoved(error)) this.plannedFrom = this.started + CLAIMS_AFTER_A_MOVED_PLAN;
      else if (!(error instanceof NotAhead)) throw error;
      this.counterLeft = undefined;
      this.cache.drop(touched);
      return undefined;
    }
  }

  private async applyFresh(
    tx: EntityManager,
    parts: readonly DecodedPart[],
    unapplicable: ReadonlyMap<LogMessage, string>,
    touched: Set<string>,
  ): Promise<AppliedBatch> {
    const next = await this.repositories.offsets.lockNext(tx, parts.map((p) => p.tp));
    // Redelivery after a crash between the Postgres commit and the Kafka commit.
    const fresh = parts
      .map(({ tp, decoded }) => ({ tp, decoded: decoded.filter((d) => d.message.offset >= (next.get(tp.partition) ?? 0n)) }))
      .filter((p) => p.decoded.length > 0);
    if (fresh.length === 0) return { appliedEvents: 0, deadLettered: 0, rejectedCommands: 0, changes: [], writesPerReconcile: [], traceparents: [] };
    requireNoGap(fresh, next);
    // A service's events all live in one partition, so commands of different partitions commute.
    const commands = fresh.flatMap((p) => groupCommands(p.decoded.filter((d) => !unapplicable.has(d.message))));
    const keys = [...new Set(commands.map((c) => c.key))];
    keys.forEach((key) => touched.add(key));
    const models = await this.cache.acquire(tx, modelNeeds(commands));
    const judged = await this.applyCommands(commands, models);
    const plan = versionPlan(judged);
    // Locked as late as possible: the counter lock is held from there to the commit.
    const counter = await this.repositories.changes.lockCounter(tx);
    return this.write(tx, fresh, unapplicable, commands, judged, models, assignVersions(plan, counter));
  }

  /** Every row of the transaction after the locks, and the commit: one round trip for all but the leases. */
  private async write(
    tx: EntityManager,
    fresh: readonly DecodedPart[],
    unapplicable: ReadonlyMap<LogMessage, string>,
    commands: readonly Command[],
    judged: Judged,
    models: ReadonlyMap<string, ServiceModel>,
    { from, latest, changes, versions }: Versioned,
  ): Promise<AppliedBatch> {
    const lettered = deadLetterOutcomes(fresh.flatMap((p) => p.decoded.filter((d) => unapplicable.has(d.message))), unapplicable);
    // The rows below are written and never read back in this transaction: one round trip for all.
    const writes = new DeferredWrites(tx);
    await this.repositories.changes.takeVersions(writes, from, latest);
    await this.repositories.changes.record(writes, changes);
    const outcomes = [...(await this.writeRows(tx, writes, judged, models, versions)), ...lettered];
    await this.repositories.outcomes.record(writes, outcomes);
    await this.repositories.history.append(writes, historyEntries(judged.applied, changes, versions));
    await this.repositories.offsets.advance(
      writes,
      fresh.map((p) => ({ ...p.tp, nextOffset: p.decoded[p.decoded.length - 1].message.offset + 1n })),
      latest,
    );
    // Every commit is announced, also one without slice writes: waiting mutations need the verdicts.
    await this.repositories.changes.announce(writes, from, latest, changes, outcomes);
    const traceparents = traceparentsOf(commands);
    traceparents.forEach((traceparent) => hopTrace.mark('projector.flushing', traceparent));
    await writes.flush({ commit: true });
    this.counterLeft = this.inFlight === 1 ? BigInt(latest) : undefined;
    traceparents.forEach((traceparent) => hopTrace.mark('projector.written', traceparent));
    const appliedEvents = commands.reduce((n, c) => n + c.events.length, 0);
    const freshMessages = fresh.reduce((n, p) => n + p.decoded.length, 0);
    return {
      appliedEvents,
      deadLettered: freshMessages - appliedEvents,
      rejectedCommands: judged.rejected.length,
      changes,
      writesPerReconcile: judged.applied.map((a) => a.writes.length),
      traceparents,
    };
  }

  private async applyCommands(commands: readonly Command[], models: ReadonlyMap<string, ServiceModel>): Promise<Judged> {
    const applied: AppliedCommand[] = [];
    const rejected: { command: Command; verdict: Extract<Verdict, { status: 'REJECTED' }> }[] = [];
    for (let i = 0; i < commands.length; i++) {
      if (i > 0 && i % ITEMS_BETWEEN_YIELDS === 0) await yieldToIo();
      const command = commands[i];
      const model = models.get(command.key) as ServiceModel;
      const verdict = judge(command.events, model);
      if (verdict.status === 'REJECTED') {
        rejected.push({ command, verdict });
        continue;
      }
      try {
        applied.push({ command, ...applyCommand(model, command.events, this.options.maxEndpointsPerSlice) });
      } catch (error) {
        // Decodable but not applicable (data of the wrong shape): never a stall, never silent.
        throw new CommandNotApplicable(command, `cannot apply: ${(error as Error).message}`);
      }
    }
    return { applied, rejected };
  }

  /** Rows proportional to the change: the services and endpoints the commands touched, and leases; returns the verdicts to record. */
  private async writeRows(
    tx: EntityManager,
    writes: DeferredWrites,
    judged: Judged,
    models: ReadonlyMap<string, ServiceModel>,
    versions: ReadonlyMap<string, string>,
  ): Promise<CommandOutcomeRecord[]> {
    /** Per service, the endpoints the applied commands named. */
    const named = new Map<string, Set<string>>();
    const outcomes: CommandOutcomeRecord[] = [];
    for (const { command, endpointIds } of judged.applied) {
      const model = models.get(command.key) as ServiceModel;
      const version = versions.get(command.events[0].metadata.id) as string;
      model.resourceVersion = version;
      let ids = named.get(command.key);
      if (ids === undefined) named.set(command.key, (ids = new Set()));
      for (const id of endpointIds) {
        ids.add(id);
        const entry = model.endpoints.get(id);
        if (entry?.lastCommandId === command.events[0].metadata.commandId) entry.resourceVersion = version;
      }
      outcomes.push({ status: 'APPLIED', ...outcomeKey(command), resourceVersion: version });
    }
    for (const { command, verdict } of judged.rejected) {
      outcomes.push({ status: 'REJECTED', ...outcomeKey(command), code: verdict.code, field: verdict.field, message: verdict.message });
    }
    const serviceKeys = [...new Set(judged.applied.map((a) => a.command.key))];
    const present = serviceKeys.map((key) => [key, models.get(key) as ServiceModel] as const).filter(([, m]) => m.definition !== undefined);
    await this.repositories.services.delete(writes, serviceKeys.filter((key) => models.get(key)?.definition === undefined));
    await this.repositories.services.save(writes, present.map(([, m]) => storedService(m)));
    const upserts = [];
    const removals = [];
    for (const [key, ids] of named) {
      const model = models.get(key) as ServiceModel;
      if (!model.definition) continue;
      const { namespace, name } = model.definition;
      for (const id of ids) {
        const entry = model.endpoints.get(id);
        if (entry) upserts.push({ namespace, serviceName: name, ...entry });
        else removals.push({ namespace, serviceName: name, id });
      }
    }
    await this.repositories.endpoints.delete(writes, removals);
    await this.repositories.endpoints.save(writes, upserts);
    // Operational lease rows follow the log in this transaction (see LeaseRepository); they lock
    // first and write the same table twice, so they go on their own.
    await this.repositories.leases.applyProjected(tx, lastLeaseWritePerEndpoint(judged.applied.flatMap((a) => a.leaseWrites)));
    return outcomes;
  }
}

interface AppliedCommand extends CommandEffects {
  readonly command: Command;
}

interface Judged {
  readonly applied: readonly AppliedCommand[];
  readonly rejected: readonly { readonly command: Command; readonly verdict: Extract<Verdict, { status: 'REJECTED' }> }[];
}

/**
 * A planned transaction that found the state moved cost a reload: if another writer shares the
 * counter, the next ones would too, so this many claim first.
 */
const CLAIMS_AFTER_A_MOVED_PLAN = 100;

/** Thrown inside the ahead-of-time transaction to roll it back: its batches or models were not current. */
class NotAhead extends Error {}

/** A batch that starts after the projection's position: applying it would skip events, so nothing is applied. */
class PositionGapError extends Error {
  override readonly name = 'PositionGapError';

  constructor(tp: TopicPartition, stored: bigint, first: bigint) {
    super(
      `partition ${tp.partition} of ${tp.topic}: the batch starts at offset ${first} but the projection's next offset is ${stored}; ` +
        `applying it would skip offsets ${stored}..${first - 1n} (the consumer is ahead of the projection, e.g. Postgres was restored ` +
        `to an earlier state): nothing is applied, and a restarted projector fetches from the projection's position`,
    );
  }
}

/**
 * Each batch must start at its partition's stored position; 0, no position yet, takes any start (a
 * log whose first records retention removed is rebuilt from its first stored offset).
 */
const requireNoGap = (parts: readonly DecodedPart[], next: ReadonlyMap<number, bigint>): void => {
  for (const { tp, decoded } of parts) {
    const stored = next.get(tp.partition) ?? 0n;
    const first = decoded[0].message.offset;
    if (stored > 0n && first > stored) throw new PositionGapError(tp, stored, first);
  }
};

interface VersionPlan {
  readonly coalesced: readonly PendingWrite[];
  /** Applied commands that changed no slice: each still gets a resourceVersion of its own. */
  readonly unversioned: readonly AppliedCommand[];
  readonly count: number;
}

interface Versioned {
  /** The counter before this transaction's resourceVersions. */
  readonly from: string;
  readonly latest: string;
  readonly changes: SliceChange[];
  /** Event id -> the resourceVersion of its command's (newest) change. */
  readonly versions: Map<string, string>;
}

const versionPlan = (judged: Judged): VersionPlan => {
  const coalesced = coalesceWrites(judged.applied.flatMap((a) => a.writes));
  const eventsWithChanges = new Set(coalesced.flatMap((w) => w.eventIds));
  const unversioned = judged.applied.filter((a) => !eventsWithChanges.has(a.command.events[0].metadata.id));
  return { coalesced, unversioned, count: coalesced.length + unversioned.length };
};

/** The plan's resourceVersions, those after `counter`, the counter's value before the transaction. */
const assignVersions = ({ coalesced, unversioned, count }: VersionPlan, counter: bigint): Versioned => {
  const first = counter + 1n;
  const latest = counter + BigInt(count);
  const changes: SliceChange[] = coalesced.map((w, i) => ({ type: w.type, slice: w.slice, eventIds: w.eventIds, resourceVersion: (first + BigInt(i)).toString() }));
  const versions = new Map<string, string>();
  for (const change of changes) for (const eventId of change.eventIds) versions.set(eventId, change.resourceVersion);
  unversioned.forEach((a, i) => versions.set(a.command.events[0].metadata.id, (first + BigInt(coalesced.length + i)).toString()));
  return { from: counter.toString(), latest: latest.toString(), changes, versions };
};

/** Per service, the endpoints its commands name, and whether one of them is about the whole service. */
const modelNeeds = (commands: readonly Command[]): Map<string, ModelNeed> => {
  const needs = new Map<string, { ids: Set<string>; whole: boolean }>();
  for (const { key, events } of commands) {
    const need = needs.get(key) ?? { ids: new Set<string>(), whole: false };
    for (const { event } of events) {
      if (event.type === 'ServiceRegistered' || event.type === 'ServiceDeleted') need.whole = true;
      else need.ids.add(endpointIdOf(event));
    }
    needs.set(key, need);
  }
  return needs;
};

const traceparentsOf = (commands: readonly Command[]): string[] => [...new Set(commands.flatMap((c) => c.events[0].metadata.traceparent ?? []))];

const outcomeKey = (command: Command) => {
  const { namespace, name } = eventServiceKey(command.events[0].event);
  const { commandId, commandParts } = command.events[0].metadata;
  return { commandId, namespace, serviceName: name, parts: commandParts ?? 1 };
};

/** A command whose events went to the dead-letter topic is settled as rejected, so its caller hears why. */
const deadLetterOutcomes = (decoded: readonly Decoded[], reasons: ReadonlyMap<LogMessage, string>): CommandOutcomeRecord[] => {
  const outcomes = new Map<string, CommandOutcomeRecord>();
  for (const { message } of decoded) {
    const commandId = message.headers.ce_commandid;
    const key = message.key;
    if (!commandId || !key || outcomes.has(`${commandId} ${key}`)) continue;
    const { namespace, name } = splitServiceKey(key);
    outcomes.set(`${commandId} ${key}`, {
      commandId,
      namespace,
      serviceName: name,
      parts: Number(message.headers.ce_commandparts ?? '1') || 1,
      status: 'REJECTED',
      code: 'BAD_USER_INPUT',
      field: 'event',
      message: `dead-lettered: ${reasons.get(message) ?? 'unreadable'}`,
    });
  }
  return [...outcomes.values()];
};

const storedService = (model: ServiceModel): StoredService => ({
  definition: model.definition as ServiceDefinition,
  uid: model.uid,
  createdAt: model.createdAt,
  lastCommandId: model.lastCommandId,
  resourceVersion: model.resourceVersion,
});

/** The audit index: each endpoint event with its actor and the slice resourceVersions its command produced. */
const historyEntries = (
  applied: readonly AppliedCommand[],
  changes: readonly SliceChange[],
  versions: ReadonlyMap<string, string>,
): EndpointHistoryEntry[] => {
  // A coalesced change carries the event ids of every command it includes.
  const versionsByEvent = new Map<string, string[]>();
  for (const change of changes) {
    for (const eventId of change.eventIds) {
      const versions = versionsByEvent.get(eventId) ?? [];
      versions.push(change.resourceVersion);
      versionsByEvent.set(eventId, versions);
    }
  }
  return applied.flatMap(({ command }) => {
    const first = command.events[0].metadata.id;
    // A command that changed no slice still has its own version: the endpoint's last change.
    const resourceVersions = versionsByEvent.get(first) ?? [versions.get(first) as string];
    return command.events.flatMap(({ event, metadata }) => {
      if (event.type === 'ServiceRegistered' || event.type === 'ServiceDeleted') return [];
      const endpointId = endpointIdOf(event);
      const { namespace, name } = eventServiceKey(event);
      return [{ namespace, serviceName: name, endpointId, eventId: metadata.id, type: event.type, time: metadata.time, actor: metadata.actor, data: event.data, resourceVersions }];
    });
  });
};

const decodeAll = async (messages: readonly LogMessage[]): Promise<Decoded[]> => {
  const decoded: Decoded[] = [];
  for (let i = 0; i < messages.length; i++) {
    if (i > 0 && i % ITEMS_BETWEEN_YIELDS === 0) await yieldToIo();
    decoded.push(decode(messages[i]));
  }
  return decoded;
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
