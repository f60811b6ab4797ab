/**
 * A multi-row statement's JSON parameter stays below this: one batch never holds one huge string
 * and its copy, and a transaction's last statement, which Postgres runs while the projector only
 * waits, stays short (at 2 MiB that tail was 140–330 ms of a replay transaction's 840).
 */
export const MAX_CHUNK_CHARS = 256 * 1024;

/** A chunk is planned to fill this share of the bound, so that items larger than the ones before rarely overshoot it. */
const PLANNED_FILL = 0.8;

/**
 * `items` as JSON arrays of consecutive items, each below MAX_CHUNK_CHARS unless one item alone is
 * larger; lazily, so only the chunk being sent exists as a string. Each chunk is one
 * JSON.stringify of a run of items, sized by the characters per item so far: a string per item
 * joined into the chunk cost three times as much (a replaying projector's rows were 9% of its
 * main thread). A run that comes out over the bound is halved until it fits.
 */
export function* jsonChunks(items: readonly unknown[]): Generator<string> {
  if (items.length === 0) return;
  let charsPerItem = JSON.stringify(items[0]).length + 1;
  for (let start = 0; start < items.length; ) {
    let count = Math.min(items.length - start, Math.max(1, Math.floor((MAX_CHUNK_CHARS * PLANNED_FILL) / charsPerItem)));
    let json = JSON.stringify(items.slice(start, start + count));
    while (json.length > MAX_CHUNK_CHARS && count > 1) {
      count = Math.ceil(count / 2);
      json = JSON.stringify(items.slice(start, start + count));
    }
    yield json;
    charsPerItem = json.length / count;
    start += count;
  }
}
