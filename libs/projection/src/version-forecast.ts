/**
 * Where this projector expects the resourceVersion counter when its next transaction claims, so
 * the transaction's rows can be built with their versions and sent while its claim waits for the
 * counter (locked by the transaction before it until that one commits), instead of after. Only
 * projectors move the counter: a projector alone forecasts right every time. Beside another one,
 * a claim that finds the counter elsewhere (its transaction is then rolled back and applied again
 * under the locks) turns forecasting off, until two claims in a row find that nobody else moved it.
 */
export interface Forecast {
  /** The last version the transaction will hold. */
  readonly latest: bigint;
  readonly count: bigint;
}

export class VersionForecast {
  /** The counter after the last claim that returned, while it is trusted to move only with this projector's claims. */
  private counter?: bigint;
  /** The counter after the last claim that returned, trusted or not. */
  private seen?: bigint;
  /** Forecasts for transactions whose claims have not returned, and the versions they count on. */
  private readonly outstanding = new Set<Forecast>();
  private ahead = 0n;

  /** The versions of a transaction reserving `count`, if its claim comes next; undefined when not known. */
  next(count: number): Forecast | undefined {
    if (this.counter === undefined) return undefined;
    this.ahead += BigInt(count);
    const forecast = { latest: this.counter + this.ahead, count: BigInt(count) };
    this.outstanding.add(forecast);
    return forecast;
  }

  /** A claim of `count` versions returned with `latest`, or failed (undefined); `forecast` is what next() gave it. */
  settle(count: number, forecast: Forecast | undefined, latest: bigint | undefined): void {
    if (forecast !== undefined && this.outstanding.delete(forecast)) this.ahead -= forecast.count;
    if (latest === undefined) return;
    const alone = forecast !== undefined ? latest === forecast.latest : this.seen !== undefined && latest - BigInt(count) === this.seen;
    this.seen = latest;
    this.counter = alone ? latest : undefined;
    if (alone) return;
    // The forecasts in flight counted on a counter that moved: they are wrong, and counted no more.
    this.outstanding.clear();
    this.ahead = 0n;
  }
}
