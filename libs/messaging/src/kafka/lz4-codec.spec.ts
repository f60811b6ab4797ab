import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { lz4Codec, registerLz4Codec } from './lz4-codec';

describe('lz4Codec (Kafka LZ4 for kafkajs)', () => {
  const slice = Buffer.from(JSON.stringify({ endpoints: Array.from({ length: 30 }, (_, i) => ({ addresses: [`10.0.0.${i}`], conditions: { ready: true } })) }));

  it('writes LZ4 frames, as Kafka brokers and other clients read them, and reads them back', async () => {
    const compressed = await lz4Codec.compress({ buffer: slice });
    expect(compressed.readUInt32LE(0)).toBe(0x184d2204); // the LZ4 frame magic number
    expect(compressed.length).toBeLessThan(slice.length / 3);
    expect(await lz4Codec.decompress(compressed)).toEqual(slice);
  });

  it('is the codec kafkajs uses for LZ4 once registered', () => {
    registerLz4Codec();
    expect(CompressionCodecs[CompressionTypes.LZ4]()).toBe(lz4Codec);
  });

  it('refuses bytes that are not an LZ4 frame instead of returning garbage', async () => {
    await expect(lz4Codec.decompress(Buffer.from('not lz4'))).rejects.toThrow();
  });
});
