/*
 * kafkajs decodes record headers with our patch (patches/kafkajs+2.2.4.patch): one loop instead of
 * a reduce that spread the headers object once per header. These pin what the patched decoder
 * must keep of kafkajs's behaviour, through kafkajs's own record encoder.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's protocol modules have no typings */
const Encoder = require('kafkajs/src/protocol/encoder') as new () => { writeEncoder(e: unknown): { buffer: Buffer } };
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => { readVarIntBytes(): Buffer };
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => unknown;
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder') as (
  decoder: unknown,
  context: object,
) => { headers: Record<string, Buffer | Buffer[]>; key: Buffer; value: Buffer; offset: string };
/* eslint-enable @typescript-eslint/no-require-imports */

const roundTrip = (headers: Record<string, string | string[]>) => {
  const { buffer } = new Encoder().writeEncoder(encodeRecord({ offsetDelta: 2, key: Buffer.from('k'), value: Buffer.from('v'), headers }));
  return decodeRecord(new Decoder(new Decoder(buffer).readVarIntBytes()), { firstOffset: '40', firstTimestamp: '0' });
};

const asStrings = (headers: Record<string, Buffer | Buffer[]>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));

describe('kafkajs record headers (patched decoder)', () => {
  it('decodes every header in wire order, next to the key, value and offset', () => {
    const record = roundTrip({ ce_specversion: '1.0', ce_id: 'e-1', 'content-type': 'application/json', ce_ïd: 'ünïcødé' });
    expect(Object.keys(record.headers)).toEqual(['ce_specversion', 'ce_id', 'content-type', 'ce_ïd']);
    expect(asStrings(record.headers)).toEqual({ ce_specversion: '1.0', ce_id: 'e-1', 'content-type': 'application/json', ce_ïd: 'ünïcødé' });
    expect([String(record.key), String(record.value), record.offset]).toEqual(['k', 'v', '42']);
  });

  it('gathers the values of a repeated header into an array, in wire order', () => {
    const record = roundTrip({ a: ['1', '2', '3'], b: '4' });
    expect(asStrings(record.headers)).toEqual({ a: ['1', '2', '3'], b: '4' });
  });

  it('keeps a header named __proto__ as an own property and leaves the prototype alone', () => {
    const record = roundTrip({ ['__proto__']: 'x', a: '1' });
    expect(Object.getPrototypeOf(record.headers)).toBe(Object.prototype);
    expect(Object.keys(record.headers)).toEqual(['__proto__', 'a']);
    expect(asStrings(record.headers)).toEqual({ ['__proto__']: 'x', a: '1' });
  });
});
