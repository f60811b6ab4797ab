import type { SliceEndpoint } from '@lib/domain';

interface HeldSlice {
  /** The slice's endpoints as last written; rewritten in place. */
  readonly endpoints: SliceEndpoint[];
  /** Where each endpoint's text ends in `bytes`, by index (it starts one byte after the one before ends, the first at 1); rewritten in place. */
  readonly ends: number[];
  /** JSON.stringify(endpoints) as UTF-8. */
  bytes: Buffer;
}

/** The source of an endpoint that its slice's held version does not have: JSON.stringify. */
const NEW = -1;
const OPEN = 0x5b;
const COMMA = 0x2c;
const CLOSE = 0x5d;

/**
 * The JSON of a slice's endpoints as UTF-8 bytes, re-serializing only the endpoints its last change
 * did not write: the reconciler carries an unchanged endpoint into the next version of its slice as
 * the same (immutable) object, so a registration into a slice of 50 serializes one endpoint, not 50,
 * and copies the others' bytes from the version before, a run of them in one copy.
 * An endpoint is matched in step with the previous version (an update replaces in place, a removal
 * skips one), and only when that fails through a map of the previous indexes; one past the previous
 * version's end is new (a registration appends), which spares a 100-endpoint slice that map.
 * Bytes, not strings: the slice table and the slice topic both want bytes, and a held string per
 * endpoint doubled what a held slice costs (a 15 kB string held until the relay published it was
 * copied by the young generation's collections too).
 * Held per slice for the slices changed last, up to `maxBytes` (least recently changed dropped
 * first); a slice not held is serialized whole. A held slice's arrays are rewritten in place, not
 * replaced: a copy per change outlived the young generation's collections and was promoted, 2 kB a
 * registration into a 100-endpoint slice.
 */
export class EndpointTexts {
  private readonly bySlice = new Map<string, HeldSlice>();
  private bytes = 0;
  // The change in hand (json never reenters), per endpoint of the new version: the held index its
  // text is copied from or NEW, and where its text ends in the new bytes; and the NEW texts in order.
  // One set of arrays for every call: a fresh array per call was allocated in the old generation
  // once V8 had seen a slice's first arrays outlive collections.
  private readonly sources: number[] = [];
  private readonly ends: number[] = [];
  private readonly texts: string[] = [];

  constructor(private readonly maxBytes: number) {}

  /** Equal to Buffer.from(JSON.stringify(endpoints)). */
  json(slice: string, endpoints: readonly SliceEndpoint[]): Buffer {
    const previous = this.bySlice.get(slice);
    const { sources, ends, texts } = this;
    const count = endpoints.length;
    let moved: Map<SliceEndpoint, number> | undefined;
    // Where the next endpoint stood in the previous version, if it is still there.
    let at = 0;
    let newTexts = 0;
    let length = 2 + Math.max(0, count - 1);
    for (let i = 0; i < count; i++) {
      const endpoint = endpoints[i];
      let source = NEW;
      if (previous !== undefined) {
        const before = previous.endpoints;
        if (before[at] === endpoint) source = at++;
        else if (before[at + 1] === endpoint) {
          // The endpoint before it was removed.
          source = at + 1;
          at += 2;
        } else if (at < before.length) source = (moved ??= indexByEndpoint(before)).get(endpoint) ?? NEW;
        // else: past the previous version's end, where what a registration appends stands.
      }
      sources[i] = source;
      if (source === NEW) {
        const text = JSON.stringify(endpoint);
        texts[newTexts++] = text;
        length += Buffer.byteLength(text);
      } else {
        length += (previous as HeldSlice).ends[source] - startOf(previous as HeldSlice, source);
      }
    }
    const bytes = Buffer.allocUnsafe(length);
    bytes[0] = OPEN;
    let offset = 1;
    let nextText = 0;
    for (let i = 0; i < count; ) {
      if (i > 0) bytes[offset++] = COMMA;
      const source = sources[i];
      if (source === NEW) {
        offset += bytes.write(texts[nextText++], offset);
        ends[i++] = offset;
        continue;
      }
      // Endpoints that follow each other in the previous version too: one copy, commas included.
      const held = previous as HeldSlice;
      let last = i;
      while (last + 1 < count && sources[last + 1] === sources[last] + 1) last++;
      const from = startOf(held, source);
      const to = held.ends[sources[last]];
      held.bytes.copy(bytes, offset, from, to);
      for (let k = i; k <= last; k++) ends[k] = offset + held.ends[sources[k]] - from;
      offset += to - from;
      i = last + 1;
    }
    bytes[offset] = CLOSE;
    // Let go of the new texts: held by this array, they would be promoted with it.
    texts.fill('', 0, newTexts);
    if (previous) {
      this.bySlice.delete(slice);
      this.bytes -= previous.bytes.length;
      overwrite(previous.endpoints, endpoints, count);
      overwrite(previous.ends, ends, count);
      previous.bytes = bytes;
      this.bySlice.set(slice, previous);
    } else {
      this.bySlice.set(slice, { endpoints: endpoints.slice(), ends: ends.slice(0, count), bytes });
    }
    this.bytes += bytes.length;
    for (const [name, held] of this.bySlice) {
      if (this.bytes <= this.maxBytes) break;
      this.bySlice.delete(name);
      this.bytes -= held.bytes.length;
    }
    return bytes;
  }
}

const startOf = (held: HeldSlice, index: number): number => (index === 0 ? 1 : held.ends[index - 1] + 1);

/** The first `count` of `source` into `target`, which keeps its backing store when it is long enough. */
const overwrite = <T>(target: T[], source: readonly T[], count: number): void => {
  target.length = count;
  for (let i = 0; i < count; i++) target[i] = source[i];
};

const indexByEndpoint = (endpoints: readonly SliceEndpoint[]): Map<SliceEndpoint, number> => new Map(endpoints.map((endpoint, i) => [endpoint, i]));
