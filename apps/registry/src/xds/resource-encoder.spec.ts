import { decodeSingleResource } from '@grpc/grpc-js-xds/build/src/resources';
import { ResourceEncoder } from './resource-encoder';
import { TYPE_URLS } from './resource-types';
import { serviceResources } from './service-resources';
import { aSlice, anEndpoint, tcp } from './testing/slices';
import { loadAdsService } from './xds-protos';

describe('ResourceEncoder', () => {
  const encoder = new ResourceEncoder(loadAdsService());
  const resources = serviceResources('shop', 'web', [aSlice('web-1', [anEndpoint('10.0.0.1', { zone: 'a' })], [tcp('grpc', 9090)])]);
  const listener = resources.LDS.get('web.shop');
  const assignment = resources.EDS.get('shop/web/grpc');
  if (!listener || !assignment) throw new Error('fixture has no listener or assignment');
  const respond = (...list: (typeof listener)[]) => encoder.response({ version_info: '1', type_url: TYPE_URLS.LDS, nonce: '1', resources: list });

  it('encodes a resource into an Any that the gRPC xDS client decodes back to it', () => {
    const [encoded] = respond(listener).resources;
    expect(encoded.type_url).toBe(TYPE_URLS.LDS);
    const decoded = decodeSingleResource(TYPE_URLS.LDS, encoded.value) as unknown as { name: string; api_listener: { api_listener: { type_url: string } } };
    expect(decoded.name).toBe('web.shop');
    expect(decoded.api_listener.api_listener.type_url).toBe('type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    const [cla] = respond(assignment).resources;
    expect(decodeSingleResource(TYPE_URLS.EDS, cla.value)).toMatchObject({
      cluster_name: 'shop/web/grpc',
      endpoints: [{ locality: { zone: 'a' }, lb_endpoints: [{ health_status: 'HEALTHY', endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 9090 } } } }] }],
    });
  });

  it('encodes each resource object once, however many responses carry it', () => {
    expect(respond(listener).resources[0]).toBe(respond(listener, assignment).resources[0]);
  });
});
