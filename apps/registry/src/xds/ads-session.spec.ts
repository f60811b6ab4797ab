import type { LoggerService } from '@nestjs/common';
import { MetricsSources } from '@lib/health';
import { XdsMetrics } from '../metrics/xds-metrics';
import { AdsSession } from './ads-session';
import type { DiscoveryResponse } from './ads-subscriptions';
import { TYPE_URLS } from './resource-types';
import { FakeSlices, grpcService } from './testing/slices';
import { XdsCatalog } from './xds-catalog';

const settled = () => new Promise((resolve) => setImmediate(resolve));

const names = (response: DiscoveryResponse) => response.resources.map((r) => r.name ?? r.cluster_name);

describe('AdsSession', () => {
  const setup = () => {
    const slices = new FakeSlices();
    slices.set('shop', 'web', grpcService('shop', 'web', '10.0.0.1'));
    const catalog = new XdsCatalog(slices);
    const sent: DiscoveryResponse[] = [];
    const warnings: unknown[] = [];
    const logger: LoggerService = { log: () => undefined, error: () => undefined, warn: (message: unknown) => warnings.push(message) };
    const sources = new MetricsSources();
    const metrics = new XdsMetrics(sources);
    const session = new AdsSession({ catalog, canRead: () => true, send: (r) => sent.push(r), metrics, logger, peer: 'test', principal: 'anonymous' });
    catalog.onChange((key) => session.serviceChanged(key));
    return { slices, sent, warnings, sources, session };
  };

  it('answers a wildcard listener subscription and pushes a new service once, however many changes came together', async () => {
    const { slices, sent, session } = setup();
    session.receive({ type_url: TYPE_URLS.LDS, node: { id: 'n1' } });
    expect(sent.map(names)).toEqual([['web.shop']]);
    slices.set('shop', 'api', grpcService('shop', 'api', '10.0.0.2'));
    slices.set('shop', 'api', grpcService('shop', 'api', '10.0.0.3'));
    await settled();
    expect(sent.map(names)).toEqual([['web.shop'], ['web.shop', 'api.shop']]);
    expect(sent[1].version_info).toBe('3');
  });

  it('pushes a named load assignment on its service\'s change, not on another service\'s', async () => {
    const { slices, sent, session } = setup();
    session.receive({ type_url: TYPE_URLS.EDS, resource_names: ['shop/web/grpc'] });
    slices.set('shop', 'other', grpcService('shop', 'other', '10.0.0.9'));
    await settled();
    expect(sent).toHaveLength(1);
    slices.set('shop', 'web', grpcService('shop', 'web', '10.0.0.5'));
    await settled();
    expect(sent).toHaveLength(2);
    expect(JSON.stringify(sent[1].resources)).toContain('10.0.0.5');
  });

  it('counts and logs a NACK once and sends nothing for it', async () => {
    const { sent, warnings, sources, session } = setup();
    session.receive({ type_url: TYPE_URLS.CDS, node: { id: 'n1' } });
    session.receive({ type_url: TYPE_URLS.CDS, response_nonce: sent[0].nonce, error_detail: { code: 3, message: 'no thanks' } });
    await settled();
    expect(sent).toHaveLength(1);
    expect(sources.render()).toContain('registry_xds_nacks_total{type="CDS"} 1');
    expect(warnings).toEqual([expect.objectContaining({ msg: 'xDS client rejected a response (NACK)', type: 'CDS', error: 'no thanks', node: 'n1' })]);
  });
});
