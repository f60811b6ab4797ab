import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { EndpointSlice, PageInfo } from '../endpoint-slices/endpoint-slice.types';
import { AddressTypeEnum, ProtocolEnum, TrafficDistributionEnum } from '../graphql/enums';
import { JSONObjectScalar } from '../graphql/scalars';

@ObjectType()
export class ServicePort {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => ProtocolEnum) protocol!: string;
  @Field(() => Int) port!: number;
  @Field(() => Int, { nullable: true }) targetPort?: number;
  @Field(() => String, { nullable: true }) appProtocol?: string;
}

@ObjectType()
export class Service {
  @Field() namespace!: string;
  @Field() name!: string;
  @Field(() => JSONObjectScalar) labels!: Record<string, string>;
  @Field(() => [ServicePort]) ports!: ServicePort[];
  @Field(() => [AddressTypeEnum]) addressTypes!: string[];
  @Field(() => TrafficDistributionEnum, { nullable: true }) trafficDistribution?: string;
  @Field({ description: 'resourceVersion of the service\'s last change (its definition or any of its endpoints): what ifServiceVersion compares.' })
  resourceVersion!: string;
  /** Resolved by a field resolver. */
  endpointSlices?: EndpointSlice[];
}

@ObjectType()
export class ServiceConnection {
  @Field(() => [Service]) nodes!: Service[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@InputType()
export class ServicePortInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => ProtocolEnum, { nullable: true, defaultValue: 'TCP' }) protocol?: string | null;
  @Field(() => Int) port!: number;
  @Field(() => Int, { nullable: true }) targetPort?: number | null;
  @Field(() => String, { nullable: true }) appProtocol?: string | null;
}

@InputType()
export class RegisterServiceInput {
  @Field(() => String, { nullable: true, defaultValue: 'default' }) namespace?: string | null;
  @Field() name!: string;
  @Field(() => JSONObjectScalar, { nullable: true }) labels?: Record<string, string> | null;
  @Field(() => [ServicePortInput]) ports!: ServicePortInput[];
  @Field(() => [AddressTypeEnum], { nullable: true, defaultValue: ['IPv4'] }) addressTypes?: string[] | null;
  @Field(() => TrafficDistributionEnum, { nullable: true }) trafficDistribution?: string | null;
}
