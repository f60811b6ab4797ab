interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while the flushes in flight run go together into the next flush,
 * so under load one flush pays its fixed cost once for all of them: the projector's transaction
 * (round trips, offset rows, the resourceVersion lock, the commit's fsync) carries the batches of
 * many partitions, and the API's decision lookup serves many mutations with one query.
 * Idle, an item waits only for the current macrotask, where its siblings arrive.
 * A second flush may run beside the first, so Node and Postgres work on one each at a time.
 * A failed group is flushed again item by item, so one item's failure is only its own.
 */
export class GroupCommit<T> {
  private readonly queue: Waiting<T>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly flush: (items: readonly T[]) => Promise<void>,
    private readonly options: {
      /** A flush takes items while their total weight stays within this (always at least one). */
      readonly maxWeight: number;
      readonly weightOf: (item: T) => number;
      readonly concurrency: number;
    },
  ) {}

  /** Settles when the flush that carried `item` settles, with its outcome. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.options.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flushNext();
    });
  }

  private async flushNext(): Promise<void> {
    if (this.running >= this.options.concurrency || this.queue.length === 0) return;
    const { maxWeight, weightOf } = this.options;
    let weight = 0;
    let count = 0;
    for (; count < this.queue.length; count++) {
      const next = weightOf(this.queue[count].item);
      if (count > 0 && weight + next > maxWeight) break;
      weight += next;
    }
    const group = this.queue.splice(0, count);
    this.running++;
    this.schedule();
    try {
      await this.flushIsolated(group);
    } finally {
      this.running--;
      this.schedule();
    }
  }

  /**
   * A failed flush of several items says nothing about which one failed: each is flushed again on
   * its own, so only the failing item's submitter sees the error (and backs off), and the others
   * commit now instead of retrying behind it forever.
   */
  private async flushIsolated(group: readonly Waiting<T>[]): Promise<void> {
    try {
      await this.flush(group.map((w) => w.item));
      for (const w of group) w.resolve();
      return;
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
    }
    for (const w of group) {
      await this.flush([w.item]).then(w.resolve, w.reject);
    }
  }
}
