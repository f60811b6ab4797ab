import { AdsSubscriptions } from './ads-subscriptions';
import { TYPE_URLS, type XdsResource } from './resource-types';

const listener = (name: string, marker = 1): [string, XdsResource] => [name, { '@type': TYPE_URLS.LDS, name, marker }];
const resources = (...entries: [string, XdsResource][]) => new Map(entries);

describe('AdsSubscriptions', () => {
  describe('subscriptions', () => {
    it('takes a first Listener or Cluster request without names as a wildcard', () => {
      const ads = new AdsSubscriptions();
      expect(ads.receive({ type_url: TYPE_URLS.LDS, resource_names: [] })).toEqual({ kind: 'subscribe', type: 'LDS', respond: true });
      expect(ads.subscription('LDS')).toEqual({ wildcard: true, names: new Set() });
      expect(ads.covers('LDS', 'any/service')).toBe(true);
    });

    it('never takes a RouteConfiguration or ClusterLoadAssignment request without names as a wildcard', () => {
      const ads = new AdsSubscriptions();
      ads.receive({ type_url: TYPE_URLS.EDS, resource_names: [] });
      expect(ads.subscription('EDS')).toEqual({ wildcard: false, names: new Set() });
      expect(ads.covers('EDS', 'shop/web')).toBe(false);
    });

    it('keeps named subscriptions to the services they name; "*" adds the wildcard', () => {
      const ads = new AdsSubscriptions();
      ads.receive({ type_url: TYPE_URLS.CDS, resource_names: ['shop/web/http'] });
      expect(ads.covers('CDS', 'shop/web')).toBe(true);
      expect(ads.covers('CDS', 'shop/api')).toBe(false);
      const nonce = ads.respond('CDS', resources(), '7', true)?.nonce;
      expect(ads.receive({ type_url: TYPE_URLS.CDS, resource_names: ['*', 'shop/web/http'], response_nonce: nonce, version_info: '7' })).toMatchObject({
        kind: 'ack',
        respond: true,
      });
      expect(ads.subscription('CDS')).toEqual({ wildcard: true, names: new Set(['shop/web/http']) });
      expect(ads.covers('CDS', 'shop/api')).toBe(true);
    });

    it('ends the wildcard when a later request names resources without "*"', () => {
      const ads = new AdsSubscriptions();
      ads.receive({ type_url: TYPE_URLS.LDS });
      const nonce = ads.respond('LDS', resources(), '1', true)?.nonce;
      ads.receive({ type_url: TYPE_URLS.LDS, resource_names: ['web.shop'], response_nonce: nonce, version_info: '1' });
      expect(ads.subscription('LDS')).toEqual({ wildcard: false, names: new Set(['web.shop']) });
    });

    it('ignores resource types it does not serve', () => {
      expect(new AdsSubscriptions().receive({ type_url: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret' })).toEqual({
        kind: 'unknown-type',
        typeUrl: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
      });
    });
  });

  describe('nonces, ACK and NACK', () => {
    const subscribed = () => {
      const ads = new AdsSubscriptions();
      ads.receive({ type_url: TYPE_URLS.LDS, resource_names: ['web.shop'] });
      const first = ads.respond('LDS', resources(listener('web.shop')), '5', true);
      if (!first) throw new Error('no first response');
      return { ads, first };
    };

    it('answers a subscription with its resources, the version and a fresh nonce', () => {
      const { ads, first } = subscribed();
      expect(first).toEqual({ version_info: '5', type_url: TYPE_URLS.LDS, nonce: '1', resources: [listener('web.shop')[1]] });
      expect(ads.respond('LDS', resources(listener('web.shop', 2)), '6', false)?.nonce).toBe('2');
    });

    it('does not answer an ACK that leaves the subscription as it was', () => {
      const { ads, first } = subscribed();
      expect(ads.receive({ type_url: TYPE_URLS.LDS, resource_names: ['web.shop'], version_info: '5', response_nonce: first.nonce })).toEqual({
        kind: 'ack',
        type: 'LDS',
        version: '5',
        respond: false,
      });
    });

    it('reports a NACK with its message and does not send the rejected state again', () => {
      const { ads, first } = subscribed();
      expect(
        ads.receive({ type_url: TYPE_URLS.LDS, resource_names: ['web.shop'], version_info: '', response_nonce: first.nonce, error_detail: { code: 3, message: 'bad listener' } }),
      ).toEqual({ kind: 'nack', type: 'LDS', version: '', message: 'bad listener', respond: false });
      expect(ads.respond('LDS', resources(listener('web.shop')), '5', false)).toBeUndefined();
      // A later, different state is sent.
      expect(ads.respond('LDS', resources(listener('web.shop', 2)), '6', false)).toMatchObject({ version_info: '6', nonce: '2' });
    });

    it('ignores a request answering a response that a newer one replaced', () => {
      const { ads, first } = subscribed();
      ads.respond('LDS', resources(listener('web.shop', 2)), '6', false);
      expect(ads.receive({ type_url: TYPE_URLS.LDS, resource_names: ['web.shop', 'api.shop'], response_nonce: first.nonce })).toEqual({ kind: 'stale', type: 'LDS' });
      expect(ads.subscription('LDS')?.names).toEqual(new Set(['web.shop']));
    });

    it('answers an ACK that changes the names, even when no resource changed', () => {
      const { ads, first } = subscribed();
      expect(ads.receive({ type_url: TYPE_URLS.LDS, resource_names: ['web.shop', 'api.shop'], version_info: '5', response_nonce: first.nonce })).toMatchObject({
        kind: 'ack',
        respond: true,
      });
      expect(ads.respond('LDS', resources(listener('web.shop')), '5', true)).toMatchObject({ nonce: '2' });
    });

    it('pushes only when what the stream would be sent changed', () => {
      const { ads } = subscribed();
      expect(ads.respond('LDS', resources(listener('web.shop')), '9', false)).toBeUndefined();
      expect(ads.respond('LDS', resources(), '10', false)).toMatchObject({ resources: [] });
      expect(ads.respond('LDS', resources(), '11', false)).toBeUndefined();
    });

    it('keeps nonces and subscriptions apart per type', () => {
      const { ads, first } = subscribed();
      ads.receive({ type_url: TYPE_URLS.RDS, resource_names: ['web.shop'] });
      const route = ads.respond('RDS', resources(), '5', true);
      expect(route?.nonce).toBe('2');
      // The listener's nonce is still the current one for LDS.
      expect(ads.receive({ type_url: TYPE_URLS.LDS, resource_names: ['web.shop'], version_info: '5', response_nonce: first.nonce }).kind).toBe('ack');
      expect(ads.subscribedTypes()).toEqual(['LDS', 'RDS']);
    });
  });
});
