/** Below the broker's default message.max.bytes (1 MiB), which bounds each partition's record batch. */
const MAX_REQUEST_BYTES = 768 * 1024;

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
