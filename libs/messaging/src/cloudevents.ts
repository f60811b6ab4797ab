import {
  CURRENT_EVENT_VERSIONS,
  UnreadableEventError,
  eventServiceKey,
  serviceKey,
  upcast,
  isTraceparent,
  type CommandPreconditions,
  validateEvent,
  type RecordedEvent,
  type RegistryEventType,
} from '@lib/domain';
import type { LogMessage } from './event-log';

const TYPE_PREFIX = 'io.endpointslice.registry.';
export const CE_SOURCE = '/endpointslice-registry';

/** CloudEvents `type` segments per event: `<reverse-dns>.<noun>.<verb>.v<version>`. */
const CE_TYPE_NAMES: Readonly<Record<RegistryEventType, string>> = {
  ServiceRegistered: 'service.registered',
  ServiceDeleted: 'service.deleted',
  EndpointRegistered: 'endpoint.registered',
  EndpointConditionsChanged: 'endpoint.conditions.changed',
  EndpointDeregistered: 'endpoint.deregistered',
  EndpointExpired: 'endpoint.expired',
};
const TYPES_BY_CE_NAME = new Map(Object.entries(CE_TYPE_NAMES).map(([type, name]) => [name, type as RegistryEventType]));

export const ceType = (type: RegistryEventType, version = CURRENT_EVENT_VERSIONS[type]): string =>
  `${TYPE_PREFIX}${CE_TYPE_NAMES[type]}.v${version}`;

export interface EncodedEvent {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** CloudEvents Kafka protocol binding, binary mode: attributes in `ce_*` headers, data as the value. */
export const encodeEvent = ({ event, metadata }: RecordedEvent): EncodedEvent => {
  const { namespace, name } = eventServiceKey(event);
  return {
    key: serviceKey(namespace, name),
    value: Buffer.from(JSON.stringify(event.data)),
    headers: {
      ce_specversion: '1.0',
      ce_id: metadata.id,
      ce_source: CE_SOURCE,
      ce_type: ceType(event.type),
      ce_time: metadata.time,
      ce_subject: serviceKey(namespace, name),
      ce_actor: metadata.actor,
      ce_commandid: metadata.commandId,
      ce_commandsize: String(metadata.commandSize),
      ...(metadata.commandParts !== undefined && { ce_commandparts: String(metadata.commandParts) }),
      ...preconditionHeaders(metadata.preconditions),
      ...(metadata.traceparent !== undefined && { ce_traceparent: metadata.traceparent }),
      'content-type': 'application/json',
    },
  };
};

// CloudEvents extension values are strings: "must not exist" travels as an empty command id.
const preconditionHeaders = (preconditions: CommandPreconditions | undefined): Record<string, string> => ({
  ...(preconditions?.service && {
    ce_ifserviceversion: preconditions.service.version,
    ce_ifservicecommand: preconditions.service.lastCommandId ?? '',
  }),
  ...(preconditions?.endpoint && {
    ce_ifendpointversion: preconditions.endpoint.version,
    ce_ifendpointcommand: preconditions.endpoint.lastCommandId,
  }),
});

const decodePreconditions = (h: Readonly<Record<string, string>>): CommandPreconditions | undefined => {
  const service = h.ce_ifserviceversion !== undefined && h.ce_ifservicecommand !== undefined
    ? { version: h.ce_ifserviceversion, lastCommandId: h.ce_ifservicecommand === '' ? null : h.ce_ifservicecommand }
    : undefined;
  const endpoint = h.ce_ifendpointversion !== undefined && h.ce_ifendpointcommand
    ? { version: h.ce_ifendpointversion, lastCommandId: h.ce_ifendpointcommand }
    : undefined;
  return service || endpoint ? { ...(service && { service }), ...(endpoint && { endpoint }) } : undefined;
};

/** One command's events, all under the command's key. */
export const encodeCommand = (key: string, events: readonly RecordedEvent[]): EncodedEvent[] =>
  events.map((recorded) => {
    const encoded = encodeEvent(recorded);
    if (encoded.key !== key) throw new Error(`event key ${encoded.key} differs from the command key ${key}`);
    return encoded;
  });

/** Types and versions of the ce_type values met so far: a log carries a handful, each on many records. */
const ceTypes = new Map<string, { readonly type: RegistryEventType; readonly version: number }>();
const MAX_CE_TYPES = 64;

const knownCeType = (ceTypeValue: string | undefined): { readonly type: RegistryEventType; readonly version: number } | undefined => {
  if (ceTypeValue === undefined) return undefined;
  const cached = ceTypes.get(ceTypeValue);
  if (cached) return cached;
  const match = /^(.+)\.v(\d+)$/.exec(ceTypeValue);
  const type = match && ceTypeValue.startsWith(TYPE_PREFIX) ? TYPES_BY_CE_NAME.get(match[1].slice(TYPE_PREFIX.length)) : undefined;
  if (!match || !type) return undefined;
  const known = { type, version: Number(match[2]) };
  if (ceTypes.size < MAX_CE_TYPES) ceTypes.set(ceTypeValue, known);
  return known;
};

/** Throws UnreadableEventError for anything that can never be applied: it goes to the dead-letter topic. */
export const decodeEvent = (message: LogMessage): RecordedEvent => {
  const h = message.headers;
  if (h.ce_specversion !== '1.0') throw new UnreadableEventError(`ce_specversion must be 1.0, got ${h.ce_specversion}`);
  const known = knownCeType(h.ce_type);
  if (!known) throw new UnreadableEventError(`unknown ce_type ${h.ce_type}`);
  const { type, version } = known;
  for (const header of ['ce_id', 'ce_time', 'ce_commandid'] as const) {
    if (!h[header]) throw new UnreadableEventError(`missing header ${header}`);
  }
  const commandSize = Number(h.ce_commandsize ?? '1');
  if (!Number.isInteger(commandSize) || commandSize < 1) throw new UnreadableEventError(`bad ce_commandsize ${h.ce_commandsize}`);
  const commandParts = h.ce_commandparts === undefined ? undefined : Number(h.ce_commandparts);
  if (commandParts !== undefined && (!Number.isInteger(commandParts) || commandParts < 1)) {
    throw new UnreadableEventError(`bad ce_commandparts ${h.ce_commandparts}`);
  }
  const preconditions = decodePreconditions(h);
  if (Number.isNaN(Date.parse(h.ce_time))) throw new UnreadableEventError(`ce_time is not a time: ${h.ce_time}`);
  const text = message.value?.toString('utf8') ?? 'null';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UnreadableEventError(`value is not JSON: ${(error as Error).message}`);
  }
  const event = upcast(type, version, data);
  validateEvent(event, { scanForNul: text.includes('\\u0000') });
  const { namespace, name } = eventServiceKey(event);
  if (message.key !== serviceKey(namespace, name)) {
    throw new UnreadableEventError(`key ${message.key} does not match the event's service ${serviceKey(namespace, name)}`);
  }
  return {
    event,
    metadata: {
      id: h.ce_id,
      time: h.ce_time,
      actor: h.ce_actor ?? 'unknown',
      commandId: h.ce_commandid,
      commandSize,
      ...(commandParts !== undefined && { commandParts }),
      ...(preconditions !== undefined && { preconditions }),
      ...(isTraceparent(h.ce_traceparent) && { traceparent: h.ce_traceparent }),
    },
  };
};
