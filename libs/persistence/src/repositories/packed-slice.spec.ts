import { LZ4_BLOCK_TAG, packSlice, unpackSlice } from './packed-slice';

const slice = { name: 'web-abcde', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }], labels: { 'kubernetes.io/service-name': 'wéb' } };

describe('packed slice objects', () => {
  it('round-trips a slice through its tag and one LZ4 block with the JSON size before it, smaller than the JSON', () => {
    const json = JSON.stringify({ ...slice, endpoints: Array.from({ length: 100 }, () => slice.endpoints[0]) });
    const packed = packSlice(json);
    expect(packed[0]).toBe(LZ4_BLOCK_TAG);
    expect(packed.readUInt32LE(1)).toBe(Buffer.byteLength(json));
    expect(packed.length).toBeLessThan(json.length / 4);
    expect(unpackSlice(packed)).toEqual(JSON.parse(json));
  });

  it('reads a row stored as JSON text before packing (its bytes start with "{")', () => {
    expect(unpackSlice(Buffer.from(JSON.stringify(slice)))).toEqual(slice);
  });

  it('refuses bytes that are neither, and a damaged block', () => {
    expect(() => unpackSlice(Buffer.from('not a slice'))).toThrow('starts with byte 110');
    const packed = packSlice(JSON.stringify(slice));
    expect(() => unpackSlice(packed.subarray(0, packed.length - 3))).toThrow();
  });
});
