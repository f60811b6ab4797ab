import { Inject, Injectable } from '@nestjs/common';
import { CommandOutcomeRepository } from './command-outcome.repository';
import { ConsumerOffsetRepository } from './consumer-offset.repository';
import { EndpointHistoryRepository } from './endpoint-history.repository';
import { EndpointSliceRepository } from './endpoint-slice.repository';
import { EndpointRepository } from './endpoint.repository';
import { LeaseRepository } from './lease.repository';
import { ProjectionTopologyRepository } from './projection-topology.repository';
import { ServiceRepository } from './service.repository';
import { SliceChangeRepository } from './slice-change.repository';

/** Everything the projector's transaction reads and writes, injected as one. */
@Injectable()
export class ProjectionRepositories {
  constructor(
    @Inject(ServiceRepository) readonly services: ServiceRepository,
    @Inject(EndpointRepository) readonly endpoints: EndpointRepository,
    @Inject(EndpointSliceRepository) readonly slices: EndpointSliceRepository,
    @Inject(SliceChangeRepository) readonly changes: SliceChangeRepository,
    @Inject(ConsumerOffsetRepository) readonly offsets: ConsumerOffsetRepository,
    @Inject(EndpointHistoryRepository) readonly history: EndpointHistoryRepository,
    @Inject(LeaseRepository) readonly leases: LeaseRepository,
    @Inject(CommandOutcomeRepository) readonly outcomes: CommandOutcomeRepository,
    @Inject(ProjectionTopologyRepository) readonly topology: ProjectionTopologyRepository,
  ) {}
}
