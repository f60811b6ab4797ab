import type { LoggerService } from '@nestjs/common';
import type { RegistryConfig } from '@lib/config';
import { eventually, graphqlOk, isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';
import { readEventLog } from './support/event-log-reader';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Keeps the projector's structured log lines. */
class CapturingLogger implements LoggerService {
  readonly lines: Record<string, unknown>[] = [];
  log(message: unknown): void {
    if (typeof message === 'object' && message !== null) this.lines.push(message as Record<string, unknown>);
  }
  error(): void {}
  warn(): void {}
}

describe('trace context: a registration followed from mutation to slice change (real Kafka, real Postgres)', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    config = await isolatedConfig();
    registry = await startRegistry(config, { projector: true }, logger);
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('carries the request traceparent in ce_traceparent and into the projector batch log; a malformed one is dropped', async () => {
    await graphqlOk(registry.url, 'mutation { registerService(input: { name: "traced", ports: [{ port: 80 }] }) { resourceVersion } }', {}, {
      traceparent: 'not-a-trace',
    });
    const registered = await graphqlOk<{ registerEndpoint: { eventIds: string[]; resourceVersion: string } }>(
      registry.url,
      'mutation { registerEndpoint(input: { serviceName: "traced", addresses: ["10.7.0.1"] }) { eventIds resourceVersion } }',
      {},
      { traceparent: TRACEPARENT },
    );

    const events = await readEventLog(config);
    expect(events.map((e) => [e.type, e.traceparent])).toEqual([
      ['service.registered', ''],
      ['endpoint.registered', TRACEPARENT],
    ]);
    await eventually(() => {
      const batch = logger.lines.find((line) => line.msg === 'batch applied' && (line.traceparents as string[]).includes(TRACEPARENT));
      expect(batch).toMatchObject({ eventIds: registered.registerEndpoint.eventIds, resourceVersions: expect.stringContaining(registered.registerEndpoint.resourceVersion) });
    });
  });
});
