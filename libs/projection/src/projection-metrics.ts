import type { AppliedBatch } from './apply-batch';

export class Counter {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

/** Prometheus text exposition of what the projector does; rendered by /metrics. */
export class ProjectionMetrics {
  readonly appliedEvents = new Counter();
  readonly deadLetteredEvents = new Counter();
  readonly sliceWrites = new Counter();
  readonly reconciles = new Counter();
  readonly applyFailures = new Counter();
  readonly batchSeconds = new Counter();
  readonly batches = new Counter();
  /** Lease expiry events appended by this process's sweeper (while it is the active one). */
  readonly leaseExpiredNotReady = new Counter();
  readonly leaseExpiredRemoved = new Counter();
  readonly leaseSweepFailures = new Counter();
  /** Slice change records above the broker's record limit, dead-lettered by the relay. */
  readonly relayDeadLetteredRecords = new Counter();

  recordBatch(applied: AppliedBatch, seconds: number): void {
    this.appliedEvents.inc(applied.appliedEvents);
    this.deadLetteredEvents.inc(applied.deadLettered);
    this.sliceWrites.inc(applied.changes.length);
    this.reconciles.inc(applied.writesPerReconcile.length);
    this.batches.inc();
    this.batchSeconds.inc(seconds);
  }

  render(): string {
    const line = (name: string, help: string, type: 'counter' | 'gauge', value: number) =>
      `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
    return [
      line('registry_projector_applied_events_total', 'Events applied to the projection.', 'counter', this.appliedEvents.value),
      line('registry_projector_dead_lettered_events_total', 'Events sent to the dead-letter topic.', 'counter', this.deadLetteredEvents.value),
      line('registry_projector_slice_writes_total', 'EndpointSlice writes (change log rows).', 'counter', this.sliceWrites.value),
      line('registry_projector_reconciles_total', 'Reconciles (one per command).', 'counter', this.reconciles.value),
      line('registry_projector_apply_failures_total', 'Batch applications that failed and were retried.', 'counter', this.applyFailures.value),
      line('registry_projector_batches_total', 'Batches committed.', 'counter', this.batches.value),
      line('registry_projector_batch_seconds_total', 'Time spent applying batches.', 'counter', this.batchSeconds.value),
      `# HELP registry_lease_expirations_total Lease expiry events appended by this process, by phase.\n# TYPE registry_lease_expirations_total counter\n` +
        `registry_lease_expirations_total{phase="NotReady"} ${this.leaseExpiredNotReady.value}\n` +
        `registry_lease_expirations_total{phase="Removed"} ${this.leaseExpiredRemoved.value}\n`,
      line('registry_lease_sweep_failures_total', 'Lease sweeps that failed and were retried.', 'counter', this.leaseSweepFailures.value),
      line('registry_relay_dead_lettered_records_total', 'Slice change records too large for the broker, sent to the dead-letter topic.', 'counter', this.relayDeadLetteredRecords.value),
    ].join('');
  }
}
