import type { EndpointSlice } from '@lib/domain';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';

/** `{`: a stored object that is plain JSON text (a row from before SliceObjectsLz4), not an LZ4 frame. */
const OPEN_BRACE = 0x7b;

/**
 * A slice object as the slice tables store it: its JSON in one LZ4 frame (the standard frame
 * format, which `lz4 -d` reads). Postgres never looks inside a slice; sent as JSON text, a
 * 100-endpoint slice was 19 kB that Postgres checked as JSON and compressed again for TOAST in
 * each of the two tables it goes to, 127–160 µs of its CPU per slice against 50–58 µs for the
 * 2 kB frame stored as it comes.
 */
export const packSlice = (json: string): Buffer => compressFrameSync(Buffer.from(json));

/** A stored slice object: an LZ4 frame, or the JSON text itself (bytes starting with `{`). */
export const unpackSlice = (stored: Buffer): EndpointSlice =>
  JSON.parse((stored[0] === OPEN_BRACE ? stored : decompressFrameSync(stored)).toString('utf8')) as EndpointSlice;
