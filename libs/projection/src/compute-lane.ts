/**
 * One transaction at a time judges its commands; the other in flight meanwhile only talks to
 * Postgres. Two that judged side by side (yielding to each other) would reach Postgres together
 * and leave Node idle while it writes both; in turn, one judges while Postgres writes the other's rows.
 */
export class ComputeLane {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves when the lane is this caller's; the function it gives releases it (more calls do nothing). */
  async enter(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const before = this.tail;
    this.tail = before.then(() => held);
    await before;
    return release;
  }
}

/** How many items a long computation handles between two chances for I/O callbacks to run. */
export const ITEMS_BETWEEN_YIELDS = 128;

/**
 * Lets pending I/O callbacks run: another transaction's Postgres answers, so it sends its next
 * statement without waiting for this computation to end.
 */
export const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
