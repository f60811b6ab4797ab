import { performance } from 'node:perf_hooks';
import { Recorder, type LatencySummary } from './stats';

export interface LoopResult {
  /** Operations that succeeded. */
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  /** ops / seconds */
  readonly rate: number;
  readonly latencyMs: LatencySummary;
  readonly firstError?: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 300);

/**
 * Closed loop: `concurrency` workers each run one operation at a time until `count` operations
 * were started or `durationMs` passed. An operation resolving to false, or throwing, is an error.
 */
export const closedLoop = async (
  bounds: { readonly concurrency: number; readonly count: number; readonly durationMs: number },
  operation: (index: number) => Promise<boolean>,
): Promise<LoopResult> => {
  const recorder = new Recorder();
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + bounds.durationMs;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (next >= bounds.count || performance.now() >= deadline) return;
      const index = next++;
      const t0 = performance.now();
      let ok: boolean;
      try {
        ok = await operation(index);
      } catch (error) {
        ok = false;
        firstError ??= errorText(error);
      }
      if (ok) recorder.push(performance.now() - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: bounds.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { ops: recorder.count, errors, seconds, rate: recorder.count / seconds, latencyMs: recorder.summary(), firstError };
};

/**
 * Open loop: operation i is started at start + i / rate (late ones at once, never skipped), without
 * waiting for earlier ones, until `count` were started or `durationMs` passed.
 */
export const openLoop = async (
  bounds: { readonly rate: number; readonly count: number; readonly durationMs: number },
  start: (index: number) => void,
): Promise<{ sent: number; seconds: number; maxLagMs: number }> => {
  const interval = 1000 / bounds.rate;
  const started = performance.now();
  let maxLagMs = 0;
  let index = 0;
  while (index < bounds.count) {
    const now = performance.now();
    if (now - started >= bounds.durationMs) break;
    const due = started + index * interval;
    if (due > now + 0.5) {
      await sleep(due - now);
      continue;
    }
    maxLagMs = Math.max(maxLagMs, now - due);
    start(index++);
  }
  return { sent: index, seconds: (performance.now() - started) / 1000, maxLagMs };
};
