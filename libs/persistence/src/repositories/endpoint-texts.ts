import type { SliceEndpoint } from '@lib/domain';

interface SliceTexts {
  readonly texts: Map<SliceEndpoint, string>;
  readonly chars: number;
}

/**
 * The JSON of a slice's endpoints, re-serializing only the endpoints its last change did not
 * write: the reconciler carries an unchanged endpoint into the next version of its slice as the
 * same (immutable) object, so a registration into a slice of 50 serializes one endpoint, not 50.
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
    const texts = new Map<SliceEndpoint, string>();
    const parts: string[] = [];
    let chars = 0;
    for (const endpoint of endpoints) {
      const text = previous?.texts.get(endpoint) ?? JSON.stringify(endpoint);
      texts.set(endpoint, text);
      parts.push(text);
      chars += text.length;
    }
    if (previous) {
      this.bySlice.delete(slice);
      this.chars -= previous.chars;
    }
    this.bySlice.set(slice, { texts, chars });
    this.chars += chars;
    for (const [name, held] of this.bySlice) {
      if (this.chars <= this.maxChars) break;
      this.bySlice.delete(name);
      this.chars -= held.chars;
    }
    return `[${parts.join(',')}]`;
  }
}
