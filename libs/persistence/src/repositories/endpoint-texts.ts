import type { SliceEndpoint } from '@lib/domain';

interface SliceTexts {
  /** The slice's endpoints as last written, and each one's text at the same index; both rewritten in place. */
  readonly endpoints: SliceEndpoint[];
  readonly texts: string[];
  /** JSON.stringify(endpoints) as UTF-8. */
  bytes: Buffer;
}

/**
 * The JSON of a slice's endpoints as UTF-8 bytes, re-serializing only the endpoints its last change
 * did not write: the reconciler carries an unchanged endpoint into the next version of its slice as
 * the same (immutable) object, so a registration into a slice of 50 serializes one endpoint, not 50.
 * An endpoint is matched in step with the previous version (an update replaces in place, a removal
 * skips one), and only when that fails through a map of the previous texts; one past the previous
 * version's end is new (a registration appends), which spares a 100-endpoint slice that map. When
 * the change only appended, the previous bytes are extended instead of the texts joined again.
 * Bytes, not a string: the slice table and the slice topic both want bytes, and a 15 kB string
 * held until the relay publishes it was copied by the young generation's collections.
 * Held per slice for the slices changed last, up to `maxBytes` (least recently changed dropped
 * first); a slice not held is serialized whole. A held slice's arrays are rewritten in place, not
 * replaced: a copy per change outlived the young generation's collections and was promoted, 2 kB
 * a registration into a 100-endpoint slice.
 */
export class EndpointTexts {
  private readonly bySlice = new Map<string, SliceTexts>();
  private bytes = 0;
  /**
   * The texts of the change in hand, its first `count` entries: one array for every call (which
   * never reenters). A fresh array per call was allocated in the old generation once V8 had seen
   * the first ones a slice holds outlive collections, and filled it with garbage.
   */
  private readonly next: string[] = [];

  constructor(private readonly maxBytes: number) {}

  /** Equal to Buffer.from(JSON.stringify(endpoints)). */
  json(slice: string, endpoints: readonly SliceEndpoint[]): Buffer {
    const previous = this.bySlice.get(slice);
    const texts = this.next;
    let count = 0;
    let moved: Map<SliceEndpoint, string> | undefined;
    // Where the next endpoint stood in the previous version, if it is still there.
    let at = 0;
    let inPlace = previous !== undefined;
    for (let i = 0; i < endpoints.length; i++) {
      const endpoint = endpoints[i];
      let text: string | undefined;
      if (previous !== undefined) {
        const before = previous.endpoints;
        if (before[at] === endpoint) text = previous.texts[at++];
        else if (before[at + 1] === endpoint) {
          // The endpoint before it was removed.
          text = previous.texts[at + 1];
          at += 2;
        } else if (at < before.length) text = (moved ??= textsByEndpoint(previous)).get(endpoint);
        // else: past the previous version's end, where what a registration appends stands.
        inPlace &&= at === i + 1 || i >= before.length;
      }
      texts[count++] = text ?? JSON.stringify(endpoint);
    }
    const bytes =
      previous !== undefined && inPlace && previous.endpoints.length > 0 && endpoints.length >= previous.endpoints.length
        ? appended(previous, texts.slice(previous.endpoints.length, count))
        : Buffer.from(`[${texts.slice(0, count).join(',')}]`);
    if (previous) {
      this.bySlice.delete(slice);
      this.bytes -= previous.bytes.length;
      overwrite(previous.endpoints, endpoints, endpoints.length);
      overwrite(previous.texts, texts, count);
      previous.bytes = bytes;
      this.bySlice.set(slice, previous);
    } else {
      this.bySlice.set(slice, { endpoints: endpoints.slice(), texts: texts.slice(0, count), bytes });
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

/** The previous bytes without their `]`, then the texts `added` past the previous end (none: the same bytes). */
const appended = (previous: SliceTexts, added: readonly string[]): Buffer => {
  if (added.length === 0) return previous.bytes;
  return Buffer.concat([previous.bytes.subarray(0, previous.bytes.length - 1), Buffer.from(`,${added.join(',')}]`)]);
};

/** The first `count` of `source` into `target`, which keeps its backing store when it is long enough. */
const overwrite = <T>(target: T[], source: readonly T[], count: number): void => {
  target.length = count;
  for (let i = 0; i < count; i++) target[i] = source[i];
};

const textsByEndpoint = ({ endpoints, texts }: SliceTexts): Map<SliceEndpoint, string> => new Map(endpoints.map((endpoint, i) => [endpoint, texts[i]]));
