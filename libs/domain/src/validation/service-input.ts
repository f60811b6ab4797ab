import {
  ADDRESS_TYPES,
  PROTOCOLS,
  TRAFFIC_DISTRIBUTIONS,
  type AddressType,
  type Labels,
  type Protocol,
  type ServiceDefinition,
  type ServicePort,
  type TrafficDistribution,
} from '../registry/model';
import type { RegisterServiceInput, ServicePortInput } from '../registry/inputs';
import { RESERVED_LABEL_KEYS } from '../slices/endpoint-slice';
import { atIndex, atKey, badInput, requireIntegerInRange, requireShape, unsupportedValue } from './field-path';
import { validateNamespace, validateServiceName } from './identifiers';
import {
  DNS1123_LABEL_RULE,
  LABEL_VALUE_RULE,
  QUALIFIED_NAME_RULE,
  isDns1123Label,
  isLabelValue,
  isQualifiedName,
} from './names';

// k8s discovery validation maxPorts (raised from 100 by PR #99795); a service's ports all land
// on each of its slices, so the slice cap is the service cap.
export const MAX_SERVICE_PORTS = 20000;
export const DEFAULT_ADDRESS_TYPES: readonly AddressType[] = ['IPv4'];

export const validateServiceInput = (input: RegisterServiceInput, field = 'input'): ServiceDefinition => {
  const namespace = validateNamespace(input.namespace, `${field}.namespace`);
  const name = validateServiceName(input.name, `${field}.name`);
  const labels = validateLabels(input.labels, `${field}.labels`);
  const ports = validateServicePorts(input.ports, `${field}.ports`);
  const addressTypes = validateAddressTypes(input.addressTypes, `${field}.addressTypes`);
  const trafficDistribution = validateTrafficDistribution(input.trafficDistribution, `${field}.trafficDistribution`);
  return {
    namespace,
    name,
    labels,
    ports,
    addressTypes,
    ...(trafficDistribution === undefined ? {} : { trafficDistribution }),
  };
};

export const validateLabels = (labels: Readonly<Record<string, unknown>> | null | undefined, field: string): Labels => {
  if (labels === null || labels === undefined) return {};
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    throw badInput(field, 'must be an object mapping label keys to string values');
  }
  const valid: Record<string, string> = {};
  // Sorted so that equal label sets produce identical definitions (and identical events).
  for (const key of Object.keys(labels).sort()) {
    // The controller overwrites these on every slice, so a Service's own copy is ignored (k8s
    // reconciler setEndpointSliceLabels), not rejected.
    if (RESERVED_LABEL_KEYS.includes(key)) continue;
    const keyField = atKey(field, key);
    if (!isQualifiedName(key)) throw badInput(keyField, `label key ${QUALIFIED_NAME_RULE}`);
    const value = labels[key];
    if (typeof value !== 'string') throw badInput(keyField, 'label value must be a string');
    if (!isLabelValue(value)) throw badInput(keyField, LABEL_VALUE_RULE);
    valid[key] = value;
  }
  return valid;
};

export const validateProtocol = (value: string | null | undefined, field: string): Protocol => {
  // v1 defaulting (pkg/apis/discovery/v1/defaults.go): a missing protocol is TCP.
  const protocol = value ?? 'TCP';
  const known = PROTOCOLS.find((candidate) => candidate === protocol);
  if (known === undefined) throw badInput(field, unsupportedValue(protocol, PROTOCOLS));
  return known;
};

export const validatePortName = (value: string | null | undefined, field: string): string => {
  // EndpointPort.name: "" or a DNS-1123 label, not IANA_SVC_NAME (the 15-char limit was a bug, PR #84481).
  const name = value ?? '';
  return name === '' ? name : requireShape(name, field, isDns1123Label, `port name ${DNS1123_LABEL_RULE}`);
};

const validateServicePort = (input: ServicePortInput, field: string): ServicePort => {
  const port = requireIntegerInRange(input.port, `${field}.port`, 1, 65535);
  const appProtocol = input.appProtocol ?? undefined;
  if (appProtocol !== undefined) {
    requireShape(appProtocol, `${field}.appProtocol`, isQualifiedName, `appProtocol ${QUALIFIED_NAME_RULE}`);
  }
  return {
    name: validatePortName(input.name, `${field}.name`),
    protocol: validateProtocol(input.protocol, `${field}.protocol`),
    port,
    targetPort: requireIntegerInRange(input.targetPort ?? port, `${field}.targetPort`, 1, 65535),
    ...(appProtocol === undefined ? {} : { appProtocol }),
  };
};

const validateServicePorts = (inputs: readonly ServicePortInput[], field: string): readonly ServicePort[] => {
  if (inputs.length > MAX_SERVICE_PORTS) {
    throw badInput(field, `Too many: ${inputs.length}: must have at most ${MAX_SERVICE_PORTS} items`);
  }
  const names = new Set<string>();
  const numbers = new Set<string>();
  return inputs.map((input, index) => {
    const portField = atIndex(field, index);
    const port = validateServicePort(input, portField);
    // Unique names including "": two unnamed ports are a Duplicate (k8s validateEndpointPorts).
    if (names.has(port.name)) {
      throw badInput(
        `${portField}.name`,
        `Duplicate value: ${JSON.stringify(port.name)}: port names must be unique, including the empty name`,
      );
    }
    names.add(port.name);
    // A Service may not list the same port and protocol twice (k8s ValidateService).
    const number = `${port.port}/${port.protocol}`;
    if (numbers.has(number)) {
      throw badInput(portField, `Duplicate value: ${number}: each port and protocol pair may appear only once`);
    }
    numbers.add(number);
    return port;
  });
};

export const validateAddressTypes = (
  input: readonly string[] | null | undefined,
  field: string,
): readonly AddressType[] => {
  const requested = input ?? DEFAULT_ADDRESS_TYPES;
  if (requested.length === 0) throw badInput(field, 'must contain at least one address type');
  const addressTypes: AddressType[] = [];
  for (const [index, value] of requested.entries()) {
    const itemField = atIndex(field, index);
    const addressType = ADDRESS_TYPES.find((candidate) => candidate === value);
    if (addressType === undefined) throw badInput(itemField, unsupportedValue(value, ADDRESS_TYPES));
    if (addressTypes.includes(addressType)) {
      throw badInput(itemField, `Duplicate value: ${JSON.stringify(value)}: each address type may appear only once`);
    }
    addressTypes.push(addressType);
  }
  // Like spec.ipFamilies, a service is single- or dual-stack IP; FQDN slices are a separate,
  // deprecated kind of endpoint with no IP semantics, so it cannot share a service with them.
  if (addressTypes.includes('FQDN') && addressTypes.length > 1) {
    throw badInput(field, 'FQDN cannot be combined with IPv4 or IPv6');
  }
  return addressTypes;
};

const validateTrafficDistribution = (
  value: string | null | undefined,
  field: string,
): TrafficDistribution | undefined => {
  if (value === null || value === undefined) return undefined;
  const known = TRAFFIC_DISTRIBUTIONS.find((candidate) => candidate === value);
  if (known === undefined) throw badInput(field, unsupportedValue(value, TRAFFIC_DISTRIBUTIONS));
  return known;
};
