import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RegistryConfig } from '@lib/config';
import { isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';

/** Node's own idle timeout, which the API must outlast. */
const NODE_DEFAULT_KEEP_ALIVE_MS = 5_000;

interface Answer {
  readonly status: number | undefined;
  readonly body: string;
  readonly reusedSocket: boolean;
}

/** A client that keeps idle connections, as Go's, Java's and most load balancers' do. */
describe('kept-alive connections over HTTP', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  const post = (): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(`${registry.url}/graphql`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: body.trim(), reusedSocket: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ __typename }' }));
    });

  beforeAll(async () => {
    config = await isolatedConfig({ AUTH_MODE: 'off' });
    registry = await startRegistry(config);
  });
  afterAll(async () => {
    agent.destroy();
    await registry?.close();
  });

  it('keeps an idle connection open past Node’s default, so the next request goes out on it', async () => {
    const first = await post();
    expect(first).toEqual({ status: 200, body: '{"data":{"__typename":"Query"}}', reusedSocket: false });

    await sleep(NODE_DEFAULT_KEEP_ALIVE_MS + 1_000);
    const second = await post();
    expect(second).toEqual({ status: 200, body: '{"data":{"__typename":"Query"}}', reusedSocket: true });
  });
});
