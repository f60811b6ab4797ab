import type { SliceEndpoint } from '@lib/domain';

interface SliceTexts {
  /** The slice's endpoints as last written (a copy), and each one's text at the same index. */
  readonly endpoints: readonly SliceEndpoint[];
  readonly texts: readonly string[];
  readonly chars: number;
}

/**
 * The JSON of a slice's endpoints, re-serializing only the endpoints its last change did not
 * write: the reconciler carries an unchanged endpoint into the next version of its slice as the
 * same (immutable) object, so a registration into a slice of 50 serializes one endpoint, not 50.
 * An endpoint is matched at its index first (a registration appends, an update replaces in place),
 * and only when that fails through a map of the previous texts (a removal shifts the rest).
 * Held per slice for the slices changed last, up to `maxChars` of JSON (least recently changed
 * dropped first); a slice not held is serialized whole, as before.
 */
export class EndpointTexts {
  private readonly bySlice = new Map<string, SliceTexts>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  /** Equal to JSON.stringify(endpoints). */
  json(slice: string, endpoints: readonly SliceEndpoint[]): string {
    const previous = this.bySlice.get(slice);
    const texts: string[] = [];
    let moved: Map<SliceEndpoint, string> | undefined;
    let chars = 0;
    for (let i = 0; i < endpoints.length; i++) {
      const endpoint = endpoints[i];
      let text: string | undefined;
      if (previous !== undefined) {
        if (previous.endpoints[i] === endpoint) text = previous.texts[i];
        else text = (moved ??= textsByEndpoint(previous)).get(endpoint);
      }
      text ??= JSON.stringify(endpoint);
      texts.push(text);
      chars += text.length;
    }
    if (previous) {
      this.bySlice.delete(slice);
      this.chars -= previous.chars;
    }
    this.bySlice.set(slice, { endpoints: endpoints.slice(), texts, chars });
    this.chars += chars;
    for (const [name, held] of this.bySlice) {
      if (this.chars <= this.maxChars) break;
      this.bySlice.delete(name);
      this.chars -= held.chars;
    }
    return `[${texts.join(',')}]`;
  }
}

const textsByEndpoint = ({ endpoints, texts }: SliceTexts): Map<SliceEndpoint, string> => new Map(endpoints.map((endpoint, i) => [endpoint, texts[i]]));
