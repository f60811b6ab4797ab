import type { RegistryEvent, RegistryEventType } from './events';

/** Current schema version of every event type; a stored event of any older version stays readable. */
export const CURRENT_EVENT_VERSIONS: Readonly<Record<RegistryEventType, number>> = {
  ServiceRegistered: 1,
  ServiceDeleted: 1,
  EndpointRegistered: 1,
  EndpointConditionsChanged: 1,
  EndpointDeregistered: 1,
  EndpointExpired: 1,
};

export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';
}

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Upcasters by type and *source* version: each lifts data one version up. Add an entry when a
 * version is bumped; never remove one, so every released version stays readable.
 */
const UPCASTERS: Readonly<Partial<Record<RegistryEventType, Readonly<Record<number, Upcaster>>>>> = {};

const REQUIRED_FIELDS: Readonly<Record<RegistryEventType, readonly string[]>> = {
  ServiceRegistered: ['service'],
  ServiceDeleted: ['namespace', 'name'],
  EndpointRegistered: ['namespace', 'serviceName', 'endpoint'],
  EndpointConditionsChanged: ['namespace', 'serviceName', 'id', 'conditions'],
  EndpointDeregistered: ['namespace', 'serviceName', 'id'],
  EndpointExpired: ['namespace', 'serviceName', 'id', 'phase', 'leaseLapsedAt'],
};

const isEventType = (type: string): type is RegistryEventType => type in CURRENT_EVENT_VERSIONS;

/** Stored (type, version, data) -> the current event shape, or UnreadableEventError (dead letter). */
export const upcast = (type: string, version: number, data: unknown): RegistryEvent => {
  if (!isEventType(type)) throw new UnreadableEventError(`unknown event type ${type}`);
  const current = CURRENT_EVENT_VERSIONS[type];
  if (!Number.isInteger(version) || version < 1 || version > current) {
    throw new UnreadableEventError(`unsupported version ${version} of ${type} (readable: 1..${current})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UnreadableEventError(`${type} v${version}: data must be a JSON object`);
  }
  let lifted = data as Record<string, unknown>;
  for (let v = version; v < current; v++) {
    const step = UPCASTERS[type]?.[v];
    if (!step) throw new UnreadableEventError(`no upcaster for ${type} v${v}`);
    lifted = step(lifted);
  }
  const missing = REQUIRED_FIELDS[type].filter((field) => lifted[field] === undefined || lifted[field] === null);
  if (missing.length > 0) throw new UnreadableEventError(`${type} v${version}: missing ${missing.join(', ')}`);
  return { type, data: lifted } as unknown as RegistryEvent;
};
