import {
  CommandOutcomeRepository,
  ConsumerOffsetRepository,
  EndpointHistoryRepository,
  EndpointRepository,
  EndpointSliceRepository,
  LeaseRepository,
  ProjectionRepositories,
  ProjectionTopologyRepository,
  ServiceRepository,
  SliceChangeRepository,
} from '@lib/persistence';

/** The projector's repositories for tests that drive a BatchApplier without a Nest app. */
export const projectionRepositories = (): ProjectionRepositories =>
  new ProjectionRepositories(
    new ServiceRepository(),
    new EndpointRepository(),
    new EndpointSliceRepository(),
    new SliceChangeRepository(),
    new ConsumerOffsetRepository(),
    new EndpointHistoryRepository(),
    new LeaseRepository(),
    new CommandOutcomeRepository(),
    new ProjectionTopologyRepository(),
  );
