import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  decide,
  eventServiceKey,
  serviceKey,
  type RecordedEvent,
  type RegistryCommand,
  type RegistryEvent,
} from '@lib/domain';
import { EVENT_LOG, type EventLog } from '@lib/messaging';
import { RegistryStateRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { ProjectionWaiter } from './projection-waiter';

export interface CommandOutcome {
  readonly eventIds: string[];
  readonly resourceVersion: string | null;
}

export interface CommandOptions {
  /** Must be allowed to write every namespace the commands touch; recorded as the events' actor. */
  readonly principal: Principal;
  /** false: return on the broker's ack instead of waiting for the projection. */
  readonly waitForProjection: boolean;
}

/** load state -> decide -> append -> await projection. Every command of a request is decided before anything is appended. */
@Injectable()
export class CommandService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(RegistryStateRepository) private readonly states: RegistryStateRepository,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(ProjectionWaiter) private readonly waiter: ProjectionWaiter,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  async handle(commands: readonly RegistryCommand[], options: CommandOptions): Promise<CommandOutcome> {
    for (const command of commands) this.access.requireWrite(options.principal, commandNamespace(command));
    return this.append(await this.decideAll(commands), options);
  }

  /**
   * Appends events already decided (one inner array per command, applied in one reconcile each)
   * and awaits their projection; for callers that decide outside `decide`, like lease renewals.
   */
  async append(decided: readonly (readonly RegistryEvent[])[], options: CommandOptions): Promise<CommandOutcome> {
    const time = new Date().toISOString();
    const recorded = decided.filter((events) => events.length > 0).map((events) => {
      const commandId = randomUUID();
      return events.map(
        (event): RecordedEvent => ({
          event,
          metadata: { id: randomUUID(), time, actor: options.principal.name, commandId, commandSize: events.length },
        }),
      );
    });
    const appended = await Promise.all(
      recorded.map((events) => {
        const { namespace, name } = eventServiceKey(events[0].event);
        return this.eventLog.append(serviceKey(namespace, name), events);
      }),
    );
    const eventIds = recorded.flat().map((r) => r.metadata.id);
    if (!options.waitForProjection) return { eventIds, resourceVersion: null };
    const versions = await this.waiter.waitFor(appended);
    const resourceVersion = versions.includes(null)
      ? null
      : versions.reduce((max, v) => (BigInt(v as string) > BigInt(max as string) ? v : max));
    return { eventIds, resourceVersion };
  }

  private async decideAll(commands: readonly RegistryCommand[]): Promise<RegistryEvent[][]> {
    const keys = commands.map(commandServiceKey);
    const endpointIds = new Map<string, Set<string>>(keys.map((key) => [key, new Set()]));
    commands.forEach((command, i) => referencedEndpoints(command).forEach((id) => endpointIds.get(keys[i])?.add(id)));
    const states = await this.states.loadForDecision(
      this.dataSource.manager,
      [...endpointIds].map(([key, ids]) => ({ key, endpointIds: [...ids] })),
    );
    return commands.map((command, i) => decide(command, states.get(keys[i])));
  }
}

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
