/**
 * A multi-row statement's JSON parameter stays below this: one batch never holds one huge string
 * and its copy, and a transaction's last statement, which Postgres runs while the projector only
 * waits, stays short (at 2 MiB that tail was 140–330 ms of a replay transaction's 840).
 */
export const MAX_CHUNK_CHARS = 256 * 1024;

/**
 * `items` as JSON arrays of consecutive items, each below MAX_CHUNK_CHARS unless one item alone is
 * larger; lazily, so only the chunk being sent exists as a string. Items that look small enough
 * by the first of them are serialized in one call: no string per item and no copy joining them
 * (a replaying projector's rows are about 6% of its main thread).
 */
export function* jsonChunks(items: readonly unknown[]): Generator<string> {
  if (items.length === 0) return;
  if (JSON.stringify(items[0]).length * items.length <= MAX_CHUNK_CHARS / 2) {
    const whole = JSON.stringify(items);
    if (whole.length <= MAX_CHUNK_CHARS) {
      yield whole;
      return;
    }
  }
  let parts: string[] = [];
  let chars = 0;
  for (const item of items) {
    const json = JSON.stringify(item);
    if (parts.length > 0 && chars + json.length > MAX_CHUNK_CHARS) {
      yield `[${parts.join(',')}]`;
      parts = [];
      chars = 0;
    }
    parts.push(json);
    chars += json.length + 1;
  }
  if (parts.length > 0) yield `[${parts.join(',')}]`;
}
