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
    expect(texts.json('default/web-abcde', endpoints).toString()).toBe(JSON.stringify(endpoints));
    expect(texts.json('default/web-abcde', [extra, ...endpoints.slice(1)]).toString()).toBe(JSON.stringify([extra, ...endpoints.slice(1)]));
    expect(texts.json('default/empty', []).toString()).toBe('[]');
    expect(texts.json('default/empty', [extra]).toString()).toBe(JSON.stringify([extra]));
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
      expect(serializedObjects(() => (json = texts.json('default/web-abcde', next).toString()))).toEqual([]);
      expect(json).toBe(JSON.stringify(next));
    }
    // An update in place serializes the one endpoint that is new at its index.
    texts.json('default/web-abcde', endpoints);
    const updated: SliceEndpoint = { ...endpoints[1], conditions: { ...endpoints[1].conditions, ready: false } };
    const withUpdate = [endpoints[0], updated, endpoints[2]];
    let json = '';
    expect(serializedObjects(() => (json = texts.json('default/web-abcde', withUpdate).toString()))).toEqual([updated]);
    expect(json).toBe(JSON.stringify(withUpdate));
  });

  it('gives what JSON.stringify gives after any edit (appends, inserts, removals, updates, reversals), whatever it reuses', () => {
    const texts = new EndpointTexts(1_000_000);
    const pool = [...endpoints, extra];
    let current: SliceEndpoint[] = [];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let step = 0; step < 300; step++) {
      const next = [...current];
      const edit = random(5);
      if (edit === 0 || next.length === 0) next.splice(random(next.length + 1), 0, { ...pool[random(pool.length)], zone: `z${step}` });
      else if (edit === 4) next.push({ ...pool[random(pool.length)], zone: `é${step}` });
      else if (edit === 1) next.splice(random(next.length), 1);
      else if (edit === 2) next[random(next.length)] = { ...next[random(next.length)] };
      else next.reverse();
      expect(texts.json('default/web-abcde', next).toString()).toBe(JSON.stringify(next));
      current = next;
    }
  });

  it('holds the slices changed last, up to its bound in bytes', () => {
    const texts = new EndpointTexts(Buffer.byteLength(JSON.stringify(endpoints)));
    texts.json('default/a', endpoints);
    texts.json('default/b', endpoints);
    expect(serializedObjects(() => texts.json('default/a', endpoints))).toEqual([...endpoints]);
    expect(serializedObjects(() => texts.json('default/a', endpoints))).toEqual([]);
  });
});
