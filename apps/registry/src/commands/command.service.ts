import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  decide,
  DomainError,
  eventServiceKey,
  serviceKey,
  type CommandPreconditions,
  type RecordedEvent,
  type RegistryCommand,
  type RegistryEvent,
} from '@lib/domain';
import { AppendOutcomeUnknownError, EVENT_LOG, hopTrace, LogUnavailableError, RecordTooLargeError, type EventLog } from '@lib/messaging';
import { CommandOutcomeRepository, CommandRequestRepository, type CommandVerdict } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { ApiError, type RegistryErrorCode } from '../graphql/format-error';
import { DecisionStates, type DecisionState } from './decision-states';
import { OutcomeWaiter } from './outcome-waiter';

export interface CommandOutcome {
  readonly commandId: string;
  readonly eventIds: string[];
  readonly resourceVersion: string | null;
}

export interface CommandPreconditionArgs {
  readonly ifServiceVersion?: string | null;
  readonly ifEndpointVersion?: string | null;
}

export interface CommandOptions {
  /** Must be allowed to write every namespace the commands touch; recorded as the events' actor. */
  readonly principal: Principal;
  /** false: return on the broker's ack instead of waiting for the verdict. */
  readonly waitForProjection: boolean;
  /** Unique per intent: a repeat returns the first command's outcome instead of appending again. */
  readonly requestId?: string;
  readonly preconditions?: CommandPreconditionArgs;
  /** The request's W3C traceparent: it travels with the events (ce_traceparent) into the projector's log. */
  readonly traceparent?: string;
}

const MAX_REQUEST_ID_LENGTH = 128;
const RESOURCE_VERSION = /^(0|[1-9]\d{0,18})$/;

/**
 * validate + decide against the rows the commands name -> append -> await the projector's verdict.
 * Every command of a request is decided before anything is appended; the verdict that counts is
 * the projector's, given where the log placed the command.
 */
@Injectable()
export class CommandService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DecisionStates) private readonly states: DecisionStates,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(OutcomeWaiter) private readonly waiter: OutcomeWaiter,
    @Inject(CommandOutcomeRepository) private readonly outcomes: CommandOutcomeRepository,
    @Inject(CommandRequestRepository) private readonly requests: CommandRequestRepository,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  async handle(commands: readonly RegistryCommand[], options: CommandOptions): Promise<CommandOutcome> {
    hopTrace.mark('api.resolver', options.traceparent);
    for (const command of commands) this.access.requireWrite(options.principal, commandNamespace(command));
    validateRequestId(options.requestId);
    const keys = commands.map(commandServiceKey);
    if (options.preconditions?.ifServiceVersion != null && new Set(keys).size > 1) {
      throw new DomainError('BAD_USER_INPUT', 'ifServiceVersion', 'applies to one service; this request names several');
    }
    const states = await this.loadStates(commands, keys);
    const decided = commands.map((command, i) => decide(command, states.get(keys[i])?.state));
    // Preconditions name one service (checked above), so the first command carries them.
    return this.append(decided, options, translatePreconditions(commands[0], states.get(keys[0]) as DecisionState, options.preconditions));
  }

  /**
   * Appends events already decided (one inner array per service, applied in one reconcile each,
   * all under one commandId) and awaits their verdict; also for callers that decide outside
   * `decide`, like lease renewals.
   */
  async append(
    decided: readonly (readonly RegistryEvent[])[],
    options: CommandOptions,
    preconditions?: CommandPreconditions,
  ): Promise<CommandOutcome> {
    hopTrace.mark('api.decided', options.traceparent);
    const parts = decided.filter((events) => events.length > 0);
    const commandId = randomUUID();
    if (options.requestId !== undefined) {
      const earlier = await this.requests.claim(this.dataSource.manager, options.requestId, commandId);
      if (earlier !== undefined) return this.outcomeOf(earlier, [], options);
    }
    const commitsBefore = this.waiter.commitsHeard;
    const time = new Date().toISOString();
    const recorded = parts.map((events) =>
      events.map(
        (event): RecordedEvent => ({
          event,
          metadata: {
            id: randomUUID(),
            time,
            actor: options.principal.name,
            commandId,
            commandSize: events.length,
            ...(parts.length > 1 && { commandParts: parts.length }),
            ...(preconditions !== undefined && { preconditions }),
            ...(options.traceparent !== undefined && { traceparent: options.traceparent }),
          },
        }),
      ),
    );
    await this.appendAll(commandId, recorded, options.requestId);
    const eventIds = recorded.flat().map((r) => r.metadata.id);
    hopTrace.remember(eventIds, options.traceparent);
    hopTrace.mark('api.appended', options.traceparent);
    return this.outcomeOf(commandId, eventIds, options, commitsBefore);
  }

  /** The verdict of a command: PENDING until the projector has judged every part. */
  async verdict(commandId: string): Promise<CommandVerdict> {
    return (await this.outcomes.verdicts(this.dataSource.manager, [commandId])).get(commandId) ?? { status: 'PENDING' };
  }

  /** Appends every part, or throws: as given when nothing was appended (the request id is then released), else UNKNOWN. */
  private async appendAll(commandId: string, recorded: readonly (readonly RecordedEvent[])[], requestId: string | undefined): Promise<void> {
    const keyOf = (events: readonly RecordedEvent[]) => {
      const { namespace, name } = eventServiceKey(events[0].event);
      return serviceKey(namespace, name);
    };
    const notAppended = async (error: unknown): Promise<never> => {
      if (requestId !== undefined) await this.requests.release(this.dataSource.manager, requestId, commandId).catch(() => undefined);
      throw error;
    };
    try {
      // A part refused for its size must not follow parts already appended.
      if (recorded.length > 1) for (const events of recorded) this.eventLog.assertAppendable(keyOf(events), events);
    } catch (error) {
      return notAppended(error);
    }
    const results = await Promise.allSettled(recorded.map((events) => this.eventLog.append(keyOf(events), events)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return;
    if (results.every((r) => r.status === 'rejected' && (r.reason instanceof LogUnavailableError || r.reason instanceof RecordTooLargeError))) {
      return notAppended(failed.reason);
    }
    if (failed.reason instanceof AppendOutcomeUnknownError && recorded.length === 1) throw failed.reason;
    throw new ApiError('UNAVAILABLE', `the event log did not confirm every part of command ${commandId}; commandOutcome(id) settles it`, {
      outcome: 'UNKNOWN',
      commandId,
    });
  }

  private async outcomeOf(commandId: string, eventIds: string[], options: CommandOptions, commitsBefore?: number): Promise<CommandOutcome> {
    if (!options.waitForProjection) return { commandId, eventIds, resourceVersion: null };
    const verdict = await this.waiter.waitFor(commandId, commitsBefore);
    hopTrace.mark('api.verdict', options.traceparent);
    if (verdict.status === 'REJECTED') {
      const field = verdict.field ?? 'input';
      throw new ApiError(rejectionCode(verdict.code), `${field}: ${verdict.message ?? 'rejected'}`, {
        field,
        rule: verdict.message,
        commandId,
      });
    }
    return { commandId, eventIds, resourceVersion: verdict.resourceVersion ?? null };
  }

  private loadStates(commands: readonly RegistryCommand[], keys: readonly string[]): Promise<Map<string, DecisionState>> {
    const ids = new Map<string, Set<string>>(keys.map((key) => [key, new Set()]));
    commands.forEach((command, i) => referencedEndpoints(command).forEach((id) => ids.get(keys[i])?.add(id)));
    return this.states.load([...ids].map(([key, named]) => ({ key, ids: [...named] })));
  }
}

const rejectionCode = (code: string | undefined): RegistryErrorCode =>
  code === 'NOT_FOUND' || code === 'BAD_USER_INPUT' ? code : 'CONFLICT';

const validateRequestId = (requestId: string | undefined): void => {
  if (requestId !== undefined && (requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH)) {
    throw new DomainError('BAD_USER_INPUT', 'requestId', `must be 1 to ${MAX_REQUEST_ID_LENGTH} characters, got ${requestId.length}`);
  }
};

/**
 * The client's resourceVersions -> the commands that produced them (log facts the projector's
 * judge can compare on replay too). A version that no longer matches fails here already.
 */
const translatePreconditions = (
  command: RegistryCommand,
  state: DecisionState,
  args: CommandPreconditionArgs | undefined,
): CommandPreconditions | undefined => {
  const ifService = args?.ifServiceVersion ?? undefined;
  const ifEndpoint = args?.ifEndpointVersion ?? undefined;
  if (ifService === undefined && ifEndpoint === undefined) return undefined;
  const service = ifService === undefined ? undefined : servicePrecondition(ifService, state);
  const endpoint = ifEndpoint === undefined ? undefined : endpointPrecondition(ifEndpoint, command, state);
  return { ...(service && { service }), ...(endpoint && { endpoint }) };
};

const requireVersion = (version: string, field: string): void => {
  if (!RESOURCE_VERSION.test(version)) throw new DomainError('BAD_USER_INPUT', field, `must be a resourceVersion (a decimal integer), got ${JSON.stringify(version)}`);
};

const servicePrecondition = (version: string, state: DecisionState): CommandPreconditions['service'] => {
  requireVersion(version, 'ifServiceVersion');
  const stored = state.service;
  if (version === '0') {
    if (stored) throw new DomainError('CONFLICT', 'ifServiceVersion', `service ${stored.definition.namespace}/${stored.definition.name} exists (resourceVersion ${stored.resourceVersion}); "0" requires that it does not`);
    return { version, lastCommandId: null };
  }
  if (!stored) throw new DomainError('CONFLICT', 'ifServiceVersion', `the service does not exist, so it is not at resourceVersion ${version}`);
  if (stored.resourceVersion !== version) {
    throw new DomainError('CONFLICT', 'ifServiceVersion', `service ${stored.definition.namespace}/${stored.definition.name} is at resourceVersion ${stored.resourceVersion}, not ${version}`);
  }
  return { version, lastCommandId: stored.lastCommandId };
};

const endpointPrecondition = (version: string, command: RegistryCommand, state: DecisionState): CommandPreconditions['endpoint'] => {
  requireVersion(version, 'ifEndpointVersion');
  const [id] = referencedEndpoints(command);
  const endpoint = id === undefined ? undefined : state.endpoints.get(id);
  if (!endpoint) throw new DomainError('NOT_FOUND', 'id', `endpoint ${id ?? ''} is not registered`);
  if (endpoint.resourceVersion !== version) {
    throw new DomainError('CONFLICT', 'ifEndpointVersion', `endpoint ${id} is at resourceVersion ${endpoint.resourceVersion}, not ${version}`);
  }
  return { version, lastCommandId: endpoint.lastCommandId };
};

const referencedEndpoints = (command: RegistryCommand): readonly string[] => {
  switch (command.type) {
    case 'SetEndpointConditions':
      return [command.id];
    case 'DeregisterEndpoints':
      return command.ids;
    default:
      return [];
  }
};

const commandNamespace = (command: RegistryCommand): string =>
  command.type === 'RegisterService' ? (command.input.namespace ?? 'default') : command.namespace;

const commandServiceKey = (command: RegistryCommand): string =>
  serviceKey(commandNamespace(command), command.type === 'RegisterService' ? command.input.name : command.type === 'DeleteService' ? command.name : command.serviceName);
