import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';

/**
 * Kafka's LZ4 (the LZ4 frame format) for kafkajs, which ships gzip only. Native and synchronous: a
 * record batch of slices compresses in well under a millisecond, less than the thread-pool hop an
 * asynchronous call costs. Registered when this module loads; every Kafka client of this code
 * loads it with KafkaEventLog, so a consumer here reads what a producer here compressed.
 */
export const lz4Codec = {
  compress: async (encoder: { readonly buffer: Buffer }): Promise<Buffer> => compressFrameSync(encoder.buffer),
  decompress: async (buffer: Buffer): Promise<Buffer> => decompressFrameSync(buffer),
};

CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
