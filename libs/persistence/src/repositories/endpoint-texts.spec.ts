import type { SliceEndpoint } from '@lib/domain';
import { sliceFixture } from '@lib/testing';
import { EndpointTexts } from './endpoint-texts';

describe('EndpointTexts', () => {
  const endpoints = sliceFixture('web-abcde', 3).endpoints;
  const extra: SliceEndpoint = { ...endpoints[0], addresses: ['10.9.9.9'], targetRef: { ...endpoints[0].targetRef, name: '10.9.9.9' } };
  const serializedObjects = (run: () => void): unknown[] => {
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      run();
      return stringify.mock.calls.map(([value]) => value);
    } finally {
      stringify.mockRestore();
    }
  };

  it('gives what JSON.stringify gives, for an empty slice too', () => {
    const texts = new EndpointTexts(1_000_000);
    expect(texts.json('default/web-abcde', endpoints)).toBe(JSON.stringify(endpoints));
    expect(texts.json('default/web-abcde', [extra, ...endpoints.slice(1)])).toBe(JSON.stringify([extra, ...endpoints.slice(1)]));
    expect(texts.json('default/empty', [])).toBe('[]');
  });

  it("serializes only the endpoints a slice's last change did not write", () => {
    const texts = new EndpointTexts(1_000_000);
    texts.json('default/web-abcde', endpoints);
    expect(serializedObjects(() => texts.json('default/web-abcde', [...endpoints, extra]))).toEqual([extra]);
    // Another slice holding the same objects has texts of its own.
    expect(serializedObjects(() => texts.json('default/web-fghij', endpoints))).toEqual([...endpoints]);
  });

  it('finds an endpoint that moved: after a removal, an update in place, a reordering', () => {
    const texts = new EndpointTexts(1_000_000);
    const more = [...endpoints, extra];
    const changes = [more.slice(1), [more[0], more[2], more[1], more[3]], [...more].reverse()];
    for (const next of changes) {
      texts.json('default/web-abcde', more);
      let json = '';
      expect(serializedObjects(() => (json = texts.json('default/web-abcde', next)))).toEqual([]);
      expect(json).toBe(JSON.stringify(next));
    }
    // An update in place serializes the one endpoint that is new at its index.
    texts.json('default/web-abcde', endpoints);
    const updated: SliceEndpoint = { ...endpoints[1], conditions: { ...endpoints[1].conditions, ready: false } };
    const withUpdate = [endpoints[0], updated, endpoints[2]];
    let json = '';
    expect(serializedObjects(() => (json = texts.json('default/web-abcde', withUpdate)))).toEqual([updated]);
    expect(json).toBe(JSON.stringify(withUpdate));
  });

  it('holds the slices changed last, up to its bound in characters', () => {
    const texts = new EndpointTexts(JSON.stringify(endpoints).length);
    texts.json('default/a', endpoints);
    texts.json('default/b', endpoints);
    expect(serializedObjects(() => texts.json('default/a', endpoints))).toEqual([...endpoints]);
    expect(serializedObjects(() => texts.json('default/a', endpoints))).toEqual([]);
  });
});
