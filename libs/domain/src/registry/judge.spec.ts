import type { CommandPreconditions, RecordedEvent, RegistryEvent } from './events';
import { evolve } from './evolve';
import { judge, type JudgedState } from './judge';
import type { EndpointDefinition, ServiceDefinition } from './model';
import type { ServiceState } from './state';

let sequence = 0;
const at = (event: RegistryEvent, commandId = `c${++sequence}`, preconditions?: CommandPreconditions): RecordedEvent => ({
  event,
  metadata: { id: `e${++sequence}`, time: '2026-01-01T00:00:00Z', actor: 'test', commandId, commandSize: 1, ...(preconditions && { preconditions }) },
});

/** The state the judge sees after `history`, each event its own command (the last command id is the service's). */
const given = (...history: RecordedEvent[]): JudgedState => {
  const state = history.reduce<ServiceState | undefined>(evolve, undefined);
  const lastCommand = new Map<string, string>();
  for (const { event, metadata } of history) {
    if (event.type === 'EndpointRegistered') lastCommand.set(event.data.endpoint.id, metadata.commandId);
    else if (event.type !== 'ServiceRegistered' && event.type !== 'ServiceDeleted') lastCommand.set(event.data.id, metadata.commandId);
  }
  return {
    definition: state?.definition,
    lastCommandId: history[history.length - 1]?.metadata.commandId,
    endpoint: (id) => (state?.endpoints[id] ? { lastCommandId: lastCommand.get(id) ?? '' } : undefined),
  };
};

const service = (addressTypes: ServiceDefinition['addressTypes'] = ['IPv4']): RegistryEvent => ({
  type: 'ServiceRegistered',
  data: { service: { namespace: 'default', name: 'web', labels: {}, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }], addressTypes } },
});
const endpoint = (address: string, extra: Partial<EndpointDefinition> = {}): RegistryEvent => ({
  type: 'EndpointRegistered',
  data: {
    namespace: 'default',
    serviceName: 'web',
    endpoint: { id: address, addresses: [address], conditions: { ready: true, serving: true, terminating: false }, ports: [], ...extra },
  },
});
const ref = (id: string) => ({ namespace: 'default', serviceName: 'web', id });
const deleted: RegistryEvent = { type: 'ServiceDeleted', data: { namespace: 'default', name: 'web' } };

describe('judge', () => {
  it('applies what fits the state it lands on', () => {
    expect(judge([at(endpoint('10.0.0.1'))], given(at(service())))).toEqual({ status: 'APPLIED' });
    expect(judge([at(deleted)], given(at(service())))).toEqual({ status: 'APPLIED' });
    expect(judge([at(service())], given())).toEqual({ status: 'APPLIED' });
  });

  it('rejects a registration whose service was deleted before it landed', () => {
    expect(judge([at(endpoint('10.0.0.1'))], given(at(service()), at(deleted)))).toMatchObject({
      status: 'REJECTED',
      code: 'NOT_FOUND',
      field: 'serviceName',
      message: 'service default/web is not registered',
    });
  });

  it('rejects a registration of a family, or a port, the service no longer serves', () => {
    expect(judge([at(endpoint('fd00::1'))], given(at(service(['IPv4', 'IPv6'])), at(service(['IPv4']))))).toMatchObject({
      status: 'REJECTED',
      code: 'CONFLICT',
      field: 'endpoint.addresses[0]',
    });
    const withPort = endpoint('10.0.0.1', { ports: [{ name: 'metrics', protocol: 'TCP', port: 9100 }] });
    expect(judge([at(withPort)], given(at(service())))).toMatchObject({ status: 'REJECTED', code: 'CONFLICT', field: 'endpoint.ports[0]' });
  });

  it('rejects a whole bulk when one of its endpoints no longer fits', () => {
    const events = [at(endpoint('10.0.0.1'), 'bulk'), at(endpoint('fd00::2'), 'bulk')];
    expect(judge(events, given(at(service(['IPv4'])))).status).toBe('REJECTED');
  });

  it('rejects changes and removals of endpoints that are gone, but never a lease expiry or renewal', () => {
    const state = given(at(service()));
    expect(judge([at({ type: 'EndpointDeregistered', data: ref('10.0.0.9') })], state)).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const conditions = { ready: false, serving: false, terminating: false };
    expect(judge([at({ type: 'EndpointConditionsChanged', data: { ...ref('10.0.0.9'), conditions } })], state)).toMatchObject({ code: 'NOT_FOUND' });
    expect(judge([at({ type: 'EndpointConditionsChanged', data: { ...ref('10.0.0.9'), conditions, leaseId: 'l1' } })], state).status).toBe('APPLIED');
    const expiry = { ...ref('10.0.0.9'), phase: 'Removed' as const, leaseLapsedAt: '2026-01-01T00:00:00Z' };
    expect(judge([at({ type: 'EndpointExpired', data: expiry })], state).status).toBe('APPLIED');
    expect(judge([at(deleted)], given())).toMatchObject({ code: 'NOT_FOUND', field: 'name' });
  });

  it('compares ifServiceVersion by the command that changed the service last', () => {
    const registered = at(service(), 'c-reg');
    const state = given(registered);
    const ifLast = (lastCommandId: string | null) => [at(endpoint('10.0.0.1'), 'next', { service: { version: '7', lastCommandId } })];
    expect(judge(ifLast('c-reg'), state).status).toBe('APPLIED');
    expect(judge(ifLast('c-other'), state)).toMatchObject({ code: 'CONFLICT', field: 'ifServiceVersion', message: 'service default/web changed after resourceVersion 7' });
    expect(judge(ifLast(null), state)).toMatchObject({ code: 'CONFLICT', field: 'ifServiceVersion' });
    expect(judge([at(service(), 'new', { service: { version: '0', lastCommandId: null } })], given()).status).toBe('APPLIED');
  });

  it('compares ifEndpointVersion by the command that changed the endpoint last', () => {
    const state = given(at(service()), at(endpoint('10.0.0.1'), 'c-ep'), at(endpoint('10.0.0.2'), 'c-other'));
    const change = (lastCommandId: string, id = '10.0.0.1') =>
      judge([at({ type: 'EndpointDeregistered', data: ref(id) }, 'next', { endpoint: { version: '9', lastCommandId } })], state);
    expect(change('c-ep').status).toBe('APPLIED');
    expect(change('c-other')).toMatchObject({ code: 'CONFLICT', field: 'ifEndpointVersion' });
    expect(change('c-ep', '10.0.0.7')).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('was removed') });
  });
});
