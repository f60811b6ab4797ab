import { performance } from 'node:perf_hooks';

const MAX_REMEMBERED_EVENTS = 10_000;

/**
 * Bench mode (`HOP_TRACE=1`): the wall-clock time a traced command reaches each hop from the API
 * through Kafka, the projector and Postgres back to a subscriber, as JSON lines on stdout, keyed by
 * the trace id of the request's W3C traceparent, so the bench can line the hops up across
 * processes. Off (the default), each call is one test of a constant.
 */
class HopTrace {
  /** The trace of each event id the API appended, for the hops that only know event ids (the change feed). */
  private readonly traceOfEvent = new Map<string, string>();

  /** Callers test this before a loop over messages, so the hot path does no per-message work when off. */
  constructor(readonly enabled: boolean) {}

  mark(hop: string, traceparent: string | undefined): void {
    if (!this.enabled || traceparent === undefined) return;
    process.stdout.write(`${JSON.stringify({ hop, trace: traceparent.slice(3, 35), at: performance.timeOrigin + performance.now() })}\n`);
  }

  /** Marks a hop for the events among `eventIds` that carry a remembered trace. */
  markEvents(hop: string, eventIds: readonly string[]): void {
    if (!this.enabled) return;
    for (const id of eventIds) this.mark(hop, this.traceOfEvent.get(id));
  }

  remember(eventIds: readonly string[], traceparent: string | undefined): void {
    if (!this.enabled || traceparent === undefined) return;
    for (const id of eventIds) this.traceOfEvent.set(id, traceparent);
    // Insertion order is age: drop the oldest beyond the bound.
    for (const id of this.traceOfEvent.keys()) {
      if (this.traceOfEvent.size <= MAX_REMEMBERED_EVENTS) break;
      this.traceOfEvent.delete(id);
    }
  }
}

export const hopTrace = new HopTrace(process.env.HOP_TRACE === '1');
