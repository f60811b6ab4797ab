/** A multi-row statement's JSON parameter stays below this: one batch never holds one huge string and its copy. */
const MAX_CHUNK_CHARS = 2 * 1024 * 1024;

/**
 * `items` as JSON arrays of consecutive items, each below MAX_CHUNK_CHARS unless one item alone is
 * larger; lazily, so only the chunk being sent exists as a string.
 */
export function* jsonChunks(items: readonly unknown[]): Generator<string> {
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
