/**
 * Runs `task` at most once at a time: a kick during a run schedules exactly one more run, and an
 * idle loop runs again after `idleMs` as a fallback for missed signals, while `polling()` holds
 * (`arm` sets that fallback again once it holds anew).
 */
export class CoalescingLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly idleMs: number,
    private readonly onError: (error: Error) => void,
    private readonly polling: () => boolean = () => true,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.task()
      .catch((error: unknown) => this.onError(error as Error))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.arm();
        }
      });
  }

  /** Sets the fallback run `idleMs` from now, unless a run is in flight (it sets one when it ends) or one is set. */
  arm(): void {
    if (this.stopped || this.running || this.timer || !this.polling()) return;
    this.timer = setTimeout(() => this.kick(), this.idleMs);
  }

  /** Resolves once the run in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
