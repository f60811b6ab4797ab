import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';

/**
 * Kafka's LZ4 (the LZ4 frame format) for kafkajs, which ships gzip only. Native and synchronous: a
 * record batch of slices compresses in well under a millisecond, less than the thread-pool hop an
 * asynchronous call costs. KafkaEventLog registers it when it loads; any other kafkajs client that
 * reads the slice topic must register it too (registerLz4Codec), or kafkajs cannot decompress it.
 */
export const lz4Codec = {
  compress: async (encoder: { readonly buffer: Buffer }): Promise<Buffer> => compressFrameSync(encoder.buffer),
  decompress: async (buffer: Buffer): Promise<Buffer> => decompressFrameSync(buffer),
};

export const registerLz4Codec = (): void => {
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
};
