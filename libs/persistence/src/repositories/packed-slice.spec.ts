import { packSlice, unpackSlice } from './packed-slice';

const slice = { name: 'web-abcde', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }], labels: { 'kubernetes.io/service-name': 'wéb' } };

describe('packed slice objects', () => {
  it('round-trips a slice through one LZ4 frame (magic number 0x184D2204) smaller than its JSON', () => {
    const json = JSON.stringify({ ...slice, endpoints: Array.from({ length: 100 }, () => slice.endpoints[0]) });
    const packed = packSlice(json);
    expect(packed.readUInt32LE(0)).toBe(0x184d2204);
    expect(packed.length).toBeLessThan(json.length / 4);
    expect(unpackSlice(packed)).toEqual(JSON.parse(json));
  });

  it('reads a row stored as JSON text before the frames (its bytes start with "{")', () => {
    expect(unpackSlice(Buffer.from(JSON.stringify(slice)))).toEqual(slice);
  });

  it('refuses bytes that are neither', () => {
    expect(() => unpackSlice(Buffer.from('not a slice'))).toThrow();
  });
});
