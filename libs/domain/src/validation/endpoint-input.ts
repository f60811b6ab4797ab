import type {
  AddressType,
  EndpointDefinition,
  InstancePort,
  ServiceDefinition,
} from '../registry/model';
import type { EndpointPortInput, RegisterEndpointInput } from '../registry/inputs';
import { addressFamilyOf } from '../slices/address-family';
import { parseAddress } from './addresses';
import { validateConditions } from './conditions';
import { atIndex, badInput, requireIntegerInRange, requireShape } from './field-path';
import { validateEndpointId, validateNamespace, validateServiceName } from './identifiers';
import {
  DNS1123_LABEL_RULE,
  DNS1123_SUBDOMAIN_RULE,
  LABEL_VALUE_RULE,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
} from './names';
import { validatePortName, validateProtocol } from './service-input';

// k8s discovery validation maxAddresses.
export const MAX_ENDPOINT_ADDRESSES = 100;
export const MAX_TTL_SECONDS = 3600;
export const MAX_DEREGISTER_AFTER_SECONDS = 86400;
export const DEREGISTER_AFTER_TTL_FACTOR = 3;

export const validateEndpointInput = (
  input: RegisterEndpointInput,
  service: ServiceDefinition,
  field = 'input',
): EndpointDefinition => {
  validateServiceReference(input, service, field);
  const addresses = validateAddresses(input.addresses, service, `${field}.addresses`);
  const id = input.id === null || input.id === undefined ? addresses[0] : validateEndpointId(input.id, `${field}.id`);
  const conditions = validateConditions(input.conditions, `${field}.conditions`);
  const hostname = input.hostname == null ? undefined : requireShape(input.hostname, `${field}.hostname`, isDns1123Label, `hostname ${DNS1123_LABEL_RULE}`);
  // A Node name (k8s ValidateNodeName): DNS-1123 subdomain.
  const nodeName = input.nodeName == null ? undefined : requireShape(input.nodeName, `${field}.nodeName`, isDns1123Subdomain, `nodeName ${DNS1123_SUBDOMAIN_RULE}`);
  // Upstream leaves zone unvalidated, but it is copied into hints.forZones, which must be label
  // values; checking here keeps hint-bearing slices valid. An empty zone means "no zone".
  const zone = input.zone == null ? undefined : requireShape(input.zone, `${field}.zone`, isLabelValue, `zone ${LABEL_VALUE_RULE}`);
  const ports = validateInstancePorts(input.ports ?? [], service, `${field}.ports`);
  const ttlSeconds = input.ttlSeconds == null ? undefined : requireIntegerInRange(input.ttlSeconds, `${field}.ttlSeconds`, 1, MAX_TTL_SECONDS);
  const deregisterAfterSeconds = validateDeregisterAfter(input.deregisterAfterSeconds, ttlSeconds, field);
  // Absent fields are left out, key by key in this order (the event's JSON keeps it), without a
  // spread of a literal per field: the projector runs this again on every event it reads.
  const endpoint: Building<EndpointDefinition> = { id, addresses, conditions };
  if (hostname !== undefined) endpoint.hostname = hostname;
  if (nodeName !== undefined) endpoint.nodeName = nodeName;
  if (zone !== undefined && zone !== '') endpoint.zone = zone;
  endpoint.ports = ports;
  if (ttlSeconds !== undefined) endpoint.ttlSeconds = ttlSeconds;
  if (deregisterAfterSeconds !== undefined) endpoint.deregisterAfterSeconds = deregisterAfterSeconds;
  // Every required key is set above.
  return endpoint as EndpointDefinition;
};

type Building<T> = { -readonly [K in keyof T]?: T[K] };

const serviceRef = (service: ServiceDefinition): string => `${service.namespace}/${service.name}`;
const listOf = (items: readonly string[]): string => `[${items.join(', ')}]`;

const validateServiceReference = (input: RegisterEndpointInput, service: ServiceDefinition, field: string): void => {
  const namespace = validateNamespace(input.namespace, `${field}.namespace`);
  const serviceName = validateServiceName(input.serviceName, `${field}.serviceName`);
  // The caller resolved `service` from these two fields; a mismatch would file the endpoint
  // under the wrong key.
  if (namespace !== service.namespace) throw badInput(`${field}.namespace`, serviceMismatchRule(service));
  if (serviceName !== service.name) throw badInput(`${field}.serviceName`, serviceMismatchRule(service));
};

// Built only for an error: the projector validates every event again.
const serviceMismatchRule = (service: ServiceDefinition): string =>
  `must name the service the endpoint is registered with (${serviceRef(service)})`;

const familyRule = (family: AddressType, service: ServiceDefinition): string => {
  const serves = `service ${serviceRef(service)} serves ${listOf(service.addressTypes)}`;
  if (family === 'FQDN') {
    return `${serves}; FQDN addresses need a service registered with addressTypes [FQDN]`;
  }
  if (service.addressTypes.includes('FQDN')) {
    return `${serves}; ${family} addresses need a service registered with addressTypes [${family}] (FQDN cannot be combined with IP families)`;
  }
  return `${serves}; register it with addressTypes ${listOf([...service.addressTypes, family])} to serve ${family} addresses`;
};

const validateAddresses = (
  raws: readonly string[],
  service: ServiceDefinition,
  field: string,
): readonly string[] => {
  // k8s validateEndpoints: "must contain at least 1 address", TooMany above maxAddresses.
  if (raws.length === 0) throw badInput(field, 'must contain at least 1 address');
  if (raws.length > MAX_ENDPOINT_ADDRESSES) {
    throw badInput(field, `Too many: ${raws.length}: must have at most ${MAX_ENDPOINT_ADDRESSES} addresses`);
  }
  const canonical: string[] = [];
  // The field path of an item is built only for an error: the projector validates every event again.
  for (let index = 0; index < raws.length; index++) {
    const parsed = parseAddress(raws[index]);
    if (!parsed.ok) throw badInput(atIndex(field, index), parsed.rule);
    // Each family becomes its own slice set (reconcileByAddressType); an address of a family the
    // service does not serve would never reach a slice, so it is refused rather than hidden.
    if (!service.addressTypes.includes(parsed.family)) throw badInput(atIndex(field, index), familyRule(parsed.family, service));
    // Endpoint.addresses is listType=set; compared after canonicalization so 2001:DB8::1 and
    // 2001:db8::1 are the same address.
    if (canonical.includes(parsed.canonical)) {
      throw badInput(atIndex(field, index), `Duplicate value: ${JSON.stringify(parsed.canonical)}: addresses must be unique`);
    }
    canonical.push(parsed.canonical);
  }
  return canonical;
};

const formatServicePorts = (service: ServiceDefinition): string =>
  service.ports.length === 0
    ? `service ${serviceRef(service)} has no ports`
    : `service ${serviceRef(service)} has ports ${listOf(service.ports.map((p) => `${JSON.stringify(p.name)}/${p.protocol}`))}`;

const servesPort = (service: ServiceDefinition, name: string, protocol: string): boolean =>
  service.ports.some((candidate) => candidate.name === name && candidate.protocol === protocol);

const portRule = (name: string, protocol: string, service: ServiceDefinition): string =>
  `must match a service port by name and protocol: no ${JSON.stringify(name)}/${protocol}; ${formatServicePorts(service)}`;

/**
 * What of a valid endpoint no longer fits its service (families served, ports declared): the
 * projector asks this where the registration lands, since the service may have changed after the
 * API accepted it. The same rules as validateEndpointInput, on canonical data.
 */
export const endpointMisfit = (
  endpoint: EndpointDefinition,
  service: ServiceDefinition,
  field: string,
): { readonly field: string; readonly rule: string } | undefined => {
  for (const [index, address] of endpoint.addresses.entries()) {
    const family = addressFamilyOf(address);
    if (!service.addressTypes.includes(family)) return { field: atIndex(`${field}.addresses`, index), rule: familyRule(family, service) };
  }
  for (const [index, port] of endpoint.ports.entries()) {
    if (!servesPort(service, port.name, port.protocol)) {
      return { field: atIndex(`${field}.ports`, index), rule: portRule(port.name, port.protocol, service) };
    }
  }
  return undefined;
};

const validateInstancePorts = (
  inputs: readonly EndpointPortInput[],
  service: ServiceDefinition,
  field: string,
): readonly InstancePort[] => {
  const seen = new Set<string>();
  return inputs.map((input, index) => {
    const portField = atIndex(field, index);
    const name = validatePortName(input.name, `${portField}.name`);
    const protocol = validateProtocol(input.protocol, `${portField}.protocol`);
    const port = requireIntegerInRange(input.port, `${portField}.port`, 1, 65535);
    // Named target ports resolve against a Pod's container port with the same name and
    // protocol (k8s podutil.FindPort); an instance port plays that role here.
    if (!servesPort(service, name, protocol)) throw badInput(portField, portRule(name, protocol, service));
    const key = `${name}/${protocol}`;
    if (seen.has(key)) {
      throw badInput(portField, `Duplicate value: ${JSON.stringify(name)}/${protocol}: each service port may be given once`);
    }
    seen.add(key);
    return { name, protocol, port };
  });
};

const validateDeregisterAfter = (
  value: number | null | undefined,
  ttlSeconds: number | undefined,
  field: string,
): number | undefined => {
  const deregisterField = `${field}.deregisterAfterSeconds`;
  if (value === null || value === undefined) {
    return ttlSeconds === undefined ? undefined : DEREGISTER_AFTER_TTL_FACTOR * ttlSeconds;
  }
  // Removal counts from the lease lapsing; without a lease there is nothing to count from.
  if (ttlSeconds === undefined) throw badInput(deregisterField, 'may only be set together with ttlSeconds');
  return requireIntegerInRange(value, deregisterField, 1, MAX_DEREGISTER_AFTER_SECONDS);
};
