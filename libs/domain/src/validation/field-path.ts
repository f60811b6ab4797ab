import { DomainError } from '../errors';

// Paths follow the Kubernetes field-error style: spec.ports[1].name, metadata.labels["a b"].
export const atIndex = (field: string, index: number): string => `${field}[${index}]`;
export const atKey = (field: string, key: string): string => `${field}[${JSON.stringify(key)}]`;

export const badInput = (field: string, rule: string): DomainError => new DomainError('BAD_USER_INPUT', field, rule);

export const requireShape = (value: string, field: string, isValid: (value: string) => boolean, rule: string): string => {
  if (!isValid(value)) throw badInput(field, rule);
  return value;
};

export const requireIntegerInRange = (value: number, field: string, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(field, `must be an integer between ${min} and ${max}, inclusive`);
  }
  return value;
};

export const unsupportedValue = (value: string, supported: readonly string[]): string =>
  `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`;
