interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a flush is in flight go together into the next flush, so
 * under load one transaction carries the batches of many partitions and pays its fixed cost
 * (round trips, offset rows, the resourceVersion lock, the commit's fsync) once for all of them.
 * Idle, an item waits only for the current macrotask, where its siblings of the same fetch arrive.
 */
export class GroupCommit<T> {
  private readonly queue: Waiting<T>[] = [];
  private draining = false;

  constructor(
    private readonly flush: (items: readonly T[]) => Promise<void>,
    /** A flush takes items while their total weight stays within this (always at least one). */
    private readonly maxWeight: number,
    private readonly weightOf: (item: T) => number,
  ) {}

  /** Settles when the flush that carried `item` settles, with its outcome. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      let weight = this.weightOf(this.queue[0].item);
      let count = 1;
      while (count < this.queue.length && weight + this.weightOf(this.queue[count].item) <= this.maxWeight) {
        weight += this.weightOf(this.queue[count].item);
        count++;
      }
      const group = this.queue.splice(0, count);
      try {
        await this.flush(group.map((w) => w.item));
        for (const w of group) w.resolve();
      } catch (error) {
        for (const w of group) w.reject(error);
      }
    }
    this.draining = false;
  }
}
