import { registerEnumType } from '@nestjs/graphql';

const enumOf = <T extends string>(values: readonly T[]): { [K in T]: K } =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const AddressTypeEnum = enumOf(['IPv4', 'IPv6', 'FQDN'] as const);
export const ProtocolEnum = enumOf(['TCP', 'UDP', 'SCTP'] as const);
export const TrafficDistributionEnum = enumOf(['PreferClose', 'PreferSameZone', 'PreferSameNode'] as const);
export const WatchEventTypeEnum = enumOf(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'] as const);

registerEnumType(AddressTypeEnum, { name: 'AddressType' });
registerEnumType(ProtocolEnum, { name: 'Protocol' });
registerEnumType(TrafficDistributionEnum, { name: 'TrafficDistribution' });
registerEnumType(WatchEventTypeEnum, { name: 'WatchEventType' });
