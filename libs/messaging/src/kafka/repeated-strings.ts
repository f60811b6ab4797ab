/** Slots remembered; a producer inventing header names gets them decoded, just not remembered. */
const MAX_SLOTS = 64;

/**
 * UTF-8 decoding that gives the same string again when a slot (a header name, the key) holds the
 * same bytes as in the record before. The records of a command repeat their key and most
 * CloudEvents headers (time, actor, command id, type, subject, size): a transaction holds every
 * record's strings until it commits, so the garbage collector copies and promotes one string per
 * run of records instead of one per record.
 */
export class RepeatedStrings {
  private readonly last = new Map<string, { readonly bytes: Buffer; readonly text: string }>();

  decode(slot: string, bytes: Buffer): string {
    const last = this.last.get(slot);
    if (last !== undefined && last.bytes.equals(bytes)) return last.text;
    const text = bytes.toString('utf8');
    // A copy: the record's buffer is a view of its whole fetch response, which it would keep alive.
    if (last !== undefined || this.last.size < MAX_SLOTS) this.last.set(slot, { bytes: Buffer.from(bytes), text });
    return text;
  }
}
