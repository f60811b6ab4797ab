/*
 * kafkajs runs with our patch (patches/kafkajs+2.2.4.patch): record headers decoded in one loop
 * instead of a reduce that spread the headers object once per header, header keys decoded in
 * place, a record encoded into one buffer sized for it, varints encoded in place (32-bit values of
 * a varlong without Long objects), encoder buffers not zero-filled. These pin what the patched
 * code must keep of kafkajs's behaviour: the bytes on the wire and the records decoded from them.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's protocol modules have no typings */
interface KafkaEncoder {
  readonly buffer: Buffer;
  writeEncoder(e: unknown): KafkaEncoder;
  writeVarInt(value: number): KafkaEncoder;
  writeVarLong(value: number): KafkaEncoder;
}
const Encoder = require('kafkajs/src/protocol/encoder') as { new (): KafkaEncoder; sizeOfVarLong(value: number): number };
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => { readVarIntBytes(): Buffer };
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => unknown;
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder') as (
  decoder: unknown,
  context: object,
) => { headers: Record<string, Buffer | Buffer[]>; key: Buffer; value: Buffer; offset: string };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Encoded by kafkajs's record encoder, decoded by its record decoder in a batch starting at `firstOffset`. */
const roundTrip = (record: object, firstOffset = '0') => {
  const { buffer } = new Encoder().writeEncoder(encodeRecord(record));
  return decodeRecord(new Decoder(new Decoder(buffer).readVarIntBytes()), { firstOffset, firstTimestamp: '1000' });
};

const withHeaders = (headers: Record<string, string | string[]>) =>
  roundTrip({ offsetDelta: 2, key: Buffer.from('k'), value: Buffer.from('v'), headers }, '40');

const asStrings = (headers: Record<string, Buffer | Buffer[]>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));

describe('kafkajs protocol (patched)', () => {
  it('decodes every header in wire order, next to the key, value and offset', () => {
    const record = withHeaders({ ce_specversion: '1.0', ce_id: 'e-1', 'content-type': 'application/json', ce_ïd: 'ünïcødé' });
    expect(Object.keys(record.headers)).toEqual(['ce_specversion', 'ce_id', 'content-type', 'ce_ïd']);
    expect(asStrings(record.headers)).toEqual({ ce_specversion: '1.0', ce_id: 'e-1', 'content-type': 'application/json', ce_ïd: 'ünïcødé' });
    expect([String(record.key), String(record.value), record.offset]).toEqual(['k', 'v', '42']);
  });

  it('gathers the values of a repeated header into an array, in wire order', () => {
    const record = withHeaders({ a: ['1', '2', '3'], b: '4' });
    expect(asStrings(record.headers)).toEqual({ a: ['1', '2', '3'], b: '4' });
  });

  it('keeps a header named __proto__ as an own property and leaves the prototype alone', () => {
    const record = withHeaders({ ['__proto__']: 'x', a: '1' });
    expect(Object.getPrototypeOf(record.headers)).toBe(Object.prototype);
    expect(Object.keys(record.headers)).toEqual(['__proto__', 'a']);
    expect(asStrings(record.headers)).toEqual({ ['__proto__']: 'x', a: '1' });
  });

  // Zigzag LEB128, as the Kafka protocol spells varints.
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2 ** 31 - 1, 'feffffff0f'],
    [-(2 ** 31), 'ffffffff0f'],
  ])('encodes the varint and the varlong %d as %s', (value, hex) => {
    expect(new Encoder().writeVarInt(value).buffer.toString('hex')).toBe(hex);
    expect(new Encoder().writeVarLong(value).buffer.toString('hex')).toBe(hex);
    expect(Encoder.sizeOfVarLong(value)).toBe(hex.length / 2);
  });

  it('encodes a varlong beyond 32 bits through Long, as before', () => {
    expect(new Encoder().writeVarLong(2 ** 40).buffer.toString('hex')).toBe('808080808040');
    expect(new Encoder().writeVarLong(-(2 ** 40)).buffer.toString('hex')).toBe('ffffffffff3f');
    expect(Encoder.sizeOfVarLong(2 ** 40)).toBe(6);
  });

  it('round-trips a record larger than the encoder\'s first buffer, with many headers', () => {
    const headers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`h${i}`, 'x'.repeat(i * 7)]));
    const record = roundTrip({ offsetDelta: 300, timestampDelta: 70_000, key: Buffer.from('k'), value: Buffer.alloc(20_000, 'v'), headers });
    expect(asStrings(record.headers)).toEqual(headers);
    expect(record.value.equals(Buffer.alloc(20_000, 'v'))).toBe(true);
    expect(record.offset).toBe('300');
  });
});
