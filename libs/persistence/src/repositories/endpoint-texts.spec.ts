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

  it('holds the slices changed last, up to its bound in characters', () => {
    const texts = new EndpointTexts(JSON.stringify(endpoints).length);
    texts.json('default/a', endpoints);
    texts.json('default/b', endpoints);
    expect(serializedObjects(() => texts.json('default/a', endpoints))).toEqual([...endpoints]);
    expect(serializedObjects(() => texts.json('default/a', endpoints))).toEqual([]);
  });
});
