import type { EndpointSlice } from '@lib/domain';
import { compressSync, uncompressSync } from 'lz4-napi';

/** First byte of a packed slice: one LZ4 block follows, its uncompressed size before it (4 bytes, little-endian). */
export const LZ4_BLOCK_TAG = 0x01;
/** `{`: a stored object that is plain JSON text (a row from before SliceObjectsLz4). */
const OPEN_BRACE = 0x7b;

/**
 * A slice object as the slice tables store it: a tag byte, then its JSON as one LZ4 block with
 * the size before it (lz4_flex's `compress_prepend_size`, python-lz4's `block.compress(store_size=True)`).
 * Postgres never looks inside a slice; sent as JSON text, a 100-endpoint slice was 19 kB that
 * Postgres checked as JSON and compressed again for TOAST in each of the two tables it goes to,
 * 127–203 µs of its CPU per slice against 50–68 µs for the packed 2 kB stored as it comes. A block,
 * not the LZ4 frame format: lz4-napi decodes a 30 kB slice's frame in 74–79 µs, its block in 13–15.
 */
export const packSlice = (json: string | Buffer): Buffer => {
  const block = compressSync(json);
  const packed = Buffer.allocUnsafe(block.length + 1);
  packed[0] = LZ4_BLOCK_TAG;
  block.copy(packed, 1);
  return packed;
};

/** A stored slice object: packed, or the JSON text itself (bytes starting with `{`). */
export const unpackSlice = (stored: Buffer): EndpointSlice => {
  if (stored[0] === OPEN_BRACE) return JSON.parse(stored.toString('utf8')) as EndpointSlice;
  if (stored[0] !== LZ4_BLOCK_TAG) throw new Error(`a stored slice object starts with byte ${stored[0]}, neither a packed slice nor JSON`);
  return JSON.parse(uncompressSync(stored.subarray(1)).toString('utf8')) as EndpointSlice;
};
