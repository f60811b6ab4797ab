import { SliceChangeRepository } from '@lib/persistence';
import { eventually, graphqlOk, isolatedConfig, watch, type Watch } from '@lib/testing';
import { ChangeFeed } from '../src/watch/change-feed';
import { startRegistry, type RunningRegistry } from './registry-app';

const REGISTER_SERVICE = `mutation($input: RegisterServiceInput!) { registerService(input: $input) { resourceVersion } }`;
const REGISTER_ENDPOINT = `mutation($input: RegisterEndpointInput!) { registerEndpoint(input: $input) { resourceVersion } }`;

/**
 * Found by the two-projector fault test (a watcher opened just before a load missed changes now
 * and then): the change feed, while nobody listens, only moves its position to the latest
 * resourceVersion. A subscriber that registers while that read is in flight takes the old
 * position as its seam, and the move then skips the changes in between for it.
 */
describe('fault: a watch that starts while the idle change feed moves on', () => {
  let registry: RunningRegistry | undefined;
  let watcher: Watch | undefined;

  afterEach(async () => {
    jest.restoreAllMocks();
    await watcher?.stop();
    await registry?.close();
  });

  it('still delivers every change after the resourceVersion it started from', async () => {
    registry = await startRegistry(await isolatedConfig());
    const { url } = registry;
    const feed = registry.app.get(ChangeFeed);
    await graphqlOk(url, REGISTER_SERVICE, { input: { name: 'seam', ports: [{ port: 80 }] } });
    const { endpointSlices } = await graphqlOk<{ endpointSlices: { resourceVersion: string } }>(url, '{ endpointSlices { resourceVersion } }');
    const from = BigInt(endpointSlices.resourceVersion);
    await eventually(() => expect(feed.position).toBe(from));

    // Hold the idle feed's read of the latest resourceVersion until the subscriber has registered.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    const latest = SliceChangeRepository.prototype.latest;
    jest.spyOn(SliceChangeRepository.prototype, 'latest').mockImplementation(async function (this: SliceChangeRepository, q) {
      const value = await latest.call(this, q);
      held++;
      await released;
      return value;
    });
    let subscribed = false;
    const subscribe = feed.subscribe.bind(feed);
    jest.spyOn(feed, 'subscribe').mockImplementation((listener) => {
      subscribed = true;
      return subscribe(listener);
    });

    const { registerEndpoint } = await graphqlOk<{ registerEndpoint: { resourceVersion: string } }>(url, REGISTER_ENDPOINT, {
      input: { serviceName: 'seam', addresses: ['10.40.0.1'] },
    });
    await eventually(() => expect(held).toBeGreaterThan(0));
    watcher = watch(url, { rv: from.toString() });
    await eventually(() => expect(subscribed).toBe(true));
    release();

    await eventually(() => expect(watcher?.events.map((e) => e.resourceVersion)).toEqual([registerEndpoint.resourceVersion]), 10_000);
  });
});
