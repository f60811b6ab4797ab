import { DomainError } from '../errors';
import type { RegistryCommand } from './commands';
import { endpointRegistrationCommands } from './commands';
import { decide } from './decide';
import type { RecordedEvent, RegistryEvent } from './events';
import { evolve } from './evolve';
import type { ServiceState } from './state';

let sequence = 0;
const recorded = (event: RegistryEvent): RecordedEvent => {
  sequence += 1;
  return { event, metadata: { id: `e${sequence}`, time: '2026-01-01T00:00:00Z', actor: 'test', commandId: `c${sequence}`, commandSize: 1 } };
};
const fold = (events: readonly RegistryEvent[]): ServiceState | undefined =>
  events.map(recorded).reduce<ServiceState | undefined>(evolve, undefined);

/** given(events).when(command) -> the events decide returns, or the error it throws. */
const given = (history: readonly RegistryEvent[]) => ({
  when: (command: RegistryCommand) => {
    const run = () => decide(command, fold(history));
    return {
      then: (expected: unknown) => expect(run()).toEqual(expected),
      thenThrows: (code: DomainError['code'], field: string) => {
        let error: unknown;
        try {
          run();
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ code, field });
      },
    };
  },
});

const web: RegistryEvent = {
  type: 'ServiceRegistered',
  data: { service: { namespace: 'default', name: 'web', labels: {}, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }], addressTypes: ['IPv4'] } },
};
const endpoint = (id: string): RegistryEvent => ({
  type: 'EndpointRegistered',
  data: {
    namespace: 'default',
    serviceName: 'web',
    endpoint: { id, addresses: [id], conditions: { ready: true, serving: true, terminating: false }, ports: [] },
  },
});
const register = (...addresses: string[]): RegistryCommand =>
  endpointRegistrationCommands(addresses.map((a, i) => ({ field: `inputs[${i}]`, input: { serviceName: 'web', addresses: [a] } })))[0];

describe('decide', () => {
  it('registers a service with defaults applied', () =>
    given([])
      .when({ type: 'RegisterService', input: { name: 'web', ports: [{ name: 'http', port: 80, targetPort: 8080 }] } })
      .then([web]));

  it('registers endpoints of a known service, canonicalizing addresses', () =>
    given([web]).when(register('10.0.0.1')).then([endpoint('10.0.0.1')]));

  it('refuses endpoints of an unknown service with NOT_FOUND', () =>
    given([]).when(register('10.0.0.1')).thenThrows('NOT_FOUND', 'inputs[0].serviceName'));

  it('refuses the same endpoint twice in one request, by its canonical id', () =>
    given([web]).when(register('10.0.0.1', '10.0.0.1')).thenThrows('BAD_USER_INPUT', 'inputs[1].id'));

  it('refuses to delete an unknown service', () =>
    given([]).when({ type: 'DeleteService', namespace: 'default', name: 'web' }).thenThrows('NOT_FOUND', 'name'));

  it('changes conditions of a registered endpoint', () =>
    given([web, endpoint('10.0.0.1')])
      .when({ type: 'SetEndpointConditions', namespace: 'default', serviceName: 'web', id: '10.0.0.1', conditions: { serving: false } })
      .then([
        {
          type: 'EndpointConditionsChanged',
          data: { namespace: 'default', serviceName: 'web', id: '10.0.0.1', conditions: { ready: false, serving: false, terminating: false } },
        },
      ]));

  it('refuses conditions for an unknown endpoint with NOT_FOUND', () =>
    given([web])
      .when({ type: 'SetEndpointConditions', namespace: 'default', serviceName: 'web', id: '10.0.0.9', conditions: {} })
      .thenThrows('NOT_FOUND', 'id'));

  it('deregisters endpoints and refuses unknown ids', () => {
    given([web, endpoint('10.0.0.1')])
      .when({ type: 'DeregisterEndpoints', namespace: 'default', serviceName: 'web', ids: ['10.0.0.1'] })
      .then([{ type: 'EndpointDeregistered', data: { namespace: 'default', serviceName: 'web', id: '10.0.0.1' } }]);
    given([web, endpoint('10.0.0.1')])
      .when({ type: 'DeregisterEndpoints', namespace: 'default', serviceName: 'web', ids: ['10.0.0.1', '10.0.0.2'] })
      .thenThrows('NOT_FOUND', 'ids[1]');
  });

  it('groups a bulk request by service and validates their names first', () => {
    const commands = endpointRegistrationCommands([
      { field: 'inputs[0]', input: { serviceName: 'a', addresses: ['10.0.0.1'] } },
      { field: 'inputs[1]', input: { serviceName: 'b', addresses: ['10.0.0.2'] } },
      { field: 'inputs[2]', input: { serviceName: 'a', addresses: ['10.0.0.3'] } },
    ]);
    expect(commands.map((c) => (c.type === 'RegisterEndpoints' ? [c.serviceName, c.inputs.map((i) => i.field)] : null))).toEqual([
      ['a', ['inputs[0]', 'inputs[2]']],
      ['b', ['inputs[1]']],
    ]);
    expect(() => endpointRegistrationCommands([{ field: 'inputs[0]', input: { serviceName: 'Bad_Name', addresses: ['10.0.0.1'] } }])).toThrow(
      expect.objectContaining({ field: 'inputs[0].serviceName' }),
    );
  });
});

describe('evolve', () => {
  it('keeps the uid and endpoints when a service is registered again', () => {
    const first = fold([web, endpoint('10.0.0.1')]);
    const again = evolve(first, recorded({ type: 'ServiceRegistered', data: { service: { ...(web.data as { service: ServiceState['definition'] }).service, labels: { a: 'b' } } } }));
    expect(again?.uid).toBe(first?.uid);
    expect(Object.keys(again?.endpoints ?? {})).toEqual(['10.0.0.1']);
    expect(again?.definition.labels).toEqual({ a: 'b' });
  });

  it('is total: events for a deleted service or a removed endpoint leave the state as it is', () => {
    const deleted = fold([web, { type: 'ServiceDeleted', data: { namespace: 'default', name: 'web' } }, endpoint('10.0.0.1')]);
    expect(deleted).toBeUndefined();
    const state = fold([web]);
    const unchanged = evolve(state, recorded({ type: 'EndpointDeregistered', data: { namespace: 'default', serviceName: 'web', id: 'gone' } }));
    expect(unchanged).toBe(state);
  });

  it('expires in two phases: not ready, then removed', () => {
    const lapse = (phase: 'NotReady' | 'Removed'): RegistryEvent => ({
      type: 'EndpointExpired',
      data: { namespace: 'default', serviceName: 'web', id: '10.0.0.1', phase, leaseLapsedAt: '2026-01-01T00:00:00Z' },
    });
    expect(fold([web, endpoint('10.0.0.1'), lapse('NotReady')])?.endpoints['10.0.0.1'].conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(fold([web, endpoint('10.0.0.1'), lapse('NotReady'), lapse('Removed')])?.endpoints).toEqual({});
  });

  it('never mutates the state it is given', () => {
    const state = Object.freeze(fold([web, endpoint('10.0.0.1')]) as ServiceState);
    const endpoints = state.endpoints;
    evolve(state, recorded(endpoint('10.0.0.2')));
    expect(state.endpoints).toBe(endpoints);
    expect(Object.keys(state.endpoints)).toEqual(['10.0.0.1']);
  });
});
