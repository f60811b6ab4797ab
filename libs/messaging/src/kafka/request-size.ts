import { RecordTooLargeError } from '../event-log';

/** The broker's default message.max.bytes: the largest record batch it accepts for one partition. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** Below the broker's default message.max.bytes (1 MiB), which bounds each partition's record batch. */
const MAX_REQUEST_BYTES = 768 * 1024;

// Record framing in a v2 record batch, rounded up: length, attributes, timestamp and offset deltas
// and the varint lengths of key, value and each header. Only ever an over-estimate.
const RECORD_OVERHEAD_BYTES = 32;
const HEADER_OVERHEAD_BYTES = 10;
/** A record batch's own header (61 bytes in v2), rounded up. */
export const BATCH_OVERHEAD_BYTES = 72;

export interface SizedRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a record adds to its record batch on the wire (uncompressed), conservatively. */
export const estimatedRecordBytes = (record: SizedRecord): number => {
  let bytes = RECORD_OVERHEAD_BYTES + (record.key === null ? 0 : Buffer.byteLength(record.key)) + (record.value?.length ?? 0);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  return bytes;
};

/** The record batch that carries exactly these records. */
export const estimatedBatchBytes = (records: readonly SizedRecord[]): number =>
  records.reduce((sum, record) => sum + estimatedRecordBytes(record), BATCH_OVERHEAD_BYTES);

/** Consecutive runs of records whose values add up to at most MAX_REQUEST_BYTES (a larger record goes alone). */
export const withinRequestSize = <R extends { readonly value: Buffer | null }>(records: readonly R[]): R[][] => {
  const runs: R[][] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.value?.length ?? 0;
    if (runs.length === 0 || bytes + size > MAX_REQUEST_BYTES) {
      runs.push([]);
      bytes = 0;
    }
    runs[runs.length - 1].push(record);
    bytes += size;
  }
  return runs;
};

/**
 * A command's events travel as one record batch, so the whole command must fit the broker's
 * limit; the embedded log applies the same rule so both transports accept the same commands.
 */
export const requireWithinRecordLimit = (records: readonly SizedRecord[], limitBytes: number): number => {
  const bytes = estimatedBatchBytes(records);
  if (bytes > limitBytes) throw new RecordTooLargeError(bytes, limitBytes);
  return bytes;
};
