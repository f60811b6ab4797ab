import { join, resolve } from 'node:path';

/*
 * CPU per command of the projector's fold and incremental reconcile, no I/O: one service of N
 * endpoints (slices of 100) built with bulk commands, then single re-registrations that flip an
 * endpoint's readiness, so each rewrites the slice holding it; as many commands again first, to warm
 * up. Compares builds: the root given, or this checkout's.
 * Usage: node dist/bench/reconcile-micro.js [endpoints=100,10000,50000] [commands=10000] [root]
 */

const [sizesArgument = '100,10000,50000', commandsArgument = '10000', rootArgument] = process.argv.slice(2);
const root = resolve(rootArgument ?? join(__dirname, '..', '..'));

// The build measured is loaded at run time (it may be another checkout's), so only the shapes used are declared.
interface ServiceModel {
  readonly slices: readonly unknown[];
}
interface RecordedEvent {
  readonly event: { readonly type: string; readonly data: unknown };
  readonly metadata: { readonly id: string; readonly time: string; readonly actor: string; readonly commandId: string; readonly commandSize: number };
}
type ApplyCommand = (model: ServiceModel, events: readonly RecordedEvent[], maxEndpointsPerSlice: number) => unknown;

const MAX_PER_SLICE = 100;
let sequence = 0;

const metadata = (commandSize: number): RecordedEvent['metadata'] => {
  const id = `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
  return { id, time: '2026-12-02T00:00:00Z', actor: 'bench', commandId: id, commandSize };
};

const service = {
  namespace: 'bench',
  name: 'big',
  labels: { app: 'big' },
  addressTypes: ['IPv4'],
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
};

const registration = (i: number, ready: boolean, commandSize = 1): RecordedEvent => ({
  event: {
    type: 'EndpointRegistered',
    data: {
      namespace: service.namespace,
      serviceName: service.name,
      endpoint: {
        id: `ep-${i}`,
        addresses: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: `node-${i % 50}`,
        zone: `zone-${i % 3}`,
        ports: [],
      },
    },
  },
  metadata: metadata(commandSize),
});

const measure = (applyCommand: ApplyCommand, ServiceModel: new () => ServiceModel, endpoints: number, commands: number) => {
  const model = new ServiceModel();
  applyCommand(model, [{ event: { type: 'ServiceRegistered', data: { service } }, metadata: metadata(1) }], MAX_PER_SLICE);
  for (let i = 0; i < endpoints; i += MAX_PER_SLICE) {
    const size = Math.min(MAX_PER_SLICE, endpoints - i);
    applyCommand(model, Array.from({ length: size }, (_, k) => registration(i + k, true, size)), MAX_PER_SLICE);
  }
  // A stride coprime to the size visits every endpoint once per pass, all over the service; each
  // pass flips readiness again, so every command changes its endpoint.
  let issued = 0;
  const run = (count: number): void => {
    for (const end = issued + count; issued < end; issued++) {
      applyCommand(model, [registration((issued * 7919) % endpoints, Math.floor(issued / endpoints) % 2 === 1)], MAX_PER_SLICE);
    }
  };
  run(commands);
  const cpu = process.cpuUsage();
  run(commands);
  const { user, system } = process.cpuUsage(cpu);
  return { endpoints, slices: model.slices.length, cpuMicrosecondsPerCommand: Math.round(((user + system) / commands) * 10) / 10 };
};

const main = async (): Promise<void> => {
  const { applyCommand } = (await import(join(root, 'dist/libs/projection/src/apply-command.js'))) as { applyCommand: ApplyCommand };
  const { ServiceModel } = (await import(join(root, 'dist/libs/projection/src/service-model.js'))) as { ServiceModel: new () => ServiceModel };
  const commands = Number(commandsArgument);
  const results = sizesArgument.split(',').map((size) => measure(applyCommand, ServiceModel, Number(size), commands));
  console.log(JSON.stringify({ root, results }));
};

void main();
