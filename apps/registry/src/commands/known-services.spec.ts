import type { StoredService } from '@lib/persistence';
import { KnownServices } from './known-services';
import type { ProjectionSignal } from './projection-signal';

const service = (name: string): StoredService =>
  ({ definition: { namespace: 'default', name }, uid: `uid-${name}`, createdAt: '2026-12-04T00:00:00Z', lastCommandId: 'c', resourceVersion: '1' }) as unknown as StoredService;
const found = (...names: string[]) => new Map(names.map((name) => [`default/${name}`, service(name)]));

/** Known services whose redefinitions, and whether LISTEN hears every commit, the test gives. */
const harness = () => {
  let redefined = (_keys?: readonly string[]): void => undefined;
  const signal = {
    hearsEveryCommit: true,
    onRedefined: (listener: (keys?: readonly string[]) => void) => {
      redefined = listener;
      return () => undefined;
    },
  };
  const known = new KnownServices(signal as unknown as ProjectionSignal);
  known.onModuleInit();
  return { known, signal, redefine: (keys?: readonly string[]) => redefined(keys) };
};

describe('KnownServices: definitions kept between the commits that redefine them', () => {
  it('keeps what a read found and forgets exactly the services a commit names', () => {
    const { known, redefine } = harness();
    known.keep(found('a', 'b'), known.readStarts());
    redefine(['default/a']);
    expect(known.get('default/a')).toBeUndefined();
    expect(known.get('default/b')?.uid).toBe('uid-b');
  });

  it('does not keep a service redefined while the read that found it was under way, but keeps its neighbours', () => {
    const { known, redefine } = harness();
    const started = known.readStarts();
    redefine(['default/a']);
    known.keep(found('a', 'b'), started);
    expect(known.get('default/a')).toBeUndefined();
    expect(known.get('default/b')).toBeDefined();
    // A read that started after the redefinition saw it.
    known.keep(found('a'), known.readStarts());
    expect(known.get('default/a')).toBeDefined();
  });

  it('forgets everything when a commit cannot tell what it redefined, and keeps no read that started before', () => {
    const { known, redefine } = harness();
    known.keep(found('a'), known.readStarts());
    const started = known.readStarts();
    redefine(undefined);
    expect(known.get('default/a')).toBeUndefined();
    known.keep(found('b'), started);
    expect(known.get('default/b')).toBeUndefined();
  });

  it('keeps nothing while LISTEN does not hear every commit', () => {
    const { known, signal } = harness();
    signal.hearsEveryCommit = false;
    known.keep(found('a'), known.readStarts());
    expect(known.get('default/a')).toBeUndefined();
  });

  it('holds at most 10,000 services, dropping the least recently read', () => {
    const { known } = harness();
    const names = Array.from({ length: 10_001 }, (_, i) => `s${i}`);
    known.keep(found(...names.slice(0, 5_000)), known.readStarts());
    known.keep(found('s0'), known.readStarts());
    known.keep(found(...names.slice(5_000)), known.readStarts());
    expect(known.get('default/s0')).toBeDefined();
    expect(known.get('default/s1')).toBeUndefined();
    expect(known.get('default/s10000')).toBeDefined();
  });
});
