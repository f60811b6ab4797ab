/** A partition batch the BatchApplier has begun to apply and not yet committed. */
export interface LaneAttempt {
  /** The batch's last offset: a batch after it may commit only once the stored position is past it. */
  readonly last: bigint;
  /**
   * Settles once this attempt has judged its commands and built its rows from the models, or gave
   * up: the next batch judges on what it left in the models, which it no longer reads.
   */
  readonly judged: Promise<void>;
  /** True once the transaction carrying that judgement committed; false when it did not (the models were dropped). */
  readonly committedAsJudged: Promise<boolean>;
}

/** An attempt that failed stays as a marker until its batch is applied, so the batches after it wait. */
interface Entry {
  readonly first: bigint;
  readonly attempt: LaneAttempt;
}

/** The handle of one attempt: it reports its progress to the batches queued behind it. */
export interface LaneTicket {
  /** The attempt on the batch before this one in its partition, when that batch is not known to be applied. */
  readonly previous?: LaneAttempt;
  judged(): void;
  /** `asJudged`: the committed transaction carried the judgement this attempt made (not one made under the locks after it). */
  committed(asJudged: boolean): void;
  failed(): void;
}

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * The order of the batches of each partition inside one projector. A transport may hand over a
 * partition's next batch while the previous one is still committing (a replay fetches ahead), so
 * two transactions of one partition can be in flight: the later one judges on the models the
 * earlier one left, and may commit only after the earlier one committed exactly that judgement.
 * Batches are known by offsets, not by arrival: a retried batch finds the attempts of the batches
 * before it, never those after it. Whatever this process believes, the stored position is the
 * last word: a batch commits only once the position is past its predecessor's last offset.
 */
export class PartitionLanes {
  private readonly lanes = new Map<string, Entry[]>();

  begin(lane: string, first: bigint, last: bigint): LaneTicket {
    const entries = this.lanes.get(lane) ?? this.open(lane);
    const before = entries.filter((e) => e.first < first);
    const previous = before.length > 0 ? before.reduce((a, b) => (b.first > a.first ? b : a)).attempt : undefined;
    const judged = deferred<void>();
    const committedAsJudged = deferred<boolean>();
    const entry: Entry = { first, attempt: { last, judged: judged.promise, committedAsJudged: committedAsJudged.promise } };
    // A new attempt on the same batch takes the place of the one that failed.
    const same = entries.findIndex((e) => e.first === first);
    if (same >= 0) entries.splice(same, 1, entry);
    else entries.push(entry);
    // A batch judged twice (a command dead-lettered, then judged again) committed another judgement
    // than the first one, which a later batch may have judged on.
    let judgements = 0;
    const settle = (asJudged: boolean) => {
      judged.resolve();
      committedAsJudged.resolve(asJudged && judgements === 1);
    };
    return {
      previous,
      judged: () => {
        judgements++;
        judged.resolve();
      },
      committed: (asJudged) => {
        settle(asJudged);
        // Every offset up to this batch's last is applied: no batch there needs to be waited for.
        for (let i = entries.length - 1; i >= 0; i--) if (entries[i].first <= last) entries.splice(i, 1);
      },
      failed: () => settle(false),
    };
  }

  private open(lane: string): Entry[] {
    const entries: Entry[] = [];
    this.lanes.set(lane, entries);
    return entries;
  }
}
