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
import { ProjectionWaiter } from './projection-waiter';

export interface CommandOutcome {
  readonly eventIds: string[];
  readonly resourceVersion: string | null;
}

export interface CommandOptions {
  readonly actor: string;
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
  ) {}

  async handle(commands: readonly RegistryCommand[], options: CommandOptions): Promise<CommandOutcome> {
    const decided = await this.decideAll(commands);
    const time = new Date().toISOString();
    const recorded = decided.map((events) => {
      const commandId = randomUUID();
      return events.map(
        (event): RecordedEvent => ({
          event,
          metadata: { id: randomUUID(), time, actor: options.actor, commandId, commandSize: events.length },
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
    const states = await this.states.load(this.dataSource.manager, [...new Set(keys)]);
    return commands.map((command, i) => decide(command, states.get(keys[i])));
  }
}

const commandServiceKey = (command: RegistryCommand): string => {
  switch (command.type) {
    case 'RegisterService':
      return serviceKey(command.input.namespace ?? 'default', command.input.name);
    case 'DeleteService':
      return serviceKey(command.namespace, command.name);
    default:
      return serviceKey(command.namespace, command.serviceName);
  }
};
