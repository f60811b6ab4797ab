import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar, JSONObjectScalar } from '../graphql/scalars';
import { AddressTypeEnum, ProtocolEnum, WatchEventTypeEnum } from '../graphql/enums';

@ObjectType()
export class ObjectMeta {
  @Field() name!: string;
  @Field() namespace!: string;
  @Field(() => ID) uid!: string;
  @Field(() => JSONObjectScalar) labels!: Record<string, string>;
  @Field(() => JSONObjectScalar) annotations!: Record<string, string>;
  @Field() resourceVersion!: string;
  @Field(() => Int) generation!: number;
  @Field(() => DateTimeScalar) creationTimestamp!: string;
}

@ObjectType()
export class EndpointConditions {
  @Field(() => Boolean, { nullable: true }) ready?: boolean;
  @Field(() => Boolean, { nullable: true }) serving?: boolean;
  @Field(() => Boolean, { nullable: true }) terminating?: boolean;
}

@ObjectType()
export class ForZone {
  @Field() name!: string;
}

@ObjectType()
export class ForNode {
  @Field() name!: string;
}

@ObjectType()
export class EndpointHints {
  @Field(() => [ForZone], { nullable: true }) forZones?: ForZone[];
  @Field(() => [ForNode], { nullable: true }) forNodes?: ForNode[];
}

@ObjectType()
export class ObjectReference {
  @Field() kind!: string;
  @Field() namespace!: string;
  @Field() name!: string;
}

@ObjectType()
export class Endpoint {
  @Field(() => [String]) addresses!: string[];
  @Field(() => EndpointConditions) conditions!: EndpointConditions;
  @Field(() => String, { nullable: true }) hostname?: string;
  @Field(() => String, { nullable: true }) nodeName?: string;
  @Field(() => String, { nullable: true }) zone?: string;
  @Field(() => EndpointHints, { nullable: true }) hints?: EndpointHints;
  @Field(() => ObjectReference, { nullable: true }) targetRef?: ObjectReference;
}

@ObjectType()
export class EndpointPort {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => ProtocolEnum) protocol!: string;
  @Field(() => Int, { nullable: true }) port?: number;
  @Field(() => String, { nullable: true }) appProtocol?: string;
}

@ObjectType()
export class EndpointSlice {
  @Field() apiVersion!: string;
  @Field() kind!: string;
  @Field(() => ObjectMeta) metadata!: ObjectMeta;
  @Field(() => AddressTypeEnum) addressType!: string;
  @Field(() => [Endpoint]) endpoints!: Endpoint[];
  @Field(() => [EndpointPort]) ports!: EndpointPort[];
}

@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string;
}

@ObjectType()
export class EndpointSliceConnection {
  @Field(() => [EndpointSlice]) nodes!: EndpointSlice[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
  @Field({ description: 'The latest resourceVersion this list reflects: start a watch from it.' })
  resourceVersion!: string;
}

@ObjectType()
export class WatchEvent {
  @Field(() => WatchEventTypeEnum) type!: string;
  @Field(() => EndpointSlice, { nullable: true }) object?: EndpointSlice;
  @Field() resourceVersion!: string;
}
