export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume. */
  readonly offset: string;
}

/**
 * kafkajs with autoCommit on commits after every partition batch (its interval only adds commits),
 * which on a busy projector meant about 190 OffsetCommit requests a second, more than all its
 * fetches and produces together. Positions live in Postgres; the Kafka commit only saves a rejoin
 * from fetching from further back, so it goes at most once per interval, and a failed one (a
 * rebalance in progress) waits for the next.
 */
export class ThrottledOffsetCommits {
  private readonly resolved = new Map<string, TopicPartitionOffset>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly commit: (offsets: TopicPartitionOffset[]) => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  resolve(position: TopicPartitionOffset): void {
    this.resolved.set(`${position.topic}:${position.partition}`, position);
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs).unref();
  }

  /** Commits what was resolved since the last commit (also when the consumer stops). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const offsets = [...this.resolved.values()];
    this.resolved.clear();
    if (offsets.length > 0) await this.commit(offsets).catch(() => undefined);
  }
}
