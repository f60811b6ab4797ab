import { Inject, Injectable } from '@nestjs/common';
import { checkLeaseRenewal, DomainError, leaseRestoreEvents, serviceKey, type RenewLeases } from '@lib/domain';
import { AccessService } from '../access/access.service';
import { DecisionStates } from '../commands/decision-states';
import { CommandService, type CommandOptions, type CommandOutcome } from '../commands/command.service';
import { LeaseRenewer } from './lease-renewer';

/**
 * heartbeat(s): renew leases in Postgres (no event), and append a restore event only for leases
 * the renewal found lapsed. The projected state is read only when something is wrong or lapsed,
 * so a plain heartbeat costs one share of one coalesced statement.
 */
@Injectable()
export class LeaseService {
  constructor(
    @Inject(DecisionStates) private readonly states: DecisionStates,
    @Inject(LeaseRenewer) private readonly renewer: LeaseRenewer,
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  async renew(command: RenewLeases, options: CommandOptions): Promise<CommandOutcome> {
    this.access.requireWrite(options.principal, command.namespace);
    const keys = command.endpoints.map(({ id }) => ({ namespace: command.namespace, serviceName: command.serviceName, id }));
    let result = await this.renewer.renew(keys);
    if (!result.complete) {
      checkLeaseRenewal(command, await this.stateOf(command));
      // The projection changed the lease between the two reads (registered it, or removed it): once more.
      result = await this.renewer.renew(keys);
      if (!result.complete) {
        throw new DomainError('NOT_FOUND', command.endpoints[0].field, 'the lease changed while it was being renewed; send the heartbeat again');
      }
    }
    if (result.lapsed.length === 0) return { commandId: '', eventIds: [], resourceVersion: null };
    return this.commands.append([leaseRestoreEvents(command, await this.stateOf(command), result.lapsed)], options);
  }

  private async stateOf(command: RenewLeases) {
    const key = serviceKey(command.namespace, command.serviceName);
    const states = await this.states.load([{ key, ids: command.endpoints.map((e) => e.id) }]);
    return states.get(key)?.state;
  }
}
