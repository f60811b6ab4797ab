import { DomainError } from '../errors';
import type { EndpointConditionsInput } from '../registry/inputs';
import { validateConditions } from './conditions';

describe('validateConditions', () => {
  // The podToEndpoint truth table (k8s utils_test.go TestPodToEndpoint), minus publishNotReadyAddresses.
  it.each<[string, EndpointConditionsInput | null | undefined, { ready: boolean; serving: boolean; terminating: boolean }]>([
    ['nothing given', undefined, { ready: true, serving: true, terminating: false }],
    ['null', null, { ready: true, serving: true, terminating: false }],
    ['all null', { ready: null, serving: null, terminating: null }, { ready: true, serving: true, terminating: false }],
    ['not serving', { serving: false }, { ready: false, serving: false, terminating: false }],
    ['serving, terminating', { terminating: true }, { ready: false, serving: true, terminating: true }],
    ['not serving, terminating', { serving: false, terminating: true }, { ready: false, serving: false, terminating: true }],
    ['explicitly not ready', { ready: false }, { ready: false, serving: true, terminating: false }],
    ['ready although not serving', { ready: true, serving: false }, { ready: true, serving: false, terminating: false }],
  ])('%s', (_case, input, expected) => {
    expect(validateConditions(input, 'input.conditions')).toEqual(expected);
  });

  it('rejects ready while terminating, naming the rule', () => {
    const run = (): unknown => validateConditions({ ready: true, terminating: true }, 'conditions');
    expect(run).toThrow(DomainError);
    expect(run).toThrow(
      'conditions.ready: ready must be false while terminating is true (Kubernetes: a terminating endpoint is never ready)',
    );
  });
});
